// startWorker: the worker process's parts (database, storage, BullMQ worker,
// the pending-image sweep, the health and metrics port) wired from
// configuration, with one stop().
import type { Config } from "@svc/config";
import { createDb } from "@svc/db";
import { configureSharp } from "@svc/images";
import { createProfileImageProducer, PROFILE_IMAGE_QUEUE } from "@svc/queue";
import { createObjectStore } from "@svc/storage";
import { createWorkerMetrics, type Logger } from "@svc/telemetry";
import { sweepPendingImages } from "@svc/users";
import { startWorkerOpsServer } from "./ops-server";
import { createWorker } from "./worker";

export interface RunningWorker {
  /** Base URL of the worker's `/healthz` and `/metrics` (WORKER_PORT). */
  opsUrl: string;
  stop(): Promise<void>;
}

export async function startWorker(
  config: Config,
  logger: Logger,
  s3Endpoint: string,
): Promise<RunningWorker> {
  // libvips threads per image; jobs run `concurrency` at a time on top of that.
  configureSharp({ concurrency: 1 });
  const db = createDb({
    ...config.database,
    poolSize: Math.min(config.database.poolSize, config.worker.concurrency + 2),
  });
  const storage = createObjectStore({ ...config.storage, endpoint: s3Endpoint });
  await storage.ensureBuckets();
  const metrics = createWorkerMetrics(PROFILE_IMAGE_QUEUE);
  const worker = createWorker({
    db,
    storage,
    logger,
    avatar: { ...config.images.output, maxPixels: config.images.maxPixels },
    redisUrl: config.redis.url,
    prefix: config.redis.queuePrefix,
    concurrency: config.worker.concurrency,
    lockMs: config.worker.lockMs,
    onJobDone: metrics.observeJob,
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

  const ops = await startWorkerOpsServer({
    host: config.http.host,
    port: config.worker.port,
    registry: metrics.registry,
    metricsToken: config.metrics.token,
    isHealthy: worker.isHealthy,
    logger,
  }).catch(async (error: unknown) => {
    // A taken port fails start-up; nothing started so far may be left running.
    clearInterval(sweep);
    await Promise.allSettled([worker.close(), producer.close(), db.$disconnect()]);
    throw error;
  });

  logger.info({ concurrency: config.worker.concurrency }, "worker started");
  return {
    opsUrl: ops.url,
    async stop() {
      clearInterval(sweep);
      // /healthz turns 503 as soon as closing starts; the port stays up while jobs drain.
      await worker.close();
      await producer.close().catch(() => undefined);
      await db.$disconnect();
      await ops.close();
      logger.info("worker stopped");
    },
  };
}
