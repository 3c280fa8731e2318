// The pipeline's failure paths (SPEC 5.2): Redis down when the user is made,
// storage down while the worker runs, a job run twice, a worker stopped mid-job.
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProfileImageProducer } from "@svc/queue";
import { createObjectStore } from "@svc/storage";
import { processProfileImage } from "@svc/users";
import { GREEN, RED, solid } from "../../../test/support/images";
import { createTestApi, startTestWorker, testConfig, uniqueSuffix, type TestApi } from "../../../test/support/harness";
import { eventually } from "../../../test/support/poll";
import { startTcpProxy } from "../../../test/support/tcp-proxy";

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.close());

const photo = (colour = RED) => solid(900, 700, colour).jpeg().toBuffer();

async function createWithImage(target: TestApi, image: Buffer) {
  const res = await request(target.app)
    .post("/users")
    .set("Authorization", target.auth)
    .field("email_address", `f.${uniqueSuffix()}@example.com`)
    .field("skip_password_check", "true")
    .attach("profile_image", image, "p.jpg")
    .expect(201);
  return res.body as { id: string; profile_image_status: string };
}

const statusOf = async (userId: string) =>
  (await api.context.db.user.findUniqueOrThrow({ where: { id: userId } })).profileImageStatus;

describe("when Redis is down at create time", () => {
  it("still creates the user (201 pending), and the sweep gets the image to ready once Redis is back", async () => {
    const offline = await createTestApi({ REDIS_URL: "redis://127.0.0.1:1", QUEUE_PREFIX: api.config.redis.queuePrefix });
    try {
      const user = await createWithImage(offline, await photo());
      expect(user.profile_image_status).toBe("pending");
      const worker = await startTestWorker(
        testConfig({ QUEUE_PREFIX: api.config.redis.queuePrefix, SWEEP_INTERVAL_SECONDS: "1", SWEEP_GRACE_SECONDS: "0" }),
      );
      try {
        await eventually(async () => (await statusOf(user.id)) === "ready", { what: "sweep to ready" });
      } finally {
        await worker.stop();
      }
    } finally {
      await offline.close();
    }
  });
});

describe("when storage is down for the worker", () => {
  it("retries with backoff and ends ready once storage is back", async () => {
    const s3 = new URL(api.config.storage.endpoint as string);
    const proxy = await startTcpProxy(s3.hostname, Number(s3.port));
    const config = testConfig({
      QUEUE_PREFIX: `{storage-${uniqueSuffix()}}`,
      S3_ENDPOINT: proxy.url("http"),
      S3_PUBLIC_BASE_URL: `${api.config.storage.endpoint}/${api.config.storage.publicBucket}`,
      JOB_BACKOFF_MS: "200",
    });
    const worker = await startTestWorker(config);
    const own = await createTestApi({ QUEUE_PREFIX: config.redis.queuePrefix });
    try {
      await proxy.cut();
      const user = await createWithImage(own, await photo());
      const producer = createProfileImageProducer({ redisUrl: config.redis.url, prefix: config.redis.queuePrefix, attempts: 10, backoffMs: 200 });
      try {
        const image = await own.context.db.profileImage.findFirstOrThrow({ where: { userId: user.id } });
        const job = await eventually(async () => {
          const jobs = await producer.queue.getJobs(["delayed", "waiting", "active"]);
          return jobs.find((j) => j.data.imageId === image.id && j.attemptsMade >= 1);
        }, { what: "a failed attempt" });
        expect(job.attemptsMade).toBeGreaterThanOrEqual(1);
        expect(await statusOf(user.id)).toBe("pending");
      } finally {
        await producer.close();
      }
      await proxy.restore();
      await eventually(async () => (await statusOf(user.id)) === "ready", { what: "ready after storage returns" });
    } finally {
      await own.close();
      await worker.stop();
      await proxy.close();
    }
  });
});

describe("a job processed twice", () => {
  it("gives one object and one URL", async () => {
    // A queue prefix no worker listens on: the job stays queued while we run it by hand, twice at once.
    const own = await createTestApi({ QUEUE_PREFIX: `{idle-${uniqueSuffix()}}` });
    try {
      const user = await createWithImage(own, await photo(GREEN));
      const image = await own.context.db.profileImage.findFirstOrThrow({ where: { userId: user.id } });
      const store = createObjectStore({ ...own.config.storage, endpoint: own.config.storage.endpoint as string });
      const deps = { db: own.context.db, storage: store, log: own.logger(), avatar: { size: 512, format: "webp" as const, quality: 80, maxPixels: 40e6 } };
      const job = { imageId: image.id, userId: user.id, deploymentId: own.deploymentId, stagingKey: image.stagingKey as string };
      const outcomes = await Promise.all([processProfileImage(deps, job), processProfileImage(deps, job)]);
      expect(outcomes).toContain("ready");
      const again = await processProfileImage(deps, job);
      expect(again).toBe("already_done");
      expect(await store.listPublicKeys(`avatars/${user.id}/`)).toHaveLength(1);
      expect(await store.listStagedKeys(`originals/${own.deploymentId}/`)).toHaveLength(0);
      const row = await own.context.db.user.findUniqueOrThrow({ where: { id: user.id } });
      expect(row.profilePictureUrl).toBe(store.publicUrl((await store.listPublicKeys(`avatars/${user.id}/`))[0] as string));
    } finally {
      await own.close();
    }
  });
});

describe("stopping the worker", () => {
  it("finishes the active job before it exits", async () => {
    const config = testConfig({ QUEUE_PREFIX: `{stop-${uniqueSuffix()}}` });
    const own = await createTestApi({ QUEUE_PREFIX: config.redis.queuePrefix });
    try {
      const big = await solid(4000, 3000, RED).png().toBuffer(); // slow enough to be caught mid-job
      const user = await createWithImage(own, big);
      const worker = await startTestWorker(config);
      const producer = createProfileImageProducer({ redisUrl: config.redis.url, prefix: config.redis.queuePrefix, attempts: 1, backoffMs: 100 });
      try {
        await eventually(async () => (await producer.countsByState()).active > 0 || (await statusOf(user.id)) !== "pending", {
          intervalMs: 5,
          what: "job active",
        });
        await worker.stop();
        expect(await statusOf(user.id)).toBe("ready");
        expect((await producer.countsByState()).active).toBe(0);
      } finally {
        await producer.close();
      }
    } finally {
      await own.close();
    }
  });
});
