// Prometheus metrics (prom-client) for the API and the worker. Each app gets a
// registry of its own rather than prom-client's global one, so a test can build
// several apps in one process and `npm start` can run API and worker side by side.
import { timingSafeEqual, createHash } from "node:crypto";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

export type { Registry };

/** Request latencies from a health probe (ms) to a `Prefer: wait=30` create (30 s). */
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** A 512 px avatar takes tens of ms; a 40 MP PNG or a slow store takes seconds. */
const JOB_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

export const USER_CREATION_OUTCOMES = ["created", "replayed", "invalid", "conflict", "error"] as const;
export type UserCreationOutcome = (typeof USER_CREATION_OUTCOMES)[number];

function newRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

export interface ApiMetrics {
  registry: Registry;
  observeRequest(labels: { method: string; route: string; status: number }, seconds: number): void;
  countUserCreation(outcome: UserCreationOutcome): void;
}

export const QUEUE_STATES = [
  "waiting",
  "active",
  "delayed",
  "failed",
  "completed",
  "paused",
  "prioritized",
] as const;
export type QueueState = (typeof QUEUE_STATES)[number];

export interface ApiMetricsOptions {
  /** The queue whose depth is reported, and how to count its jobs by state. */
  queue: { name: string; countsByState(): Promise<Record<QueueState, number>> };
}

export function createApiMetrics(options: ApiMetricsOptions): ApiMetrics {
  const registry = newRegistry();
  const httpDuration = new Histogram({
    name: "http_request_duration_seconds",
    help: "HTTP request duration by method, route pattern and status code.",
    labelNames: ["method", "route", "status"] as const,
    buckets: HTTP_BUCKETS,
    registers: [registry],
  });
  const userCreations = new Counter({
    name: "user_creations_total",
    help: "POST /users requests by outcome: created, replayed (Idempotency-Key), invalid (4xx input), conflict (409), error (5xx).",
    labelNames: ["outcome"] as const,
    registers: [registry],
  });
  // Every outcome is exported from the start, so a rate() over it has a zero to start from.
  for (const outcome of USER_CREATION_OUTCOMES) userCreations.inc({ outcome }, 0);

  const { queue } = options;
  new Gauge({
    name: "queue_jobs",
    help: "Jobs in the queue by state, read from Redis at scrape time; absent while Redis is unreachable.",
    labelNames: ["queue", "state"] as const,
    registers: [registry],
    async collect() {
      this.reset();
      let counts: Record<QueueState, number>;
      try {
        counts = await queue.countsByState();
      } catch {
        // Redis down: no numbers rather than stale ones; the scrape itself still succeeds.
        return;
      }
      for (const state of QUEUE_STATES) this.set({ queue: queue.name, state }, counts[state]);
    },
  });

  return {
    registry,
    observeRequest: ({ method, route, status }, seconds) =>
      httpDuration.observe({ method, route, status: String(status) }, seconds),
    countUserCreation: (outcome) => userCreations.inc({ outcome }),
  };
}

export interface WorkerMetrics {
  registry: Registry;
  /** The worker's `onJobDone` hook: one finished attempt, its outcome and how long it ran. */
  observeJob(outcome: string, seconds: number): void;
}

export function createWorkerMetrics(queueName: string): WorkerMetrics {
  const registry = newRegistry();
  // One histogram for durations and outcomes: its `_count` by outcome is the outcome counter.
  const jobDuration = new Histogram({
    name: "queue_job_duration_seconds",
    help: "Duration of each job attempt by outcome (ready, superseded, already_done, retry, failed); _count counts outcomes.",
    labelNames: ["queue", "outcome"] as const,
    buckets: JOB_BUCKETS,
    registers: [registry],
  });
  return {
    registry,
    observeJob: (outcome, seconds) => jobDuration.observe({ queue: queueName, outcome }, seconds),
  };
}

/**
 * Checks `Authorization: Bearer <token>` against the configured metrics token
 * in constant time. No token configured means metrics are open.
 */
export function metricsAccessAllowed(authorization: string | undefined, token: string | undefined): boolean {
  if (token === undefined) return true;
  const given = authorization?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
  return given !== undefined && safeEqual(given, token);
}

/** Equal strings, compared without leaking where they differ or how long the secret is. */
export function safeEqual(given: string, expected: string): boolean {
  const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();
  return timingSafeEqual(digest(given), digest(expected));
}
