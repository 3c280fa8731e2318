// The per-key rate limit, counted in Redis so every API replica shares it.
// When Redis is unreachable it falls back to a per-process count instead of
// refusing traffic: creating users must not depend on the queue's Redis.
import type { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import type { RateLimiter } from "./auth";

export function createRateLimiter(options: {
  redis: Redis;
  prefix: string;
  max: number;
  windowSeconds: number;
}): RateLimiter {
  const shape = { points: options.max, duration: options.windowSeconds };
  const limiter = new RateLimiterRedis({
    ...shape,
    storeClient: options.redis,
    keyPrefix: `${options.prefix}:ratelimit`,
    insuranceLimiter: new RateLimiterMemory(shape),
  });
  return {
    async consume(keyId) {
      try {
        await limiter.consume(keyId);
        return undefined;
      } catch (result) {
        if (result instanceof RateLimiterRes) return Math.max(1, Math.ceil(result.msBeforeNext / 1000));
        throw result;
      }
    },
  };
}
