// startWorker: the worker process's parts (database, storage, BullMQ worker,
// the pending-image sweep) wired from configuration, with one stop().
import type { Config } from "@svc/config";
import { createDb } from "@svc/db";
import { configureSharp } from "@svc/images";
import { createProfileImageProducer } from "@svc/queue";
import { createObjectStore } from "@svc/storage";
import type { Logger } from "@svc/telemetry";
import { sweepPendingImages } from "@svc/users";
import { createWorker } from "./worker";

export interface RunningWorker {
  stop(): Promise<void>;
}

export async function startWorker(config: Config, logger: Logger, s3Endpoint: string): Promise<RunningWorker> {
  // libvips threads per image; jobs run `concurrency` at a time on top of that.
  configureSharp({ concurrency: 1 });
  const db = createDb({ ...config.database, poolSize: Math.min(config.database.poolSize, config.worker.concurrency + 2) });
  const storage = createObjectStore({ ...config.storage, endpoint: s3Endpoint });
  await storage.ensureBuckets();
  const worker = createWorker({
    db,
    storage,
    logger,
    avatar: { ...config.images.output, maxPixels: config.images.maxPixels },
    redisUrl: config.redis.url,
    prefix: config.redis.queuePrefix,
    concurrency: config.worker.concurrency,
  });

  // The sweep enqueues images whose enqueue failed (Redis down at create time).
  const producer = createProfileImageProducer({
    redisUrl: config.redis.url,
    prefix: config.redis.queuePrefix,
    attempts: config.worker.attempts,
    backoffMs: config.worker.backoffMs,
  });
  const sweep = setInterval(() => {
    sweepPendingImages({ db, queue: producer, log: logger }, config.worker.sweepGraceMs)
      .then((n) => n > 0 && logger.info({ enqueued: n }, "sweep enqueued pending images"))
      .catch((error: unknown) => logger.warn({ err: error }, "sweep failed; will try again"));
  }, config.worker.sweepIntervalMs);
  sweep.unref();

  logger.info({ concurrency: config.worker.concurrency }, "worker started");
  return {
    async stop() {
      clearInterval(sweep);
      await worker.close();
      await producer.close().catch(() => undefined);
      await db.$disconnect();
      logger.info("worker stopped");
    },
  };
}
