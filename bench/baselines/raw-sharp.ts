// Baseline of scenario 4: the worker's transform (transformToAvatar) on the
// same files, with the worker's sharp settings and as many images at once as
// the worker's concurrency, and nothing else: no queue, storage or database.
import { readFileSync } from "node:fs";
import { configureSharp, transformToAvatar, type AvatarOptions } from "@svc/images";
import { summarize, type LatencySummary } from "../lib/bodies";
import { serveOnce } from "../lib/proc";

export interface RawSharpInput {
  files: string[];
  count: number;
  parallelism: number;
  avatar: AvatarOptions;
  /** libvips threads per image, as the worker sets it. */
  sharpConcurrency: number;
  warmup: number;
}

export interface RawSharpResult extends LatencySummary {
  durationS: number;
  imagesPerSecond: number;
}

serveOnce<RawSharpInput, RawSharpResult>(async (input) => {
  configureSharp({ concurrency: input.sharpConcurrency });
  const inputs = input.files.map((file) => readFileSync(file));
  async function drive(count: number, latencies?: number[]): Promise<void> {
    let next = 0;
    await Promise.all(
      Array.from({ length: input.parallelism }, async () => {
        while (next < count) {
          const i = next++;
          const started = performance.now();
          await transformToAvatar(inputs[i % inputs.length] as Buffer, input.avatar);
          latencies?.push(performance.now() - started);
        }
      }),
    );
  }
  await drive(input.warmup);
  const latencies: number[] = [];
  const started = performance.now();
  await drive(input.count, latencies);
  const durationS = (performance.now() - started) / 1000;
  return { ...summarize(latencies), durationS, imagesPerSecond: input.count / durationS };
});
