// GET /docs: a page whose every asset comes from the API itself (no CDN, works
// offline), pointed at this API's /openapi.json rather than swagger-ui's petstore.
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApi, type TestApi } from "../../../test/support/harness";

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.close());

/** The URLs of every script, stylesheet and icon the page loads. */
const assetUrls = (html: string) => [...html.matchAll(/\s(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? "");

describe("GET /docs", () => {
  it("is an HTML page, open without a key, at /docs and /docs/", async () => {
    for (const path of ["/docs", "/docs/"]) {
      const res = await request(api.app)
        .get(path)
        .expect(200)
        .expect("content-type", /text\/html/);
      expect(res.text).toContain('<div id="swagger-ui">');
    }
  });

  it("loads only local assets, each served with its type", async () => {
    const page = await request(api.app).get("/docs").expect(200);
    const urls = assetUrls(page.text);
    expect(urls).toEqual(
      expect.arrayContaining([
        "/docs/swagger-ui.css",
        "/docs/swagger-ui-bundle.js",
        "/docs/swagger-initializer.js",
      ]),
    );
    expect(page.text).not.toMatch(/https?:\/\//);
    for (const url of urls) {
      expect(url, url).toMatch(/^\/docs\//);
      const asset = await request(api.app).get(url);
      expect(asset.status, url).toBe(200);
      const type = url.endsWith(".js") ? /javascript/ : url.endsWith(".css") ? /text\/css/ : /image\/png/;
      expect(asset.headers["content-type"], url).toMatch(type);
      expect(Number(asset.headers["content-length"] ?? asset.text?.length ?? 0), url).toBeGreaterThan(0);
    }
  });

  it("points Swagger UI at /openapi.json, not at the petstore, and never at an online validator", async () => {
    const init = await request(api.app).get("/docs/swagger-initializer.js").expect(200);
    expect(init.text).toContain('url: "/openapi.json"');
    expect(init.text).toContain("validatorUrl: null");
    expect(init.text).not.toMatch(/petstore|https?:\/\//);
    await request(api.app).get("/openapi.json").expect(200);
  });

  it("serves the dist's other files but not a directory listing, and 404s what is not there", async () => {
    await request(api.app).get("/docs/swagger-ui-bundle.js.map").expect(200);
    const missing = await request(api.app).get("/docs/nothing-here.js").expect(404);
    expect(missing.body.errors[0].code).toBe("resource_not_found");
  });
});
