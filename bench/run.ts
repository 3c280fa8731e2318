// `npm run bench`: starts the system under test and its baselines, runs the
// six scenarios of the benchmark issue, and writes BENCHMARKS.md.
//   npm run bench                     all scenarios, writes BENCHMARKS.md
//   npm run bench -- --only s1,s3     some scenarios, prints the table (add --out FILE to write it)
//   npm run bench -- --quick          shorter runs, for trying the bench itself
//   npm run bench -- --profile DIR    also write CPU profiles of the API and worker to DIR
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import sharp from "sharp";
import { createRedisConnection } from "@svc/queue";
import { cpuBetween, cpuSnapshot } from "./lib/cpu";
import { makeTestImages } from "./lib/images";
import { ROOT, installCleanup, stopAll } from "./lib/proc";
import { fmt, renderReport, Results } from "./lib/report";
import { startStack, type Stack } from "./lib/stack";
import { RUNNERS, SCENARIOS, type BenchContext } from "./scenarios";

const started = performance.now();
const loadAtStart = os.loadavg()[0] ?? 0;
const cpuAtStart = cpuSnapshot();
const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    only: { type: "string" },
    out: { type: "string" },
    quick: { type: "boolean", default: false },
    profile: { type: "string" },
  },
});
const only = values.only
  ? values.only.split(",").map((s) => s.trim().toLowerCase())
  : [...SCENARIOS];
for (const id of only) {
  if (!(SCENARIOS as readonly string[]).includes(id)) {
    console.error(`unknown scenario ${id}; expected some of ${SCENARIOS.join(", ")}`);
    process.exit(2);
  }
}
const selected = SCENARIOS.filter((id) => only.includes(id));
const fullRun = selected.length === SCENARIOS.length && !values.quick;
const outFile = values.out ?? (fullRun ? "BENCHMARKS.md" : undefined);
const argv = process.argv.slice(2);
const command = `npm run bench${argv.length ? ` -- ${argv.join(" ")}` : ""}`;

const log = (line: string) => {
  const t = ((performance.now() - started) / 1000).toFixed(0).padStart(4);
  console.log(`[${t} s] ${line}`);
};

let stack: Stack | undefined;
let workDir: string | undefined;
async function teardown(): Promise<void> {
  await stack?.stop().catch((error: unknown) => console.error("bench: stopping the stack failed:", error));
  stack = undefined;
  await stopAll();
  if (workDir) await rm(workDir, { recursive: true, force: true }).catch(() => undefined);
  workDir = undefined;
}
let interrupted = false;
installCleanup(async () => {
  interrupted = true;
  await teardown();
});

const results = new Results();
let failed = false;
let meta: { machine: string[]; versions: string[]; settings: string[] } = { machine: [], versions: [], settings: [] };
try {
  workDir = await mkdtemp(path.join(os.tmpdir(), "users-service-bench-"));
  log(`work dir ${workDir}; generating test images`);
  const maxUpload = Number(process.env.IMAGE_MAX_BYTES ?? 10 * 1024 * 1024);
  const images = await makeTestImages(workDir, maxUpload);
  stack = await startStack(workDir, log, { profileDir: values.profile && path.resolve(values.profile) });
  meta = await describe(stack);

  const ctx: BenchContext = {
    stack,
    images,
    results,
    scale: values.quick ? 0.35 : 1,
    tag: randomBytes(3).toString("hex"),
    log,
    shared: {},
  };
  for (const id of selected) {
    const t = performance.now();
    log(`${id}: starting (1-min load average ${fmt(os.loadavg()[0] ?? 0, 1)})`);
    try {
      await RUNNERS[id](ctx);
    } catch (error) {
      failed = true;
      if (interrupted) throw error;
      const message = error instanceof Error ? error.message : String(error);
      log(`${id} failed: ${message}`);
      results.row({ scenario: id.slice(1), what: `scenario ${id} failed`, figure: "—", baseline: "—", ratio: "—", goal: "—", verdict: "error" });
      results.note(`${id} — error`, "```\n" + message.slice(0, 3000) + "\n```");
      for (const service of [stack.api, stack.worker]) {
        if (service.child.exitCode !== null) {
          throw new Error(`${service.name} died during ${id}:\n${service.tail()}`, { cause: error });
        }
      }
    }
    log(`${id} done in ${fmt((performance.now() - t) / 1000, 1)} s`);
  }
} catch (error) {
  failed = true;
  if (!interrupted) console.error("bench failed:", error instanceof Error ? error.message : error);
} finally {
  await teardown();
}

const totalSeconds = (performance.now() - started) / 1000;
const cpuOfRun = cpuBetween(cpuAtStart, cpuSnapshot());
meta.machine.push(
  `1-minute load average ${fmt(loadAtStart, 1)} before the bench started anything; during the run, other processes ` +
    `(not the bench, its children, PostgreSQL or Redis) used ${fmt(cpuOfRun.otherCores, 2)} of the ${os.cpus().length} cores ` +
    "on average (per load in the details)",
);
const findings = await readFile(path.join(ROOT, "bench/FINDINGS.md"), "utf8").catch(() => "");
const report = renderReport(results, {
  date: new Date().toISOString().slice(0, 16).replace("T", " ") + " UTC",
  command,
  totalSeconds,
  ...meta,
  method: [
    "The API (`apps/api/src/main.ts`) and the worker (`apps/worker/src/main.ts`) run as processes of their own " +
      "(`node --import tsx …`, tsx's loader without its wrapper process, so the measured PID is the service), on a " +
      "database of their own (`users_service_bench`, dropped and migrated at start), the queue prefix `{bench}`, an " +
      "embedded S3 server (s3rver) in the bench process, `RATE_LIMIT_ENABLED=false`, `LOG_LEVEL=warn`.",
    "Load comes from autocannon 9 in a child process of its own (never the API's); every request body is a new user " +
      "(unique email address and phone number, made in `setupRequest`). Each load has an unreported warm-up run first.",
    "Latency is what the load generator sees: from writing the request to reading the whole response, 2xx only.",
    "Baselines run as separate processes: bare Express, the naive sharp server, raw `pg`, raw bcrypt and raw sharp.",
    "2 cores are shared by everything here: PostgreSQL, Redis, the S3 server, the API, the worker and the load generator.",
  ],
  findings,
});
if (interrupted) {
  // Never overwrite a report with a run that was stopped half-way.
  await new Promise(() => undefined); // the signal handler exits the process
} else if (outFile) {
  await writeFile(path.resolve(ROOT, outFile), report);
  log(`wrote ${outFile}`);
} else {
  console.log(`\n${report}`);
}
log(`total ${fmt(totalSeconds, 0)} s`);
process.exit(failed ? 1 : 0);

async function describe(s: Stack) {
  const cpus = os.cpus();
  const { rows } = await s.pool.query<{ server_version: string }>("SHOW server_version");
  const redis = createRedisConnection(s.config.redis.url, "worker");
  const info = await redis.info("server").finally(() => redis.disconnect());
  const redisVersion = /redis_version:(\S+)/.exec(info)?.[1] ?? "unknown";
  const c = s.config;
  return {
    machine: [
      `${cpus.length} cores (${cpus[0]?.model.trim() ?? "unknown CPU"}), ${fmt(os.totalmem() / 1024 ** 3, 1)} GiB memory`,
      `${os.type()} ${os.release()} ${os.arch()}`,
    ],
    versions: [
      `Node.js ${process.version}`,
      `PostgreSQL ${rows[0]?.server_version ?? "unknown"}`,
      `Redis ${redisVersion}`,
      `sharp ${sharp.versions.sharp ?? "?"}, libvips ${sharp.versions.vips}`,
      "autocannon 9.0.0",
    ],
    settings: [
      `DATABASE_POOL_SIZE=${c.database.poolSize}, BCRYPT_COST=${c.passwords.bcryptCost}, ` +
        `PASSWORD_HASH_CONCURRENCY=${c.passwords.hashConcurrency}, UPLOAD_CONCURRENCY=${c.images.uploadConcurrency}, ` +
        `WORKER_CONCURRENCY=${c.worker.concurrency}, UV_THREADPOOL_SIZE=${s.env.UV_THREADPOOL_SIZE ?? "unset (4)"}`,
      `IMAGE_MAX_BYTES=${c.images.maxBytes}, IMAGE_MAX_PIXELS=${c.images.maxPixels}, output ${c.images.output.size} px ${c.images.output.format} q${c.images.output.quality}`,
      Object.keys(s.overrides).length
        ? `set by the caller: ${Object.entries(s.overrides).map(([k, v]) => `${k}=${v}`).join(", ")}`
        : "everything else at the service's defaults",
    ],
  };
}
