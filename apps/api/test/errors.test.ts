// SPEC 7 everywhere: malformed bodies, wrong content types, unknown routes and
// unexpected errors all answer the same JSON, with no internals in it.
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer } from "../src/server";
import { createTestApi, type TestApi } from "../../../test/support/harness";

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.close());

const expectSpec7 = (res: request.Response, code?: string) => {
  expect(res.headers["content-type"]).toMatch(/application\/json/);
  expect(res.body).toEqual({ message: expect.any(String), errors: expect.any(Array), request_id: expect.any(String) });
  expect(res.body.message).toBe(res.body.errors[0].message);
  if (code) expect(res.body.errors[0].code).toBe(code);
};

describe("error bodies", () => {
  it("400 for malformed JSON", async () => {
    const res = await request(api.app)
      .post("/users")
      .set("Authorization", api.auth)
      .set("Content-Type", "application/json")
      .send('{"email_address": ')
      .expect(400);
    expectSpec7(res, "malformed_request");
  });

  it("400 for a JSON array body", async () => {
    const res = await request(api.app).post("/users").set("Authorization", api.auth).send([1, 2]).expect(400);
    expectSpec7(res);
  });

  it("400 for malformed multipart", async () => {
    const res = await request(api.app)
      .post("/users")
      .set("Authorization", api.auth)
      .set("Content-Type", "multipart/form-data; boundary=XYZ")
      .send("--XYZ\r\nContent-Disposition: form-data; name=\"first_name\"\r\n\r\nAda")
      .expect(400);
    expectSpec7(res, "malformed_request");
  });

  it("415 for another content type", async () => {
    const res = await request(api.app)
      .post("/users")
      .set("Authorization", api.auth)
      .set("Content-Type", "text/plain")
      .send("email_address=a@b.co")
      .expect(415);
    expectSpec7(res, "unsupported_media_type");
  });

  it("404 for an unknown route and an unknown user", async () => {
    expectSpec7(await request(api.app).get("/nowhere").set("Authorization", api.auth).expect(404), "resource_not_found");
    expectSpec7(await request(api.app).get("/users/user_nope").set("Authorization", api.auth).expect(404), "resource_not_found");
  });

  it("500 with a request id and nothing internal for an unexpected error", async () => {
    const failing = new Proxy(api.context.db, {
      get(target, prop, receiver) {
        if (prop === "$queryRaw") {
          return () => Promise.reject(new Error("boom in /srv/app/secret.ts at SELECT * FROM secret_keys"));
        }
        return Reflect.get(target, prop, receiver);
      },
    });
    const app = createServer({ ...api.context, db: failing });
    const res = await request(app).get("/users").set("Authorization", api.auth).set("X-Request-Id", "req-500-test").expect(500);
    expectSpec7(res, "internal_error");
    expect(res.body.request_id).toBe("req-500-test");
    expect(res.text).not.toMatch(/boom|secret\.ts|SELECT|at .*\(/);
  });

  it("echoes a sane X-Request-Id and makes one otherwise", async () => {
    const given = await request(api.app).get("/healthz").set("X-Request-Id", "abc-123").expect(200);
    expect(given.headers["x-request-id"]).toBe("abc-123");
    const made = await request(api.app).get("/healthz").set("X-Request-Id", "bad id with spaces <script>").expect(200);
    expect(made.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });
});
