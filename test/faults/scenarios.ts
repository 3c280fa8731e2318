// The six fault scenarios of issue 7. Each starts the real API and worker as
// processes of their own, drives load, breaks one thing, and ends by checking
// the invariants in the database and the buckets.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { ENV_VARIABLES, type Config } from "@svc/config";
import type { Db } from "@svc/db";
import { createProfileImageProducer } from "@svc/queue";
import { createObjectStore, type ObjectStore } from "@svc/storage";
import { createDeployment } from "@svc/users";
import { checkDeployment, imageCounts, readyRate, waitForImages, type CheckResult } from "./checks";
import { answers, freePort, killChild, sleep, spawnChild, stopChild, waitFor, type Child } from "./children";
import { countByStatus, drive, formatCounts, percentile, unexpectedSamples, type Outcome } from "./load";
import type { Postgres, Redis, S3Server } from "./services";

export interface Suite {
  repo: string;
  logDir: string;
  pg: Postgres;
  redis: Redis;
  s3: S3Server;
  db: Db;
  config: Config;
  /** Half-written s3rver objects removed before listings (see S3Server.repair). */
  halfWritten: number;
}

export interface ScenarioResult {
  name: string;
  summary: string;
  failures: string[];
}

/**
 * What a scenario started, on a queue prefix and a pair of buckets of its own
 * (one deployment per bucket, so a listing is that deployment's objects and no
 * more than one page); stopped when the scenario ends, pass or fail.
 */
export class Processes {
  readonly children: Child[] = [];
  readonly prefix: string;
  readonly store: ObjectStore;
  private readonly buckets: { publicBucket: string; stagingBucket: string };
  private bucketsMade?: Promise<void>;

  constructor(
    private readonly suite: Suite,
    tag: string,
  ) {
    const id = `${tag}-${randomBytes(3).toString("hex")}`;
    this.prefix = `{faults-${id}}`;
    this.buckets = { publicBucket: `faults-${id}-public`, stagingBucket: `faults-${id}-staging` };
    const bucket = createObjectStore({ ...suite.config.storage, ...this.buckets, endpoint: suite.s3.endpoint });
    // The checks list once the work is done: first drop what s3rver (not S3) would show half-written.
    const repaired = <T>(list: () => Promise<T>) => {
      suite.halfWritten += suite.s3.repair();
      return list();
    };
    this.store = {
      ...bucket,
      listPublicKeys: (prefix) => repaired(() => bucket.listPublicKeys(prefix)),
      listStagedKeys: (prefix) => repaired(() => bucket.listStagedKeys(prefix)),
    };
  }

  /** The API only stages into buckets that exist; the worker makes them too, but may start later. */
  private ensureBuckets() {
    this.bucketsMade ??= this.store.ensureBuckets();
    return this.bucketsMade;
  }

  private env(extra: Record<string, string>): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env };
    // Nothing from the caller's shell leaks into the services' configuration.
    for (const name of ENV_VARIABLES) delete env[name];
    return {
      ...env,
      NODE_ENV: "production",
      HOST: "127.0.0.1",
      DATABASE_URL: this.suite.pg.url,
      DATABASE_POOL_SIZE: "10",
      REDIS_URL: this.suite.redis.url,
      QUEUE_PREFIX: this.prefix,
      S3_ENDPOINT: this.suite.s3.endpoint,
      S3_PUBLIC_BUCKET: this.buckets.publicBucket,
      S3_STAGING_BUCKET: this.buckets.stagingBucket,
      S3_PUBLIC_BASE_URL: `${this.suite.s3.endpoint}/${this.buckets.publicBucket}`,
      RATE_LIMIT_ENABLED: "false",
      BCRYPT_COST: "4",
      LOG_LEVEL: "warn",
      SWEEP_INTERVAL_SECONDS: "2",
      SWEEP_GRACE_SECONDS: "2",
      JOB_BACKOFF_MS: "200",
      // 200 ms doubling (jitter halves at most): 12 attempts outlast a 10 s outage many times over.
      JOB_ATTEMPTS: "12",
      WORKER_CONCURRENCY: "2",
      // A SIGKILLed worker's jobs run again once their lock runs out (BullMQ's 30 s unless
      // the worker takes WORKER_LOCK_SECONDS; see docs/reliability.md).
      WORKER_LOCK_SECONDS: "5",
      ...extra,
    };
  }

  async api(name: string): Promise<{ url: string; child: Child }> {
    await this.ensureBuckets();
    const port = await freePort();
    const child = spawnChild(name, process.execPath, ["--import", "tsx", "apps/api/src/main.ts"], {
      cwd: this.suite.repo,
      env: this.env({ PORT: String(port), WORKER_PORT: String(await freePort()) }),
      logDir: this.suite.logDir,
    });
    this.children.push(child);
    const url = `http://127.0.0.1:${port}`;
    await waitFor(`${name} to answer /healthz`, async () => child.alive() && (await answers(`${url}/healthz`, 200)), 60_000);
    return { url, child };
  }

  /** Starts a worker and waits until its /healthz says it is on Redis and taking jobs. */
  async worker(name: string): Promise<Child> {
    await this.ensureBuckets();
    const port = await freePort();
    const child = spawnChild(name, process.execPath, ["--import", "tsx", "apps/worker/src/main.ts"], {
      cwd: this.suite.repo,
      env: this.env({ PORT: String(await freePort()), WORKER_PORT: String(port) }),
      logDir: this.suite.logDir,
    });
    this.children.push(child);
    await waitFor(`${name} to answer /healthz`, async () => child.alive() && (await answers(`http://127.0.0.1:${port}/healthz`, 200)), 60_000);
    return child;
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.children.map((c) => stopChild(c, 20_000)));
  }
}

async function newDeployment(suite: Suite, tag: string) {
  const { deployment, secretKey } = await createDeployment(suite.db, `faults-${tag}`);
  return { deploymentId: deployment.id, key: secretKey };
}

const created = (outcomes: Outcome[]) => outcomes.filter((o) => o.status === 201).map((o) => o.userId as string);

/**
 * Waits for every image of the deployment to leave `pending`, then checks the
 * scenario's invariants; failures of either land in `failures`. `settledAt`
 * is when the images were done, for recovery times.
 */
async function settleAndCheck(
  suite: Suite,
  procs: Processes,
  deploymentId: string,
  createdIds: string[],
  failures: string[],
  options: { timeoutMs?: number; allowInDoubt?: boolean } = {},
) {
  const wait = await waitForImages(suite.db, deploymentId, options.timeoutMs ?? 120_000);
  if (wait.timedOut) failures.push(`images still pending after ${seconds(wait.ms)}: ${wait.counts.pending}`);
  const settledAt = Date.now();
  const check = await checkDeployment(suite.db, procs.store, deploymentId, {
    created: createdIds,
    withImages: true,
    ...(options.allowInDoubt ? { allowInDoubt: true } : {}),
  });
  failures.push(...check.failures);
  return { wait, check, settledAt };
}
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Lines of a child's log that hold `text` (pino JSON lines: the `msg`). */
function logCount(child: Child, text: string): number {
  try {
    return readFileSync(child.log, "utf8")
      .split("\n")
      .filter((l) => l.includes(text)).length;
  } catch {
    return 0;
  }
}

function expectOnly(outcomes: Outcome[], allowed: (number | string)[], failures: string[]) {
  const wrong = outcomes.filter((o) => !allowed.includes(o.status));
  if (wrong.length) {
    failures.push(`${wrong.length} answers other than ${allowed.join("/")}: ${unexpectedSamples(outcomes, allowed as Outcome["status"][]).join(" | ")}`);
  }
}

function checkLine(check: CheckResult, total: number) {
  return `users ${check.users} whole, images ready ${check.ready}/${total}, avatar objects ${check.objects}, staged left ${check.staged}`;
}

/** 1. 500 creates with images at 16 concurrent. */
export async function scenarioLoad(suite: Suite, procs: Processes): Promise<ScenarioResult> {
  const failures: string[] = [];
  const { deploymentId, key } = await newDeployment(suite, "s1");
  const api = await procs.api("s1-api");
  await procs.worker("s1-worker");
  const t0 = Date.now();
  const outcomes = await drive({ targets: [api.url], key, concurrency: 16, total: 500, withImages: true, timeoutMs: 30_000, tag: "s1" });
  const loadMs = Date.now() - t0;
  expectOnly(outcomes, [201], failures);
  const { wait, check } = await settleAndCheck(suite, procs, deploymentId, created(outcomes), failures);
  const p95 = percentile(outcomes.map((o) => o.ms), 95);
  return {
    name: "S1 load",
    failures,
    summary:
      `500 creates with images at 16 concurrent: ${formatCounts(countByStatus(outcomes))} in ${seconds(loadMs)} ` +
      `(${((outcomes.length * 1000) / loadMs).toFixed(0)}/s, p95 ${p95} ms); last image ready ${seconds(wait.ms)} after; ${checkLine(check, 500)}`,
  };
}

/**
 * Creates with images at 25/s from 8 connections while a dependency is taken
 * down for `downMs` and brought back; what the load saw, and when.
 */
async function loadThroughOutage(
  suite: Suite,
  procs: Processes,
  tag: string,
  deployment: { key: string },
  outage: {
    timeoutMs: number;
    leadMs: number;
    downMs: number;
    tailMs: number;
    takeDown(): Promise<unknown>;
    bringUp(): Promise<unknown>;
  },
) {
  const api = await procs.api(`${tag}-api`);
  await procs.worker(`${tag}-worker`);
  let stop = false;
  const load = drive({
    targets: [api.url],
    key: deployment.key,
    concurrency: 8,
    perSecond: 25,
    until: () => stop,
    withImages: true,
    timeoutMs: outage.timeoutMs,
    tag,
  });
  await sleep(outage.leadMs);
  const down = Date.now();
  await outage.takeDown();
  await sleep(outage.downMs);
  await outage.bringUp();
  const up = Date.now();
  await sleep(outage.tailMs);
  stop = true;
  return { api, outcomes: await load, down, up };
}

/** 2. Redis killed (no persistence: every job in it is lost) for 10 s in the middle of the load. */
export async function scenarioRedisOutage(suite: Suite, procs: Processes): Promise<ScenarioResult> {
  const failures: string[] = [];
  const deployment = await newDeployment(suite, "s2");
  const { deploymentId } = deployment;
  let pendingAtRestart = 0;
  const { outcomes, down, up } = await loadThroughOutage(suite, procs, "s2", deployment, {
    timeoutMs: 15_000,
    leadMs: 4_000,
    downMs: 10_000,
    tailMs: 4_000,
    takeDown: () => suite.redis.crash(),
    bringUp: async () => {
      await suite.redis.start();
      pendingAtRestart = (await imageCounts(suite.db, deploymentId)).pending;
    },
  });
  expectOnly(outcomes, [201], failures);
  const during = outcomes.filter((o) => o.at >= down && o.at < up);
  if (during.length === 0) failures.push("no request was sent while Redis was down");
  const { check, settledAt } = await settleAndCheck(suite, procs, deploymentId, created(outcomes), failures);
  const recoveredAfter = settledAt - up;
  return {
    name: "S2 Redis down",
    failures,
    summary:
      `Redis killed for ${seconds(up - down)} mid-load: ${outcomes.length} creates ${formatCounts(countByStatus(outcomes))}, ` +
      `${during.length} of them while Redis was down (${formatCounts(countByStatus(during))}, p99 ${percentile(during.map((o) => o.ms), 99)} ms); ` +
      `${pendingAtRestart} images pending when Redis came back empty, all done ${seconds(recoveredAfter)} after it; ` +
      `${checkLine(check, outcomes.length)}`,
  };
}

/** 3. Object storage stopped for 10 s while the worker processes a staged backlog. */
export async function scenarioStorageOutage(suite: Suite, procs: Processes): Promise<ScenarioResult> {
  const failures: string[] = [];
  const total = 300;
  const { deploymentId, key } = await newDeployment(suite, "s3");
  const api = await procs.api("s3-api");
  // The API stages first: a backlog of originals in storage, queued, no worker yet.
  const staged = await drive({ targets: [api.url], key, concurrency: 16, total, withImages: true, timeoutMs: 30_000, tag: "s3" });
  expectOnly(staged, [201], failures);
  const worker = await procs.worker("s3-worker");
  await waitFor("a fifth of the backlog to be ready", async () => (await imageCounts(suite.db, deploymentId)).ready >= total / 5, 60_000, 20);
  const readyAtStop = (await imageCounts(suite.db, deploymentId)).ready;
  const down = Date.now();
  await suite.s3.crash();
  // Meanwhile a create with an image cannot stage its original: 503, and nothing is created.
  const refused = await drive({ targets: [api.url], key, concurrency: 2, total: 10, withImages: true, timeoutMs: 20_000, tag: "s3-down" });
  expectOnly(refused, [503], failures);
  await sleep(Math.max(0, down + 10_000 - Date.now()));
  await suite.s3.start();
  const up = Date.now();
  const { check, settledAt } = await settleAndCheck(suite, procs, deploymentId, created(staged), failures);
  const recoveredAfter = settledAt - up;
  const retries = logCount(worker, "will retry");
  if (retries === 0) failures.push("the worker logged no retry: storage was not down while it worked");
  return {
    name: "S3 storage down",
    failures,
    summary:
      `S3 server killed for ${seconds(up - down)} with ${readyAtStop}/${total} staged images processed: ` +
      `${refused.length} creates during the outage ${formatCounts(countByStatus(refused))} (nothing created); ` +
      `worker retried ${retries} times; all done ${seconds(recoveredAfter)} after storage returned; ${checkLine(check, total)}`,
  };
}

/** 4. A worker SIGKILLed mid-batch and another started: stalled jobs are picked up, none done twice into two objects. */
export async function scenarioWorkerKilled(suite: Suite, procs: Processes): Promise<ScenarioResult> {
  const failures: string[] = [];
  const total = 200;
  const { deploymentId, key } = await newDeployment(suite, "s4");
  const api = await procs.api("s4-api");
  const staged = await drive({ targets: [api.url], key, concurrency: 16, total, withImages: true, timeoutMs: 30_000, tag: "s4" });
  expectOnly(staged, [201], failures);
  const queue = createProfileImageProducer({ redisUrl: suite.redis.url, prefix: procs.prefix, attempts: 12, backoffMs: 200 });
  let abandoned: number;
  let readyAtKill: number;
  let killedAt: number;
  try {
    const first = await procs.worker("s4-worker-1");
    // Mid-batch: a fifth done, and a job in the worker's hands at the moment of the kill.
    await waitFor(
      "a fifth of the batch ready and a job active",
      async () => (await imageCounts(suite.db, deploymentId)).ready >= total / 5 && (await queue.countsByState()).active > 0,
      60_000,
      5,
    );
    killedAt = Date.now();
    await killChild(first);
    readyAtKill = (await imageCounts(suite.db, deploymentId)).ready;
    // Jobs still `active` with nobody working on them: they come back only once their lock runs out.
    abandoned = (await queue.countsByState()).active;
  } finally {
    await queue.close();
  }
  await procs.worker("s4-worker-2");
  const { check, settledAt } = await settleAndCheck(suite, procs, deploymentId, created(staged), failures, {
    timeoutMs: 180_000,
  });
  const recoveredAfter = settledAt - killedAt;
  return {
    name: "S4 worker SIGKILL",
    failures,
    summary:
      `worker SIGKILLed with ${readyAtKill}/${total} ready and ${abandoned} job(s) in its hands, a new one started: ` +
      `all ${total} ready ${seconds(recoveredAfter)} after the kill (an abandoned job waits for its lock to run out); ${checkLine(check, total)}`,
  };
}

/** 5. PostgreSQL stopped (fast: sessions cut, transactions rolled back) for 5 s under load, then started again. */
export async function scenarioDatabaseRestart(suite: Suite, procs: Processes): Promise<ScenarioResult> {
  const failures: string[] = [];
  const deployment = await newDeployment(suite, "s5");
  const { deploymentId } = deployment;
  const { outcomes, down, up, api } = await loadThroughOutage(suite, procs, "s5", deployment, {
    timeoutMs: 10_000,
    leadMs: 3_000,
    downMs: 5_000,
    tailMs: 8_000,
    takeDown: () => suite.pg.stop(),
    bringUp: () => suite.pg.start(),
  });
  expectOnly(outcomes, [201, 503], failures);
  const refused = outcomes.filter((o) => o.status === 503).length;
  if (refused === 0) failures.push("no request saw the outage (no 503)");
  // Recovered by itself: whatever was sent from 3 s after the restart on was served.
  const settled = outcomes.filter((o) => o.at >= up + 3_000);
  if (settled.length === 0 || settled.some((o) => o.status !== 201)) {
    failures.push(`not recovered 3 s after the restart: ${formatCounts(countByStatus(settled))}`);
  }
  const firstOk = outcomes.filter((o) => o.status === 201 && o.at >= up).sort((a, b) => a.at - b.at)[0];
  const ready = await answers(`${api.url}/readyz`, 200).catch(() => false);
  if (!ready) failures.push("/readyz is not 200 after the restart");
  const { check } = await settleAndCheck(suite, procs, deploymentId, created(outcomes), failures, { allowInDoubt: true });
  const slowest = Math.max(...outcomes.map((o) => o.ms));
  return {
    name: "S5 PostgreSQL restart",
    failures,
    summary:
      `PostgreSQL down ${seconds(up - down)} (pg_ctl stop -m fast; start) under load: ${outcomes.length} creates ${formatCounts(countByStatus(outcomes))}, ` +
      `slowest answer ${slowest} ms (client bound 10 s); first 201 ${firstOk ? seconds(firstOk.at - up) : "never"} after the restart; ` +
      `partial users 0 of ${check.users}, in doubt (committed, client saw an error) ${check.inDoubt}; ${checkLine(check, check.users)}`,
  };
}

/** 6. Two APIs and three workers; worker throughput with two workers against one. */
export async function scenarioScaleOut(suite: Suite, newProcesses: (tag: string) => Processes): Promise<ScenarioResult> {
  const failures: string[] = [];
  const rates: number[] = [];
  const batch = 300;
  for (const workers of [1, 2]) {
    const procs = newProcesses(`s6-${workers}w`);
    try {
      const { deploymentId, key } = await newDeployment(suite, `s6-${workers}w`);
      const producer = createProfileImageProducer({ redisUrl: suite.redis.url, prefix: procs.prefix, attempts: 12, backoffMs: 200 });
      try {
        // A paused queue fills up; every worker is ready before the clock starts.
        await producer.queue.pause();
        const api = await procs.api(`s6-${workers}w-api`);
        for (let i = 1; i <= workers; i++) await procs.worker(`s6-${workers}w-worker-${i}`);
        const outcomes = await drive({ targets: [api.url], key, concurrency: 16, total: batch, withImages: true, timeoutMs: 30_000, tag: `s6-${workers}w` });
        expectOnly(outcomes, [201], failures);
        const started = Date.now();
        await producer.queue.resume();
        const wait = await waitForImages(suite.db, deploymentId, 120_000);
        if (wait.timedOut) failures.push(`${workers} worker(s): images still pending after ${seconds(wait.ms)}`);
        const measured = await readyRate(suite.db, deploymentId);
        rates.push(measured.count > 1 ? measured.perSecond : batch / ((Date.now() - started) / 1000));
        const check = await checkDeployment(suite.db, procs.store, deploymentId, { created: created(outcomes), withImages: true });
        failures.push(...check.failures.map((f) => `${workers} worker(s): ${f}`));
      } finally {
        await producer.close();
      }
    } finally {
      await procs.stopAll();
    }
  }

  const procs = newProcesses("s6");
  try {
    const { deploymentId, key } = await newDeployment(suite, "s6");
    const apis = [await procs.api("s6-api-1"), await procs.api("s6-api-2")];
    for (let i = 1; i <= 3; i++) await procs.worker(`s6-worker-${i}`);
    const t0 = Date.now();
    const outcomes = await drive({ targets: apis.map((a) => a.url), key, concurrency: 16, total: 500, withImages: true, timeoutMs: 30_000, tag: "s6" });
    const loadMs = Date.now() - t0;
    expectOnly(outcomes, [201], failures);
    const { check } = await settleAndCheck(suite, procs, deploymentId, created(outcomes), failures);
    const [one = 0, two = 0] = rates;
    return {
      name: "S6 2 APIs + 3 workers",
      failures,
      summary:
        `2 APIs + 3 workers, 500 creates at 16 concurrent: ${formatCounts(countByStatus(outcomes))} in ${seconds(loadMs)}; ${checkLine(check, 500)}; ` +
        `worker throughput on a pre-filled queue of ${batch}: 1 worker ${one.toFixed(1)} images/s, 2 workers ${two.toFixed(1)} images/s (×${(two / one).toFixed(2)})`,
    };
  } finally {
    await procs.stopAll();
  }
}

export function processesFor(suite: Suite, tag: string) {
  return new Processes(suite, tag);
}
