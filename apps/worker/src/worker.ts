// createWorker(deps): the BullMQ worker for profile-image jobs. It checks the
// payload, runs the use case, and tells BullMQ which failures are final.
import { MetricsTime, UnrecoverableError, Worker, type Job } from "bullmq";
import { PROFILE_IMAGE_QUEUE, createRedisConnection, profileImageJobSchema } from "@svc/queue";
import type { Logger } from "@svc/telemetry";
import { markFailed, processProfileImage, ProfileImageRejectedError, type ProcessDeps } from "@svc/users";

export interface WorkerDeps extends Omit<ProcessDeps, "log"> {
  logger: Logger;
  redisUrl: string;
  prefix: string;
  concurrency: number;
  /** BullMQ's lockDuration and stalledInterval: how soon a dead worker's jobs run again. */
  lockMs?: number;
  /** Called with each finished job (metrics). */
  onJobDone?: (outcome: string, seconds: number) => void;
}

export interface ProfileImageWorker {
  worker: Worker;
  /** True while the worker takes jobs and its Redis connection is ready (the worker's /healthz). */
  isHealthy(): boolean;
  /** Stops taking jobs, lets the active ones finish (unless Redis is unreachable), and disconnects. */
  close(): Promise<void>;
}

export function createWorker(deps: WorkerDeps): ProfileImageWorker {
  const { logger } = deps;
  const processDeps: ProcessDeps = { db: deps.db, storage: deps.storage, avatar: deps.avatar, log: logger };

  const run = async (job: Job): Promise<string> => {
    const parsed = profileImageJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid payload: ${parsed.error.issues[0]?.message}`);
    try {
      return await processProfileImage(processDeps, parsed.data);
    } catch (error) {
      if (error instanceof ProfileImageRejectedError) throw new UnrecoverableError(error.message);
      throw error;
    }
  };

  const connection = createRedisConnection(deps.redisUrl, "worker", (error) =>
    logger.warn({ err: error }, "redis connection error"),
  );
  const worker = new Worker(PROFILE_IMAGE_QUEUE, run, {
    connection,
    prefix: deps.prefix,
    concurrency: deps.concurrency,
    ...(deps.lockMs ? { lockDuration: deps.lockMs, stalledInterval: deps.lockMs } : {}),
    // Throughput history for the dashboard.
    metrics: { maxDataPoints: MetricsTime.ONE_WEEK },
  });

  worker.on("completed", (job, outcome: string) => {
    const seconds = elapsedSeconds(job);
    deps.onJobDone?.(outcome, seconds);
    logger.info(
      { jobId: job.id, imageId: job.data.imageId, outcome, duration_ms: Math.round(seconds * 1000) },
      "job done",
    );
  });
  worker.on("failed", (job, error) => {
    if (!job) return;
    const final =
      error instanceof UnrecoverableError ||
      error.name === "UnrecoverableError" ||
      job.attemptsMade >= (job.opts.attempts ?? 1);
    const seconds = elapsedSeconds(job);
    deps.onJobDone?.(final ? "failed" : "retry", seconds);
    logger.warn(
      {
        jobId: job.id,
        imageId: job.data?.imageId,
        attempt: job.attemptsMade,
        final,
        err: error,
        duration_ms: Math.round(seconds * 1000),
      },
      final ? "job failed" : "job failed; will retry",
    );
    if (final && !(error instanceof UnrecoverableError) && error.name !== "UnrecoverableError") {
      // Out of attempts on transient errors: show `failed`, keep the original so a retry can still work.
      const parsed = profileImageJobSchema.safeParse(job.data);
      if (parsed.success) {
        markFailed(deps.db, parsed.data, `gave up after ${job.attemptsMade} attempts: ${error.message}`, {
          originalKept: true,
        }).catch((e: unknown) => logger.error({ err: e }, "could not record a failed image"));
      }
    }
  });
  worker.on("error", (error) => logger.warn({ err: error }, "worker error"));

  return {
    worker,
    isHealthy: () => worker.isRunning() && !worker.closing && connection.status === "ready",
    async close() {
      // A job's end is recorded through Redis: while Redis is unreachable there is
      // nothing to wait for, and BullMQ's graceful close would wait for ever. The
      // jobs cut short stall and are picked up again by another worker.
      await worker.close(connection.status !== "ready");
      connection.disconnect();
    },
  };
}

function elapsedSeconds(job: Job): number {
  const start = job.processedOn ?? job.timestamp;
  return Math.max(0, ((job.finishedOn ?? Date.now()) - start) / 1000);
}
