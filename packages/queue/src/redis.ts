// Redis connections for BullMQ, with the options each role needs: producers
// fail fast so HTTP requests never wait on Redis; consumers wait it out.
import { Redis, type RedisOptions } from "ioredis";

export type RedisRole = "producer" | "worker" | "events" | "other";

const CONNECT_TIMEOUT_MS = 5_000;
const PRODUCER_COMMAND_TIMEOUT_MS = 5_000;

/** Keep reconnecting for ever (Redis restarts must heal by themselves), backing off up to `capMs`. */
function reconnectWithBackoff(capMs: number): (times: number) => number {
  return (times) => Math.min(100 * 2 ** Math.min(times, 10), capMs);
}

function optionsFor(role: RedisRole): RedisOptions {
  switch (role) {
    case "worker":
    case "events":
      // BullMQ requires null for blocking connections: a blocking command must
      // wait through a reconnect instead of failing after N retries.
      return {
        maxRetriesPerRequest: null,
        connectTimeout: CONNECT_TIMEOUT_MS,
        retryStrategy: reconnectWithBackoff(10_000),
      };
    case "producer":
    case "other":
      // No offline queue: while disconnected a command fails at once instead of
      // waiting for a reconnect (BullMQ's "failing fast when Redis is down").
      return {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        connectTimeout: CONNECT_TIMEOUT_MS,
        commandTimeout: PRODUCER_COMMAND_TIMEOUT_MS,
        retryStrategy: reconnectWithBackoff(2_000),
      };
  }
}

/**
 * A connection to hand to BullMQ (`connection:`). Connection errors are also
 * reported to `onError` (ignored by default): without a listener ioredis prints
 * every failed reconnect, and callers learn of outages from the commands that fail.
 */
export function createRedisConnection(
  url: string,
  role: RedisRole,
  onError: (error: Error) => void = () => {},
): Redis {
  const redis = new Redis(url, optionsFor(role));
  redis.on("error", onError);
  return redis;
}
