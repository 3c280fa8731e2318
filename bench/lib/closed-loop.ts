// The load of the in-process baselines: `concurrency` loops, each running the
// operation again as soon as it finishes, for a warm-up and then a measured
// duration. The same shape as autocannon's connections against the API.
import { summarize, type LatencySummary } from "./bodies";

export async function closedLoop(
  options: { concurrency: number; warmupS: number; durationS: number },
  operation: () => Promise<unknown>,
): Promise<LatencySummary & { durationS: number; perSecond: number }> {
  async function drive(durationS: number, latencies?: number[]): Promise<number> {
    const end = performance.now() + durationS * 1000;
    let done = 0;
    await Promise.all(
      Array.from({ length: options.concurrency }, async () => {
        while (performance.now() < end) {
          const started = performance.now();
          await operation();
          latencies?.push(performance.now() - started);
          done++;
        }
      }),
    );
    return done;
  }
  await drive(options.warmupS);
  const latencies: number[] = [];
  const started = performance.now();
  const done = await drive(options.durationS, latencies);
  const durationS = (performance.now() - started) / 1000;
  return { ...summarize(latencies), durationS, perSecond: done / durationS };
}
