// Baseline of scenario 2: bcrypt hashes per second on the same cores, async
// (libuv's thread pool, as the API calls it) with as many hashes in flight as
// the load generator has connections.
import bcrypt from "bcrypt";
import type { LatencySummary } from "../lib/bodies";
import { closedLoop } from "../lib/closed-loop";
import { serveOnce } from "../lib/proc";

export interface RawBcryptInput {
  cost: number;
  concurrency: number;
  durationS: number;
  warmupS: number;
  password: string;
}

export interface RawBcryptResult extends LatencySummary {
  durationS: number;
  hashesPerSecond: number;
  threadPoolSize: string;
}

serveOnce<RawBcryptInput, RawBcryptResult>(async (input) => {
  const { perSecond, ...result } = await closedLoop(input, () => bcrypt.hash(input.password, input.cost));
  return { ...result, hashesPerSecond: perSecond, threadPoolSize: process.env.UV_THREADPOOL_SIZE ?? "4 (default)" };
});
