// The request log (SPEC 7, issue 4): one line per request under the request
// id the response carries, that id on every other line of the request, and no
// password or key in any line.
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { solid } from "../../../test/support/images";
import { createTestApi, uniqueSuffix, type TestApi } from "../../../test/support/harness";
import { createServer } from "../src/server";

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.close());

type LogLine = Record<string, unknown> & { msg?: string; req?: { id?: string }; request_id?: string };
const parsed = (lines: string[]) => lines.map((line) => JSON.parse(line) as LogLine);
const linesOf = (lines: string[], requestId: string) =>
  parsed(lines).filter((l) => l.req?.id === requestId || l.request_id === requestId);

describe("request ids", () => {
  it("echoes a given X-Request-Id and logs the request's one line under it, with route, status and duration", async () => {
    const id = `test-${uniqueSuffix()}`;
    const res = await request(api.app)
      .get("/users")
      .set("Authorization", api.auth)
      .set("X-Request-Id", id)
      .expect(200);
    expect(res.headers["x-request-id"]).toBe(id);
    const lines = linesOf(api.logLines, id);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ msg: "GET /users 200", route: "/users", res: { status: 200 } });
    expect(lines[0]?.duration_ms).toEqual(expect.any(Number));
  });

  it("makes up an id when none (or a strange one) is given, and uses it in the error body too", async () => {
    const res = await request(api.app)
      .get("/users/nobody")
      .set("Authorization", api.auth)
      .set("X-Request-Id", "not a sane id")
      .expect(404);
    const id = res.headers["x-request-id"] as string;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.request_id).toBe(id);
    expect(linesOf(api.logLines, id).map((l) => l.msg)).toEqual(["GET /users/:id 404"]);
  });

  it("puts the id on every line of the request, the domain's own warnings included", async () => {
    // Redis is down: the user is created and the domain logs that the enqueue failed.
    const offline = await createTestApi({ REDIS_URL: "redis://127.0.0.1:1" });
    try {
      const id = `enqueue-${uniqueSuffix()}`;
      await request(offline.app)
        .post("/users")
        .set("Authorization", offline.auth)
        .set("X-Request-Id", id)
        .field("email_address", `log.${uniqueSuffix()}@example.com`)
        .field("skip_password_check", "true")
        .attach("profile_image", await solid(8, 8).png().toBuffer(), "p.png")
        .expect(201);
      const messages = linesOf(offline.logLines, id).map((l) => l.msg);
      expect(messages).toEqual(["enqueue failed; the sweep will enqueue this image", "POST /users 201"]);
      // …and no line of the request is without it.
      const warn = parsed(offline.logLines).filter((l) => l.msg?.startsWith("enqueue failed"));
      expect(warn.map((l) => l.request_id)).toEqual([id]);
    } finally {
      await offline.close();
    }
  });
});

describe("secrets in logs", () => {
  it("writes neither the password nor the bearer key, whatever the outcome of the request", async () => {
    const password = `Pw-${uniqueSuffix()}-Secret!9`;
    const wrongKey = `sk_test_${uniqueSuffix()}notakey`;
    const before = api.logLines.length;
    const send = (app: TestApi["app"], auth: string, fields: Record<string, string>) => {
      const req = request(app).post("/users").set("Authorization", auth).set("Cookie", `session=${password}`);
      for (const [k, v] of Object.entries(fields)) req.field(k, v);
      return req;
    };
    await send(api.app, api.auth, { email_address: `s.${uniqueSuffix()}@example.com`, password }).expect(201);
    await send(api.app, api.auth, { email_address: "not-an-email", password }).expect(422);
    await send(api.app, `Bearer ${wrongKey}`, {
      email_address: `s.${uniqueSuffix()}@example.com`,
      password,
    }).expect(401);
    // Storage down: the error middleware logs the failure (503) with its error.
    const failing = createServer({
      ...api.context,
      storage: {
        ...api.context.storage,
        stageOriginal: () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:9000")),
      },
    });
    await send(failing, api.auth, { email_address: `s.${uniqueSuffix()}@example.com`, password })
      .attach("profile_image", await solid(8, 8).png().toBuffer(), "p.png")
      .expect(503);

    const written = api.logLines.slice(before);
    expect(written.length).toBeGreaterThanOrEqual(5);
    const text = written.join("\n");
    expect(text).toContain("dependency unavailable");
    expect(text).not.toContain(password);
    expect(text).not.toContain(api.key);
    expect(text).not.toContain(wrongKey);
  });
});
