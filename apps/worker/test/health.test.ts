// The worker's own port (WORKER_PORT): /healthz reflects a running worker on
// a ready Redis connection, /metrics shows job durations and outcomes.
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { solid } from "../../../test/support/images";
import {
  createTestApi,
  startTestWorker,
  testConfig,
  uniqueSuffix,
  type TestApi,
} from "../../../test/support/harness";
import { eventually } from "../../../test/support/poll";
import type { RunningWorker } from "../src/run";

// Port 0: every test worker gets a free port, so test files can run side by side.
const OWN_PORT = { WORKER_PORT: "0" };

let api: TestApi;
let worker: RunningWorker;
beforeAll(async () => {
  api = await createTestApi(OWN_PORT);
  worker = await startTestWorker(api.config);
});
afterAll(async () => {
  await worker.stop();
  await api.close();
});

describe("worker /healthz", () => {
  it("is 200 while the worker runs on a ready Redis connection", async () => {
    await eventually(async () => (await fetch(`${worker.opsUrl}/healthz`)).status === 200, {
      what: "healthy worker",
    });
    const res = await request(worker.opsUrl).get("/healthz").expect(200);
    expect(res.body).toEqual({ status: "ok" });
  });

  it("is 503 when Redis is unreachable, and /metrics then needs the token like the API's", async () => {
    const token = "worker-metrics-token-0123";
    const stranded = await startTestWorker(
      testConfig({ ...OWN_PORT, REDIS_URL: "redis://127.0.0.1:1", METRICS_TOKEN: token }),
    );
    try {
      const res = await request(stranded.opsUrl).get("/healthz").expect(503);
      expect(res.body).toEqual({ status: "unavailable" });
      await request(stranded.opsUrl).get("/metrics").expect(401);
      await request(stranded.opsUrl).get("/metrics").set("Authorization", `Bearer ${token}`).expect(200);
    } finally {
      await stranded.stop();
    }
  });
});

describe("worker /metrics", () => {
  it("exposes the duration and outcome of each job", async () => {
    const created = await request(api.app)
      .post("/users")
      .set("Authorization", api.auth)
      .set("Prefer", "wait=10")
      .field("email_address", `w.${uniqueSuffix()}@example.com`)
      .field("skip_password_check", "true")
      .attach("profile_image", await solid(8, 8).png().toBuffer(), "p.png")
      .expect(201);
    expect(created.body.profile_image_status).toBe("ready");

    // The job's completed event follows the database update by a moment.
    const text = await eventually(
      async () => {
        const res = await request(worker.opsUrl).get("/metrics").expect(200);
        return (
          /queue_job_duration_seconds_count\{queue="profile-images",outcome="ready"\} 1\n/.test(res.text) &&
          res.text
        );
      },
      { what: "job metrics" },
    );
    expect(text).toContain("# TYPE queue_job_duration_seconds histogram");
    expect(text).toMatch(
      /queue_job_duration_seconds_bucket\{le="\+Inf",queue="profile-images",outcome="ready"\} 1\n/,
    );
    expect(text).toContain("process_resident_memory_bytes");
  });
});
