// The load generator, in a process of its own (never the API's): autocannon
// with a body made fresh for every request, so that each create is a new user.
import { readFileSync } from "node:fs";
import autocannon from "autocannon";
import { contentTypeOf, MULTIPART_TYPE, multipartBody, multipartFilePart, userFields } from "../lib/bodies";
import { serveOnce } from "../lib/proc";

export type BodySpec =
  | { kind: "json-user"; tag: string; password?: string }
  | { kind: "multipart-user"; tag: string; imagePath: string; password?: string }
  | { kind: "none" };

export interface LoadSpec {
  url: string;
  path: string;
  method: "POST" | "GET";
  headers: Record<string, string>;
  body: BodySpec;
  connections: number;
  durationS: number;
  /** A fixed number of requests instead of a duration. */
  amount?: number;
  /** A first, unreported run of this length warms up JIT, pools and caches. */
  warmupS: number;
  /** Requests per second over all connections (open-ish loop); unset: as fast as answers come. */
  overallRate?: number;
  /** First sequence number of this run's users (see SEQ_BLOCK). */
  seqStart: number;
  timeoutS?: number;
}

export interface LoadResult {
  durationS: number;
  /** 2xx answers during the unreported warm-up (for CPU-per-request accounting). */
  warmupOk: number;
  requests: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

function requestFactory(spec: LoadSpec) {
  let seq = spec.seqStart;
  const body = spec.body;
  if (body.kind === "json-user") {
    return () => ({
      headers: { ...spec.headers, "content-type": "application/json" },
      body: JSON.stringify(userFields(seq++, body)),
    });
  }
  if (body.kind === "multipart-user") {
    const file = readFileSync(body.imagePath);
    const filePart = multipartFilePart("profile_image", body.imagePath.split("/").pop() ?? "image", contentTypeOf(body.imagePath), file);
    return () => ({
      headers: { ...spec.headers, "content-type": MULTIPART_TYPE },
      body: multipartBody(userFields(seq++, body), filePart),
    });
  }
  return () => ({ headers: spec.headers, body: undefined });
}

async function cannon(spec: LoadSpec, length: { durationS: number; amount?: number }, next: ReturnType<typeof requestFactory>) {
  return autocannon({
    url: spec.url,
    connections: spec.connections,
    ...(length.amount ? { amount: length.amount } : { duration: length.durationS }),
    timeout: spec.timeoutS ?? 30,
    overallRate: spec.overallRate,
    // With a fixed rate autocannon would otherwise add synthetic samples for
    // "missed" sends at a 1 ms interval, which is not what we want to report.
    ignoreCoordinatedOmission: spec.overallRate !== undefined,
    requests: [
      {
        method: spec.method,
        path: spec.path,
        setupRequest: (request) => {
          const { headers, body } = next();
          return { ...request, headers, body };
        },
      },
    ],
  });
}

serveOnce<LoadSpec, LoadResult>(async (spec) => {
  const next = requestFactory(spec);
  const warmupOk = spec.warmupS > 0 ? (await cannon(spec, { durationS: spec.warmupS }, next))["2xx"] : 0;
  const started = performance.now();
  const result = await cannon(spec, { durationS: spec.durationS, amount: spec.amount }, next);
  const durationS = (performance.now() - started) / 1000;
  const statusCodes: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = stat.count ?? 0;
  const ok = result["2xx"];
  return {
    durationS,
    warmupOk,
    requests: result.requests.total,
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
    rps: ok / durationS,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
    mean: result.latency.mean,
  };
});
