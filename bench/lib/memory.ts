// Resident memory of a process from /proc: VmRSS sampled on a timer, and the
// kernel's own high-water mark (VmHWM), which is reset before a measurement.
import { readFileSync, writeFileSync } from "node:fs";

function statusField(pid: number, field: "VmRSS" | "VmHWM"): number | undefined {
  try {
    const match = readFileSync(`/proc/${pid}/status`, "utf8").match(new RegExp(`^${field}:\\s+(\\d+) kB`, "m"));
    return match?.[1] ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export const rssBytes = (pid: number) => statusField(pid, "VmRSS");

export interface PeakRss {
  /** Highest of the sampled VmRSS and the kernel's VmHWM since the reset. */
  peakBytes: number;
  sampledPeakBytes: number;
  hwmBytes: number | undefined;
  startBytes: number;
  samples: number;
  hwmReset: boolean;
}

/** Starts watching `pid`; `stop()` returns the peak since the start. */
export function watchPeakRss(pid: number, everyMs = 20): { stop(): PeakRss } {
  let hwmReset = false;
  try {
    // "5" resets the peak RSS counter (Linux 4.0+), so VmHWM covers this measurement only.
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
    hwmReset = true;
  } catch {
    // not permitted: rely on sampling alone
  }
  const startBytes = rssBytes(pid) ?? 0;
  let sampledPeakBytes = startBytes;
  let samples = 0;
  const timer = setInterval(() => {
    const rss = rssBytes(pid);
    samples++;
    if (rss !== undefined && rss > sampledPeakBytes) sampledPeakBytes = rss;
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      const hwmBytes = hwmReset ? statusField(pid, "VmHWM") : undefined;
      return {
        peakBytes: Math.max(sampledPeakBytes, hwmBytes ?? 0),
        sampledPeakBytes,
        hwmBytes,
        startBytes,
        samples,
        hwmReset,
      };
    },
  };
}
