// Builds the API's real dependencies from the configuration, once per
// process, and closes them in order on shutdown.
import type { Config } from "@svc/config";
import { createDb } from "@svc/db";
import { createProfileImageProducer, createRedisConnection, PROFILE_IMAGE_QUEUE } from "@svc/queue";
import { createObjectStore } from "@svc/storage";
import { createApiMetrics, type Logger } from "@svc/telemetry";
import { createPasswordHasher } from "@svc/users";
import { createRateLimiter } from "./http/rate-limit";
import type { ApiDeps } from "./server";

export interface ApiContext extends ApiDeps {
  close(): Promise<void>;
}

/** `endpoint` is the S3 endpoint in use (the configured one or the embedded server's). */
export function createApiContext(config: Config, logger: Logger, endpoint: string): ApiContext {
  const db = createDb(config.database);
  const storage = createObjectStore({ ...config.storage, endpoint });
  const producer = createProfileImageProducer({
    redisUrl: config.redis.url,
    prefix: config.redis.queuePrefix,
    attempts: config.worker.attempts,
    backoffMs: config.worker.backoffMs,
  });
  const redis = createRedisConnection(config.redis.url, "other");
  return {
    db,
    storage,
    queue: producer,
    producer,
    log: logger,
    logger,
    hashPassword: createPasswordHasher({
      cost: config.passwords.bcryptCost,
      concurrency: config.passwords.hashConcurrency,
    }),
    uploadConcurrency: config.images.uploadConcurrency,
    maxImageBytes: config.images.maxBytes,
    maxImagePixels: config.images.maxPixels,
    idempotencyTtlMs: config.idempotency.ttlMs,
    rateLimiter: config.rateLimit.enabled
      ? createRateLimiter({
          redis,
          prefix: config.redis.queuePrefix,
          max: config.rateLimit.max,
          windowSeconds: config.rateLimit.windowSeconds,
        })
      : undefined,
    metrics: createApiMetrics({
      queue: { name: PROFILE_IMAGE_QUEUE, countsByState: () => producer.countsByState() },
    }),
    admin: config.admin,
    metricsToken: config.metrics.token,
    readiness: {
      database: () => db.$queryRaw`SELECT 1`,
      redis: () => redis.ping(),
      storage: () => storage.ping(),
    },
    async close() {
      await producer.close().catch(() => undefined);
      redis.disconnect();
      await db.$disconnect();
    },
  };
}
