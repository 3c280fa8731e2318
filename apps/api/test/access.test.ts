// Who may call what (SPEC 2) and the reading routes (SPEC 6): keys, revocation,
// deployment isolation, rate limit, listing.
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSecretKey, revokeSecretKey } from "@svc/users";
import { createOtherDeployment, createTestApi, uniqueSuffix, type TestApi } from "../../../test/support/harness";

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.close());

const createUser = (auth: string) =>
  request(api.app)
    .post("/users")
    .set("Authorization", auth)
    .send({ email_address: `acc.${uniqueSuffix()}@example.com`, skip_password_check: true })
    .expect(201);

describe("authentication", () => {
  it.each([
    ["no header", undefined],
    ["not bearer", "Basic abc"],
    ["malformed key", "Bearer not-a-key"],
    ["unknown key", `Bearer sk_test_${"A".repeat(32)}`],
  ])("answers 401 JSON for %s", async (_, header) => {
    const req = request(api.app).get("/users");
    if (header) req.set("Authorization", header);
    const res = await req.expect(401);
    expect(res.body).toMatchObject({ message: expect.any(String), errors: [expect.objectContaining({ code: "authentication_invalid" })] });
    expect(res.body.request_id).toEqual(expect.any(String));
  });

  it("stops a revoked key at once while the deployment's other keys keep working", async () => {
    const extra = await createSecretKey(api.context.db, api.deploymentId);
    await request(api.app).get("/users").set("Authorization", `Bearer ${extra.secretKey}`).expect(200);
    expect(await revokeSecretKey(api.context.db, extra.id)).toBe(true);
    await request(api.app).get("/users").set("Authorization", `Bearer ${extra.secretKey}`).expect(401);
    await request(api.app).get("/users").set("Authorization", api.auth).expect(200);
  });

  it("stores only a hash of the key", async () => {
    const rows = await api.context.db.secretKey.findMany({ where: { deploymentId: api.deploymentId } });
    for (const row of rows) {
      expect(row.keyHash).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(row)).not.toContain(api.key);
    }
  });
});

describe("deployment isolation", () => {
  it("makes another deployment's user a 404 on every user route", async () => {
    const other = await createOtherDeployment(api);
    const theirs = (await createUser(other.auth)).body.id as string;
    for (const path of [`/users/${theirs}`, `/users/${theirs}/details`]) {
      await request(api.app).get(path).set("Authorization", api.auth).expect(404);
      await request(api.app).get(path).set("Authorization", other.auth).expect(200);
    }
    await request(api.app).delete(`/users/${theirs}/profile_image`).set("Authorization", api.auth).expect(404);
    await request(api.app)
      .post(`/users/${theirs}/profile_image`)
      .set("Authorization", api.auth)
      .attach("file", Buffer.from("x"), "x.png")
      .expect(404);
    const list = await request(api.app).get("/users?limit=100").set("Authorization", api.auth).expect(200);
    expect(list.body.data.map((u: { id: string }) => u.id)).not.toContain(theirs);
  });

  it("lets the same email address exist once in each deployment", async () => {
    const other = await createOtherDeployment(api);
    const address = `shared.${uniqueSuffix()}@example.com`;
    for (const auth of [api.auth, other.auth]) {
      await request(api.app).post("/users").set("Authorization", auth).send({ email_address: address, skip_password_check: true }).expect(201);
    }
  });
});

describe("GET /users", () => {
  it("pages newest first with total and has_more", async () => {
    const own = await createTestApi();
    try {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await request(own.app)
          .post("/users")
          .set("Authorization", own.auth)
          .send({ email_address: `list${i}.${uniqueSuffix()}@example.com`, skip_password_check: true })
          .expect(201);
        ids.push(res.body.id);
      }
      const page1 = await request(own.app).get("/users?limit=2").set("Authorization", own.auth).expect(200);
      expect(page1.body).toMatchObject({ total: 5, limit: 2, offset: 0, has_more: true });
      expect(page1.body.data.map((u: { id: string }) => u.id)).toEqual([ids[4], ids[3]]);
      const last = await request(own.app).get("/users?limit=2&offset=4").set("Authorization", own.auth).expect(200);
      expect(last.body).toMatchObject({ total: 5, has_more: false });
      expect(last.body.data.map((u: { id: string }) => u.id)).toEqual([ids[0]]);
      const bad = await request(own.app).get("/users?limit=0&offset=-1").set("Authorization", own.auth).expect(422);
      expect(bad.body.errors.map((e: { param: string }) => e.param).sort()).toEqual(["limit", "offset"]);
    } finally {
      await own.close();
    }
  });
});

describe("rate limit", () => {
  it("answers 429 with Retry-After once a key is over its limit", async () => {
    const limited = await createTestApi({ RATE_LIMIT_MAX: "3", RATE_LIMIT_WINDOW_SECONDS: "30" });
    try {
      for (let i = 0; i < 3; i++) await request(limited.app).get("/users").set("Authorization", limited.auth).expect(200);
      const res = await request(limited.app).get("/users").set("Authorization", limited.auth).expect(429);
      expect(Number(res.headers["retry-after"])).toBeGreaterThanOrEqual(1);
      expect(Number(res.headers["retry-after"])).toBeLessThanOrEqual(30);
      expect(res.body.errors[0].code).toBe("rate_limit_exceeded");
      // another deployment's key has its own budget
      const other = await createOtherDeployment(limited);
      await request(limited.app).get("/users").set("Authorization", other.auth).expect(200);
    } finally {
      await limited.close();
    }
  });
});
