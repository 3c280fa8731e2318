// The operations routes (SPEC 6): the queue dashboard behind basic auth,
// Prometheus metrics with real numbers, and readiness naming what is down.
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROFILE_IMAGE_JOB_NAME } from "@svc/queue";
import { solid } from "../../../test/support/images";
import { createTestApi, uniqueSuffix, type TestApi } from "../../../test/support/harness";

const ADMIN = { ADMIN_USERNAME: "ops-admin", ADMIN_PASSWORD: "correct-horse-battery" };
const METRICS_TOKEN = "metrics-token-0123456789";
const STRONG = "Correct-Horse-9";
const email = () => `ops.${uniqueSuffix()}@example.com`;

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi(ADMIN);
});
afterAll(() => api.close());

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

/** The value of one sample line of the Prometheus text, e.g. `queue_jobs{queue="x",state="waiting"}`. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split("\n")) {
    const match = line.match(/^([a-z_]+)\{(.*)\} (\S+)$/);
    if (!match || match[1] !== name) continue;
    const got = Object.fromEntries(
      [...(match[2] as string).matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(match[3]);
  }
  return undefined;
}

describe("/admin/queues", () => {
  it("answers 401 with a Basic challenge without credentials or with wrong ones", async () => {
    const none = await request(api.app).get("/admin/queues").expect(401);
    expect(none.headers["www-authenticate"]).toMatch(/^Basic realm=/);
    expect(none.body).toMatchObject({
      errors: [{ code: "authentication_invalid" }],
      request_id: expect.any(String),
    });
    await request(api.app)
      .get("/admin/queues")
      .set("Authorization", basic(ADMIN.ADMIN_USERNAME, "wrong-password-123"))
      .expect(401);
    await request(api.app)
      .get("/admin/queues")
      .set("Authorization", basic("someone", ADMIN.ADMIN_PASSWORD))
      .expect(401);
    await request(api.app).get("/admin/queues/api/queues").expect(401);
  });

  it("serves the dashboard and its API with the admin credentials", async () => {
    const auth = basic(ADMIN.ADMIN_USERNAME, ADMIN.ADMIN_PASSWORD);
    const page = await request(api.app).get("/admin/queues").set("Authorization", auth).expect(200);
    expect(page.headers["content-type"]).toMatch(/text\/html/);
    expect(page.headers["x-powered-by"]).toBeUndefined();
    const queues = await request(api.app)
      .get("/admin/queues/api/queues")
      .set("Authorization", auth)
      .expect(200);
    const names = (queues.body.queues as { name: string; allowRetries: boolean }[]).map((q) => [
      q.name,
      q.allowRetries,
    ]);
    expect(names).toEqual([["profile-images", true]]);
  });

  it("shows only the payload's four fields of a job's data", async () => {
    const { queue } = api.context.producer;
    await queue.waitUntilReady();
    const jobId = `display-${uniqueSuffix()}`;
    const payload = {
      imageId: "img_1",
      userId: "user_1",
      deploymentId: "dep_1",
      stagingKey: "originals/dep_1/img_1",
    };
    await queue.add(PROFILE_IMAGE_JOB_NAME, { ...payload, password: "leaked-by-mistake" }, { jobId });
    const res = await request(api.app)
      .get(`/admin/queues/api/queues/profile-images/${jobId}`)
      .set("Authorization", basic(ADMIN.ADMIN_USERNAME, ADMIN.ADMIN_PASSWORD))
      .expect(200);
    expect(res.body.job.data).toEqual(payload);
    expect(res.text).not.toContain("leaked-by-mistake");
    await queue.remove(jobId);
  });

  it("is not mounted at all when no admin credentials are configured", async () => {
    const open = await createTestApi();
    try {
      const res = await request(open.app)
        .get("/admin/queues")
        .set("Authorization", basic("admin", "anything-at-all"))
        .expect(404);
      expect(res.body.errors[0].code).toBe("resource_not_found");
      await request(open.app).get("/admin/queues/api/queues").expect(404);
    } finally {
      await open.close();
    }
  });
});

describe("GET /metrics", () => {
  it("reports the HTTP histogram, user creations by outcome and queue depth with real numbers", async () => {
    const own = await createTestApi();
    try {
      const image = await solid(8, 8).png().toBuffer();
      const address = email();
      const create = (headers: Record<string, string> = {}) =>
        request(own.app)
          .post("/users")
          .set("Authorization", own.auth)
          .set(headers)
          .field("email_address", address)
          .field("password", STRONG)
          .attach("profile_image", image, "p.png");
      await create({ "Idempotency-Key": "metrics-1" }).expect(201);
      await create({ "Idempotency-Key": "metrics-1" }).expect(201); // replayed
      await create().expect(409);
      await request(own.app)
        .post("/users")
        .set("Authorization", own.auth)
        .field("email_address", "nope")
        .expect(422);
      await request(own.app).post("/users").expect(401); // refused before the route: not a creation

      const res = await request(own.app).get("/metrics").expect(200);
      expect(res.headers["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = res.text;
      expect(text).toContain("# TYPE http_request_duration_seconds histogram");
      expect(
        sample(text, "http_request_duration_seconds_count", {
          method: "POST",
          route: "/users",
          status: "201",
        }),
      ).toBe(2);
      expect(
        sample(text, "http_request_duration_seconds_count", {
          method: "POST",
          route: "/users",
          status: "409",
        }),
      ).toBe(1);
      expect(
        sample(text, "http_request_duration_seconds_bucket", {
          method: "POST",
          route: "/users",
          status: "201",
          le: "+Inf",
        }),
      ).toBe(2);
      expect(sample(text, "user_creations_total", { outcome: "created" })).toBe(1);
      expect(sample(text, "user_creations_total", { outcome: "replayed" })).toBe(1);
      expect(sample(text, "user_creations_total", { outcome: "conflict" })).toBe(1);
      expect(sample(text, "user_creations_total", { outcome: "invalid" })).toBe(1);
      expect(sample(text, "user_creations_total", { outcome: "error" })).toBe(0);
      // No worker runs on this prefix: the one image waits.
      const queue = { queue: "profile-images" };
      expect(sample(text, "queue_jobs", { ...queue, state: "waiting" })).toBe(1);
      for (const state of ["active", "delayed", "failed", "completed", "paused", "prioritized"]) {
        expect(sample(text, "queue_jobs", { ...queue, state })).toBe(0);
      }
      expect(text).toContain("process_cpu_seconds_total");
      expect(text).toContain("nodejs_eventloop_lag_seconds");
    } finally {
      await own.close();
    }
  });

  it("needs the bearer token when METRICS_TOKEN is set", async () => {
    const guarded = await createTestApi({ METRICS_TOKEN });
    try {
      const none = await request(guarded.app).get("/metrics").expect(401);
      expect(none.body).toMatchObject({
        errors: [{ code: "authentication_invalid" }],
        request_id: expect.any(String),
      });
      expect(none.text).not.toContain("http_request_duration_seconds");
      await request(guarded.app).get("/metrics").set("Authorization", `Bearer ${METRICS_TOKEN}x`).expect(401);
      await request(guarded.app).get("/metrics").set("Authorization", guarded.auth).expect(401);
      const ok = await request(guarded.app)
        .get("/metrics")
        .set("Authorization", `Bearer ${METRICS_TOKEN}`)
        .expect(200);
      expect(ok.text).toContain("http_request_duration_seconds");
    } finally {
      await guarded.close();
    }
  });

  it("still answers while Redis is down, without queue numbers rather than stale ones", async () => {
    const offline = await createTestApi({ REDIS_URL: "redis://127.0.0.1:1" });
    try {
      const res = await request(offline.app).get("/metrics").expect(200);
      expect(res.text).toContain("http_request_duration_seconds");
      expect(sample(res.text, "queue_jobs", { queue: "profile-images", state: "waiting" })).toBeUndefined();
    } finally {
      await offline.close();
    }
  });
});

describe("readiness", () => {
  it("is 200 when PostgreSQL, Redis and storage all answer", async () => {
    const res = await request(api.app).get("/readyz").expect(200);
    expect(res.body).toEqual({
      status: "ready",
      dependencies: { database: "up", redis: "up", storage: "up" },
    });
    await request(api.app).get("/healthz").expect(200);
  });

  it("is 503 naming Redis when Redis is unreachable, while liveness stays 200", async () => {
    const offline = await createTestApi({ REDIS_URL: "redis://127.0.0.1:1" });
    try {
      const res = await request(offline.app).get("/readyz").expect(503);
      expect(res.body.message).toMatch(/redis/i);
      expect(res.body.errors).toEqual([
        expect.objectContaining({ code: "dependency_unavailable", param: "redis" }),
      ]);
      expect(res.body.dependencies).toEqual({ database: "up", redis: "down", storage: "up" });
      await request(offline.app).get("/healthz").expect(200);
    } finally {
      await offline.close();
    }
  });
});
