// The system under test, started from nothing: a dedicated database (dropped
// and migrated), a dedicated queue prefix, an embedded S3 server in this
// process, and the real API and worker as processes of their own.
import { execFileSync } from "node:child_process";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { loadConfig, type Config } from "@svc/config";
import { createDb, migrate, type Db } from "@svc/db";
import { createProfileImageProducer, createRedisConnection, type ProfileImageProducer } from "@svc/queue";
import { createObjectStore, startEmbeddedS3, type EmbeddedS3, type ObjectStore } from "@svc/storage";
import { createDeployment } from "@svc/users";
import { freePort, ROOT, startService, waitFor, type Service } from "./proc";

export const BENCH_DATABASE = "users_service_bench";
export const BENCH_QUEUE_PREFIX = "{bench}";

/** Settings a caller may set to bench another configuration; passed through to the API and worker. */
const PASS_THROUGH = [
  "BCRYPT_COST",
  "DATABASE_POOL_SIZE",
  "WORKER_CONCURRENCY",
  "IMAGE_MAX_BYTES",
  "IMAGE_MAX_PIXELS",
  "IMAGE_OUTPUT_SIZE",
  "IMAGE_OUTPUT_FORMAT",
  "IMAGE_OUTPUT_QUALITY",
  "UV_THREADPOOL_SIZE",
  "PASSWORD_HASH_CONCURRENCY",
  "UPLOAD_CONCURRENCY",
] as const;

export interface Stack {
  config: Config;
  /** Environment of the API and worker processes. */
  env: NodeJS.ProcessEnv;
  /** The settings that differ from the defaults because the caller set them. */
  overrides: Record<string, string>;
  apiUrl: string;
  api: Service;
  worker: Service;
  deploymentId: string;
  auth: string;
  pool: pg.Pool;
  db: Db;
  store: ObjectStore;
  /** The same store with a patient timeout, for the bench's own staging of test images. */
  stagingStore: ObjectStore;
  s3: EmbeddedS3;
  producer: ProfileImageProducer;
  stop(): Promise<void>;
}

function benchDatabaseUrl(): string {
  const url = new URL(process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/users_service");
  url.pathname = `/${BENCH_DATABASE}`;
  return url.toString();
}

async function dropDatabase(url: string): Promise<void> {
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${BENCH_DATABASE}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

async function clearQueue(redisUrl: string): Promise<void> {
  // Everything under the bench's own prefix, and nothing else.
  const redis = createRedisConnection(redisUrl, "worker");
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${BENCH_QUEUE_PREFIX}:*`, "COUNT", 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}

export interface StackOptions {
  /** Write V8 CPU profiles of the API and the worker here (node --cpu-prof) when they stop. */
  profileDir?: string;
}

/**
 * One bench at a time on a machine: a second run would drop the first one's
 * database. The lock is a PostgreSQL advisory lock held by a session.
 */
async function lockBench(databaseUrl: string): Promise<pg.Client> {
  const admin = new URL(databaseUrl);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  const { rows } = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock(hashtext($1)) AS locked", [BENCH_DATABASE]);
  if (!rows[0]?.locked) {
    await client.end();
    throw new Error("another bench run holds the bench lock (it would lose its database); wait for it to finish");
  }
  return client;
}

export async function startStack(workDir: string, log: (line: string) => void, options: StackOptions = {}): Promise<Stack> {
  const databaseUrl = benchDatabaseUrl();
  const lock = await lockBench(databaseUrl);
  try {
    return await startLocked(workDir, log, options, databaseUrl, lock);
  } catch (error) {
    await lock.end().catch(() => undefined);
    throw error;
  }
}

async function startLocked(
  workDir: string,
  log: (line: string) => void,
  options: StackOptions,
  databaseUrl: string,
  lock: pg.Client,
): Promise<Stack> {
  const overrides: Record<string, string> = {};
  for (const name of PASS_THROUGH) if (process.env[name]) overrides[name] = process.env[name] as string;

  log(`database ${BENCH_DATABASE}: drop, migrate`);
  await dropDatabase(databaseUrl);
  await migrate(databaseUrl);

  const s3 = await startEmbeddedS3({ dir: path.join(workDir, "s3"), port: 0 });
  const [apiPort, workerPort] = [await freePort(), await freePort()];
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: "production",
    HOST: "127.0.0.1",
    PORT: String(apiPort),
    WORKER_PORT: String(workerPort),
    DATABASE_URL: databaseUrl,
    REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
    QUEUE_PREFIX: BENCH_QUEUE_PREFIX,
    RATE_LIMIT_ENABLED: "false",
    LOG_LEVEL: "warn",
    LOG_PRETTY: "false",
    S3_ENDPOINT: s3.endpoint,
    S3_PUBLIC_BASE_URL: `${s3.endpoint}/profile-images`,
    // The sweep is the safety net for a Redis outage, which the bench does not stage;
    // left on, it would re-enqueue the backlog the bench drops between scenarios.
    SWEEP_INTERVAL_SECONDS: "3600",
    SWEEP_GRACE_SECONDS: "3600",
    ...overrides,
  };
  const config = loadConfig(env);
  await clearQueue(config.redis.url);

  const store = createObjectStore({ ...config.storage, endpoint: s3.endpoint });
  const stagingStore = createObjectStore({ ...config.storage, endpoint: s3.endpoint, requestTimeoutMs: 60_000 });
  await store.ensureBuckets();
  const db = createDb({ url: databaseUrl, poolSize: 4 });
  const { deployment, secretKey } = await createDeployment(db, "bench");
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  const producer = createProfileImageProducer({
    redisUrl: config.redis.url,
    prefix: config.redis.queuePrefix,
    attempts: config.worker.attempts,
    backoffMs: config.worker.backoffMs,
  });

  const logDir = path.join(workDir, "logs");
  await mkdir(logDir, { recursive: true });
  // What production runs (Dockerfile): the esbuild bundles, not TypeScript through tsx.
  log("building api and worker bundles");
  execFileSync("npm", ["run", "--silent", "build", "--workspace", "@svc/api", "--workspace", "@svc/worker"], {
    cwd: ROOT,
    stdio: "ignore",
  });
  log("starting api and worker processes");
  const profile = (name: string) =>
    // One directory per service: tsx's loader thread writes a (small) profile of its own beside the main thread's.
    options.profileDir ? ["--cpu-prof", `--cpu-prof-dir=${path.join(options.profileDir, name)}`] : [];
  const api = startService("api", "apps/api/dist/main.js", env, logDir, profile("api"));
  const worker = startService("worker", "apps/worker/dist/main.js", env, logDir, profile("worker"));
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const alive = (service: Service) => {
    if (service.child.exitCode !== null) throw new Error(`${service.name} exited (${service.child.exitCode}):\n${service.tail()}`);
  };
  await waitFor(
    "the API's /readyz",
    async () => {
      alive(api);
      return (await fetch(`${apiUrl}/readyz`)).ok;
    },
    60_000,
  ).catch((error: Error) => {
    throw new Error(`${error.message}\n${api.tail()}`);
  });
  await waitFor(
    "the worker to connect to its queue",
    async () => {
      alive(worker);
      return (await producer.queue.getWorkersCount()) > 0;
    },
    60_000,
  ).catch((error: Error) => {
    throw new Error(`${error.message}\n${worker.tail()}`);
  });

  const auth = `Bearer ${secretKey}`;
  // Scenarios 1 and 3 create users without a password.
  const patched = await fetch(`${apiUrl}/settings/auth`, {
    method: "PATCH",
    headers: { authorization: auth, "content-type": "application/json" },
    body: JSON.stringify({ password: { required: false } }),
  });
  if (!patched.ok) throw new Error(`PATCH /settings/auth answered ${patched.status}: ${await patched.text()}`);

  return {
    config,
    env,
    overrides,
    apiUrl,
    api,
    worker,
    deploymentId: deployment.id,
    auth,
    pool,
    db,
    store,
    stagingStore,
    s3,
    producer,
    async stop() {
      await Promise.allSettled([api.stop(), worker.stop()]);
      await producer.close().catch(() => undefined);
      await clearQueue(config.redis.url).catch(() => undefined);
      await db.$disconnect().catch(() => undefined);
      await pool.end().catch(() => undefined);
      await s3.close().catch(() => undefined);
      await lock.end().catch(() => undefined);
    },
  };
}

/**
 * Drops the images still waiting in the queue (a backlog a scenario left and
 * does not measure): their jobs leave Redis and their records are marked
 * failed, so the next scenario starts with an idle worker. Active jobs finish.
 */
export async function dropBacklog(stack: Stack): Promise<number> {
  const queue = stack.producer.queue;
  const waiting = await queue.getWaitingCount();
  await queue.drain(true);
  await waitFor("the active jobs to finish", async () => (await queue.getActiveCount()) === 0, 120_000, 100);
  const { rowCount } = await stack.pool.query(
    "UPDATE profile_images SET status = 'failed', failure_reason = 'dropped by the bench' WHERE status = 'pending'",
  );
  await stack.pool.query("UPDATE users SET profile_image_status = 'failed' WHERE profile_image_status = 'pending'");
  return Math.max(waiting, rowCount ?? 0);
}

/** Waits until no profile image of the bench database is pending (the worker has caught up). */
export async function drainWorker(stack: Stack, timeoutMs: number): Promise<number> {
  const started = performance.now();
  await waitFor(
    "the worker to finish pending images",
    async () => {
      const { rows } = await stack.pool.query<{ n: string }>("SELECT count(*) AS n FROM profile_images WHERE status = 'pending'");
      return Number(rows[0]?.n) === 0;
    },
    timeoutMs,
    250,
  );
  return (performance.now() - started) / 1000;
}
