// The one place sharp's process-wide libvips settings are made; the rest of the
// package imports sharp from here so those settings always apply first.
import sharp from "sharp";

// Every upload is new bytes, so libvips' operation cache would only hold memory
// between jobs without ever producing a hit.
sharp.cache(false);

export interface SharpSettings {
  /**
   * libvips threads per image. sharp defaults to 1 on glibc Linux (to limit
   * malloc fragmentation) and 0 restores libvips' own default.
   */
  concurrency: number;
}

// Threads per image is a deployment decision (how many jobs run side by side on
// how many cores), so the worker sets it from config rather than this package.
export function configureSharp({ concurrency }: SharpSettings): void {
  sharp.concurrency(concurrency);
}

export { sharp };
