// The API side of the profile-image queue: validate, enqueue with the
// deterministic job id, and give up quickly when Redis is not there.
import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import {
  PROFILE_IMAGE_JOB_NAME,
  PROFILE_IMAGE_QUEUE,
  profileImageJobId,
  profileImageJobOptions,
  profileImageJobSchema,
  type ProfileImageJob,
} from "./profile-image-job";
import { createRedisConnection } from "./redis";

export interface ProfileImageProducerOptions {
  redisUrl: string;
  /** BullMQ key prefix, a Redis Cluster hash tag such as `{users}`. */
  prefix: string;
  attempts: number;
  backoffMs: number;
  /** Upper bound on one enqueue, connecting included. Default 1000 ms. */
  timeoutMs?: number;
  /** Connection and queue errors (ignored by default; enqueue rejects on its own). */
  onError?: (error: Error) => void;
}

export interface JobCountsByState {
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  completed: number;
  prioritized: number;
  paused: number;
}

export interface ProfileImageProducer {
  queue: Queue;
  /**
   * Resolves once the job is in Redis; adding an image already queued is a
   * no-op. With `retryFailed`, a job of that id that failed for good runs again.
   */
  enqueue(job: ProfileImageJob, options?: { retryFailed?: boolean }): Promise<void>;
  countsByState(): Promise<JobCountsByState>;
  close(): Promise<void>;
}

/** Redis did not take the job in time; the caller decides what happens to the image (the sweep retries). */
export class QueueUnavailableError extends Error {
  override name = "QueueUnavailableError";
}

const COUNTED = ["waiting", "active", "delayed", "failed", "completed", "prioritized"] as const;

export function createProfileImageProducer(options: ProfileImageProducerOptions): ProfileImageProducer {
  const timeoutMs = options.timeoutMs ?? 1_000;
  const onError = options.onError ?? (() => {});
  const connection = createRedisConnection(options.redisUrl, "producer", onError);
  const queue = new Queue(PROFILE_IMAGE_QUEUE, { connection, prefix: options.prefix });
  // BullMQ re-emits connection errors on the queue; an unheard 'error' event is printed.
  queue.on("error", onError);
  const jobOptions = profileImageJobOptions(options);

  /**
   * Bounds `work` by the producer's timeout. Not sending a command until the
   * connection is ready means a request that timed out while Redis was down
   * does not add its job later, behind the caller's back.
   */
  async function withinTimeout<T>(what: string, work: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new QueueUnavailableError(`${what}: Redis did not answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([whenReady(connection, deadline).then(work), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    queue,

    async enqueue(job, { retryFailed = false } = {}) {
      const data = profileImageJobSchema.parse(job);
      await withinTimeout("enqueue", async () => {
        const queued = await queue.add(PROFILE_IMAGE_JOB_NAME, data, {
          ...jobOptions,
          jobId: profileImageJobId(data.imageId),
        });
        // Adding an id that exists returns the existing job. One that failed for
        // good is kept for inspection and would block the image for days.
        if (retryFailed && (await queued.isFailed())) await queued.retry("failed");
      });
    },

    async countsByState() {
      const [counts, isPaused] = await withinTimeout("countsByState", () =>
        Promise.all([queue.getJobCounts(...COUNTED), queue.isPaused()]),
      );
      const count = (state: (typeof COUNTED)[number]) => counts[state] ?? 0;
      // BullMQ 6 has no paused list: a paused queue keeps its jobs in "wait".
      // Report them as paused, as dashboards and older BullMQ versions do.
      return {
        waiting: isPaused ? 0 : count("waiting"),
        paused: isPaused ? count("waiting") : 0,
        active: count("active"),
        delayed: count("delayed"),
        failed: count("failed"),
        completed: count("completed"),
        prioritized: count("prioritized"),
      };
    },

    async close() {
      await queue.close();
      // The queue leaves a connection it was given open.
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}

function whenReady(redis: Redis, deadline: Promise<never>): Promise<void> {
  if (redis.status === "ready") return Promise.resolve();
  if (redis.status === "end") return Promise.reject(new QueueUnavailableError("Redis connection is closed"));
  return new Promise<void>((resolve, reject) => {
    const onReady = () => resolve();
    redis.once("ready", onReady);
    deadline.catch(reject).finally(() => redis.off("ready", onReady));
  });
}
