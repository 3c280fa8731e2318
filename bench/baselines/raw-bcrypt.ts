// Baseline of scenario 2: bcrypt hashes per second on the same cores, async
// (libuv's thread pool, as the API calls it) with as many hashes in flight as
// the load generator has connections.
import bcrypt from "bcrypt";
import { summarize, type LatencySummary } from "../lib/bodies";
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
  async function drive(durationS: number, latencies?: number[]): Promise<number> {
    const end = performance.now() + durationS * 1000;
    let done = 0;
    await Promise.all(
      Array.from({ length: input.concurrency }, async () => {
        while (performance.now() < end) {
          const started = performance.now();
          await bcrypt.hash(input.password, input.cost);
          latencies?.push(performance.now() - started);
          done++;
        }
      }),
    );
    return done;
  }
  await drive(input.warmupS);
  const latencies: number[] = [];
  const started = performance.now();
  const done = await drive(input.durationS, latencies);
  const durationS = (performance.now() - started) / 1000;
  return {
    ...summarize(latencies),
    durationS,
    hashesPerSecond: done / durationS,
    threadPoolSize: process.env.UV_THREADPOOL_SIZE ?? "4 (default)",
  };
});
