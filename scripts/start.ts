// `npm start`: a complete local service in one process. Applies migrations,
// starts an embedded S3 server unless S3_ENDPOINT is set, makes (once) a
// development deployment and key, and runs the API and the worker together.
import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { loadConfig } from "@svc/config";
import { createDb, migrate } from "@svc/db";
import { startEmbeddedS3 } from "@svc/storage";
import { createLogger, stopOnSignals } from "@svc/telemetry";
import { authenticateSecretKey, createDeployment } from "@svc/users";
import { startApi } from "../apps/api/src/listen";
import { startWorker } from "../apps/worker/src/run";


interface DevState {
  deploymentId: string;
  secretKey: string;
  admin: { username: string; password: string };
}

async function readDevState(file: string): Promise<Partial<DevState>> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as Partial<DevState>;
  } catch {
    return {};
  }
}

// Read once before the config so the saved admin credentials can become its defaults.
const devFile = path.join(process.env.DATA_DIR || ".data", "development.json");
const state = await readDevState(devFile);
const admin = state.admin ?? { username: "admin", password: randomBytes(12).toString("base64url") };
// Development defaults; anything set in the environment wins.
process.env.LOG_PRETTY ??= "true";
if (!process.env.ADMIN_USERNAME && !process.env.ADMIN_PASSWORD) {
  process.env.ADMIN_USERNAME = admin.username;
  process.env.ADMIN_PASSWORD = admin.password;
}

const config = loadConfig();
const logger = createLogger({ ...config.log, name: "dev" });
await mkdir(config.dataDir, { recursive: true });

const migrations = await migrate(config.database.url);
logger.info({ applied: migrations.applied }, "migrations applied");

let s3Endpoint = config.storage.endpoint;
let embedded: Awaited<ReturnType<typeof startEmbeddedS3>> | undefined;
if (!s3Endpoint) {
  embedded = await startEmbeddedS3({ dir: config.storage.embedded.dir, port: config.storage.embedded.port });
  s3Endpoint = embedded.endpoint;
  logger.info({ endpoint: s3Endpoint, dir: config.storage.embedded.dir }, "embedded S3 server started");
}

const db = createDb({ url: config.database.url, poolSize: 1 });
let secretKey = state.secretKey;
let deploymentId = state.deploymentId;
if (!secretKey || !(await authenticateSecretKey(db, secretKey))) {
  const created = await createDeployment(db, "development", "test");
  secretKey = created.secretKey;
  deploymentId = created.deployment.id;
}
await db.$disconnect();
await writeFile(devFile, JSON.stringify({ deploymentId, secretKey, admin }, null, 2), { mode: 0o600 });

const worker = await startWorker(config, logger.child({ name: "worker" }), s3Endpoint);
const api = await startApi(config, logger.child({ name: "api" }), s3Endpoint);

const dashboard = config.admin ? `${api.url}/admin/queues  (user ${config.admin.username}, password ${config.admin.password})` : "off (set ADMIN_USERNAME and ADMIN_PASSWORD)";
console.log(`
  API            ${api.url}
  Deployment     ${deploymentId}
  Secret key     ${secretKey}
  Dashboard      ${dashboard}
  Docs           ${api.url}/docs
  Worker         ${worker.opsUrl}/healthz, ${worker.opsUrl}/metrics
  Object store   ${s3Endpoint}${embedded ? " (embedded, data in " + config.storage.embedded.dir + ")" : ""}

  Try it:
  curl -s ${api.url}/users \\
    -H "Authorization: Bearer ${secretKey}" \\
    -H "Prefer: wait=10" \\
    -F email_address=ada@example.com -F first_name=Ada -F last_name=Lovelace \\
    -F password='Analytical-Engine-1843' -F profile_image=@path/to/photo.jpg
`);

stopOnSignals(logger, async () => {
  await api.stop();
  await worker.stop();
  await embedded?.close();
});
