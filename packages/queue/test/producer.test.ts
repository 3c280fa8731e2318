// Enqueueing against the real Redis (redis://127.0.0.1:6379), each file in a
// queue prefix of its own, and against Redis that is absent or goes away.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import net from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  createProfileImageProducer,
  PROFILE_IMAGE_QUEUE,
  profileImageJobId,
  QueueUnavailableError,
  type ProfileImageJob,
  type ProfileImageProducer,
} from "../src/index";

const REDIS_URL = "redis://127.0.0.1:6379";
const prefix = `{test-${randomBytes(6).toString("hex")}}`;

function jobFor(imageId: string): ProfileImageJob {
  return {
    imageId,
    userId: `user-${imageId}`,
    deploymentId: "dep-test",
    stagingKey: `originals/dep-test/${imageId}`,
  };
}

describe("profile image producer", () => {
  let producer: ProfileImageProducer;

  beforeAll(() => {
    producer = createProfileImageProducer({ redisUrl: REDIS_URL, prefix, attempts: 5, backoffMs: 500 });
  });

  afterEach(async () => {
    await producer.queue.obliterate({ force: true });
  });

  afterAll(async () => {
    await producer.queue.obliterate({ force: true });
    await producer.close();
  });

  it("enqueues the validated payload under the deterministic job id with retry options", async () => {
    const job = jobFor("img-1");
    await producer.enqueue(job);

    const stored = await producer.queue.getJob(profileImageJobId("img-1"));
    expect(stored?.data).toEqual(job);
    expect(stored?.opts.attempts).toBe(5);
    expect(stored?.opts.backoff).toMatchObject({ type: "exponential", delay: 500 });
    expect(await producer.queue.getJobState(profileImageJobId("img-1"))).toBe("waiting");
    expect(stored?.queueQualifiedName).toBe(`${prefix}:${PROFILE_IMAGE_QUEUE}`);
  });

  it("enqueuing the same image twice leaves one job", async () => {
    await producer.enqueue(jobFor("img-2"));
    await producer.enqueue(jobFor("img-2"));
    expect(await producer.countsByState()).toEqual({
      waiting: 1,
      active: 0,
      delayed: 0,
      failed: 0,
      completed: 0,
      prioritized: 0,
      paused: 0,
    });
  });

  it("revives a job that failed for good only when asked to (the sweep does)", async () => {
    const { UnrecoverableError, Worker } = await import("bullmq");
    const { createRedisConnection } = await import("../src/index");
    const connection = createRedisConnection(REDIS_URL, "worker");
    const worker = new Worker(PROFILE_IMAGE_QUEUE, async () => { throw new UnrecoverableError("no"); }, { connection, prefix });
    try {
      await producer.enqueue(jobFor("img-failed"));
      const id = profileImageJobId("img-failed");
      await vi.waitFor(async () => expect(await producer.queue.getJobState(id)).toBe("failed"), { timeout: 5000 });
      await worker.close(); // no consumer from here on: a revived job stays visible as waiting
      await producer.enqueue(jobFor("img-failed"));
      expect(await producer.queue.getJobState(id)).toBe("failed");
      await producer.enqueue(jobFor("img-failed"), { retryFailed: true });
      expect(await producer.queue.getJobState(id)).toBe("waiting");
    } finally {
      await worker.close(true);
      connection.disconnect();
    }
  });

  it("accepts image ids BullMQ would refuse as raw job ids", async () => {
    await producer.enqueue(jobFor("12345"));
    await producer.enqueue(jobFor("a:b"));
    expect((await producer.countsByState()).waiting).toBe(2);
  });

  it("rejects a payload carrying bytes and adds nothing", async () => {
    const withBytes = { ...jobFor("img-3"), bytes: randomBytes(16) } as ProfileImageJob;
    await expect(producer.enqueue(withBytes)).rejects.toThrow(/bytes/);
    expect(await producer.queue.getJob(profileImageJobId("img-3"))).toBeUndefined();
  });

  it("counts jobs of a paused queue as paused", async () => {
    await producer.queue.pause();
    try {
      await producer.enqueue(jobFor("img-4"));
      expect(await producer.countsByState()).toMatchObject({ waiting: 0, paused: 1 });
    } finally {
      await producer.queue.resume();
    }
  });
});

describe("profile image producer without Redis", () => {
  it("rejects quickly against a closed port, quietly", async () => {
    const printed = [vi.spyOn(console, "error"), vi.spyOn(console, "warn"), vi.spyOn(console, "log")];
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    const errors: Error[] = [];
    const producer = createProfileImageProducer({
      redisUrl: "redis://127.0.0.1:1",
      prefix,
      attempts: 3,
      backoffMs: 100,
      onError: (error) => errors.push(error),
    });
    try {
      const started = performance.now();
      await expect(producer.enqueue(jobFor("img-down"))).rejects.toBeInstanceOf(QueueUnavailableError);
      const elapsed = performance.now() - started;
      expect(elapsed).toBeLessThan(5_000);

      const again = performance.now();
      await expect(producer.countsByState()).rejects.toBeInstanceOf(QueueUnavailableError);
      expect(performance.now() - again).toBeLessThan(5_000);

      // Give the reconnect loop time to fail a few more times.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(errors.length).toBeGreaterThan(0);
      expect(unhandled).toEqual([]);
      for (const spy of printed) expect(spy).not.toHaveBeenCalled();
    } finally {
      await producer.close();
      process.off("unhandledRejection", onUnhandled);
      for (const spy of printed) spy.mockRestore();
    }
  });

  const redisServer = "/usr/bin/redis-server";

  it.skipIf(!existsSync(redisServer))(
    "fails fast while Redis is down and recovers when it returns",
    async () => {
      const port = await freePort();
      let server = await startRedis(redisServer, port);
      const producer = createProfileImageProducer({
        redisUrl: `redis://127.0.0.1:${port}`,
        prefix,
        attempts: 3,
        backoffMs: 100,
      });
      try {
        await producer.enqueue(jobFor("img-a"));

        await stopRedis(server);
        const started = performance.now();
        await expect(producer.enqueue(jobFor("img-b"))).rejects.toThrow();
        expect(performance.now() - started).toBeLessThan(5_000);

        server = await startRedis(redisServer, port);
        await expect
          .poll(
            () =>
              producer.enqueue(jobFor("img-c")).then(
                () => "ok",
                () => "down",
              ),
            {
              timeout: 15_000,
              interval: 250,
            },
          )
          .toBe("ok");
        expect(await producer.queue.getJob(profileImageJobId("img-c"))).toBeDefined();
        // Nothing sneaks in later for the enqueue that was refused.
        expect(await producer.queue.getJob(profileImageJobId("img-b"))).toBeUndefined();
      } finally {
        await producer.close();
        await stopRedis(server);
      }
    },
  );
});

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

async function startRedis(binary: string, port: number): Promise<ChildProcess> {
  const child = spawn(
    binary,
    ["--bind", "127.0.0.1", "--port", String(port), "--save", "", "--appendonly", "no"],
    {
      stdio: "ignore",
    },
  );
  await expect
    .poll(
      () =>
        new Promise<boolean>((resolve) => {
          const socket = net.connect(port, "127.0.0.1", () => {
            socket.destroy();
            resolve(true);
          });
          socket.on("error", () => resolve(false));
        }),
      { timeout: 10_000, interval: 50 },
    )
    .toBe(true);
  return child;
}

async function stopRedis(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  await exited;
}
