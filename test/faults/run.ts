// `npm run test:faults [-- s1 s5 …] [--keep]`: the fault suite of issue 7. Runs
// its own PostgreSQL, Redis and S3 server, the real API and worker as separate
// processes, six scenarios that break things, and one summary line each. Exits
// non-zero when an invariant fails; kills every child and removes its temp dir however it ends.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig } from "@svc/config";
import { createDb, migrate } from "@svc/db";
import { killAllChildren, logTail, onSuiteExit, takeUnexpectedExits } from "./children";
import {
  processesFor,
  scenarioDatabaseRestart,
  scenarioLoad,
  scenarioRedisOutage,
  scenarioScaleOut,
  scenarioStorageOutage,
  scenarioWorkerKilled,
  type Processes,
  type ScenarioResult,
  type Suite,
} from "./scenarios";
import { startPostgres, startRedis, startS3 } from "./services";

const SCENARIOS: Record<string, { name: string; run: (suite: Suite, procs: Processes, more: (tag: string) => Processes) => Promise<ScenarioResult> }> = {
  s1: { name: "S1 load", run: (s, p) => scenarioLoad(s, p) },
  s2: { name: "S2 Redis down", run: (s, p) => scenarioRedisOutage(s, p) },
  s3: { name: "S3 storage down", run: (s, p) => scenarioStorageOutage(s, p) },
  s4: { name: "S4 worker SIGKILL", run: (s, p) => scenarioWorkerKilled(s, p) },
  s5: { name: "S5 PostgreSQL restart", run: (s, p) => scenarioDatabaseRestart(s, p) },
  s6: { name: "S6 2 APIs + 3 workers", run: (s, _p, more) => scenarioScaleOut(s, more) },
};

const args = process.argv.slice(2);
const keep = args.includes("--keep");
const selected = args.filter((a) => !a.startsWith("--")).map((a) => a.toLowerCase());
for (const id of selected) if (!SCENARIOS[id]) throw new Error(`unknown scenario ${id}; pick from ${Object.keys(SCENARIOS).join(" ")}`);

const repo = fileURLToPath(new URL("../..", import.meta.url));
const tmp = mkdtempSync(path.join(os.tmpdir(), "users-service-faults-"));
const logDir = path.join(tmp, "logs");
mkdirSync(logDir);

let cleaned = false;
function cleanUp() {
  if (cleaned) return;
  cleaned = true;
  killAllChildren();
  if (keep) console.log(`kept ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
}
process.on("exit", cleanUp);
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    console.error(`\n${signal}: stopping every child and removing ${tmp}`);
    process.exit(130);
  });
}

// minio's listObjectsV2 stream can fail a second, racing page request after the
// listing has ended, with nobody listening: that surfaces here, not in the caller
// (which retries). Anything else unhandled is a bug of the suite and fails it.
const strays: string[] = [];
process.on("unhandledRejection", (reason) => {
  const text = reason instanceof Error ? `${reason.message}\n${reason.stack}` : String(reason);
  if (/listObjectsV2Query/.test(text)) console.warn(`(ignored: a stray S3 listing error: ${text.split("\n")[0]})`);
  else strays.push(text.split("\n").slice(0, 3).join(" "));
});

const log = (line: string) => console.log(`${new Date().toISOString().slice(11, 19)} ${line}`);
const started = Date.now();

log(`fault suite in ${tmp}`);
const pg = await startPostgres(path.join(tmp, "pg"));
onSuiteExit(() => pg.kill());
const redis = await startRedis(logDir);
const s3 = await startS3(repo, path.join(tmp, "s3"), logDir);
await migrate(pg.url);
const config = loadConfig({ DATABASE_URL: pg.url, REDIS_URL: redis.url, S3_ENDPOINT: s3.endpoint, LOG_LEVEL: "silent" });
const db = createDb({ url: pg.url, poolSize: 4 });
const suite: Suite = { repo, logDir, pg, redis, s3, db, config, halfWritten: 0 };
log(`PostgreSQL ${pg.url}, Redis ${redis.url}, S3 ${s3.endpoint} (started in ${((Date.now() - started) / 1000).toFixed(1)} s)`);

/** A scenario that failed half-way may have left a service down: bring it back for the next one. */
async function restoreServices() {
  if (!(await db.$queryRaw`SELECT 1`.then(() => true).catch(() => false))) await pg.start().catch(() => undefined);
  if (!(await s3.isUp())) await s3.start();
  if (!(await redis.isUp())) await redis.start();
}

interface Row extends ScenarioResult {
  seconds: number;
}
const rows: Row[] = [];
for (const [id, scenario] of Object.entries(SCENARIOS)) {
  if (selected.length && !selected.includes(id)) continue;
  log(`${scenario.name}…`);
  const t0 = Date.now();
  const all: Processes[] = [];
  const more = (tag: string) => {
    const p = processesFor(suite, tag);
    all.push(p);
    return p;
  };
  const procs = more(id);
  let result: ScenarioResult;
  try {
    result = await scenario.run(suite, procs, more);
  } catch (error) {
    result = { name: scenario.name, summary: "aborted", failures: [`aborted: ${(error as Error).message}`] };
  }
  await Promise.all(all.map((p) => p.stopAll()));
  result.failures.push(...takeUnexpectedExits());
  await restoreServices();
  const row = { ...result, seconds: (Date.now() - t0) / 1000 };
  rows.push(row);
  log(`${row.failures.length ? "FAIL" : "PASS"} ${row.name} (${row.seconds.toFixed(1)} s): ${row.summary}`);
  for (const failure of row.failures) log(`  ✗ ${failure}`);
  if (row.failures.length) {
    for (const child of all.flatMap((p) => p.children)) log(`  --- ${child.name} (last lines of ${child.log})\n${logTail(child, 8)}`);
  }
}

await db.$disconnect();
const total = (Date.now() - started) / 1000;
const failed = rows.filter((r) => r.failures.length).length + (strays.length ? 1 : 0);

console.log("\n==== fault suite summary ====");
for (const row of rows) {
  console.log(`${row.failures.length ? "FAIL" : "PASS"} ${row.name} (${row.seconds.toFixed(1)} s): ${row.summary}`);
}
if (suite.halfWritten) console.log(`(half-written s3rver objects removed before listing, as S3 would never have stored them: ${suite.halfWritten})`);
for (const stray of strays) console.log(`FAIL unhandled rejection in the suite: ${stray}`);
console.log(`${failed ? `${failed} FAILED` : "all passed"} in ${total.toFixed(1)} s`);
process.exit(failed ? 1 : 0);
