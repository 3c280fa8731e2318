// What integration tests share: a config on the test services with a queue
// prefix of their own, the real API context, a fresh deployment with its key,
// and the worker when a test needs images processed.
import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import { inject } from "vitest";
import { loadConfig, type Config } from "@svc/config";
import { createDb } from "@svc/db";
import { createObjectStore } from "@svc/storage";
import { createLogger, type Logger } from "@svc/telemetry";
import { createDeployment } from "@svc/users";
import { createApiContext, type ApiContext } from "../../apps/api/src/context";
import { createServer } from "../../apps/api/src/server";
import { startWorker, type RunningWorker } from "../../apps/worker/src/run";

export function testConfig(overrides: Record<string, string> = {}): Config {
  const services = inject("services");
  return loadConfig({
    ...services,
    NODE_ENV: "test",
    QUEUE_PREFIX: `{test-${randomBytes(4).toString("hex")}}`,
    BCRYPT_COST: "4",
    LOG_LEVEL: "silent",
    SWEEP_GRACE_SECONDS: "0",
    JOB_BACKOFF_MS: "100",
    WORKER_PORT: "0",
    ...overrides,
  });
}

/** A logger whose lines are kept in memory, for tests that read the log. */
export function captureLogger(name = "test"): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
      done();
    },
  });
  return { logger: createLogger({ level: "debug", pretty: false, name }, sink), lines };
}

export interface TestApi {
  config: Config;
  context: ApiContext;
  app: ReturnType<typeof createServer>;
  deploymentId: string;
  key: string;
  /** `Authorization` header value for this deployment. */
  auth: string;
  logLines: string[];
  /** A quiet logger for calling use cases directly. */
  logger(): Logger;
  close(): Promise<void>;
}

export async function createTestApi(overrides: Record<string, string> = {}): Promise<TestApi> {
  const config = testConfig(overrides);
  const { logger, lines } = captureLogger("api");
  const endpoint = config.storage.endpoint as string;
  await createObjectStore({ ...config.storage, endpoint }).ensureBuckets();
  const context = createApiContext(config, logger, endpoint);
  const { deployment, secretKey } = await createDeployment(context.db, `test-${randomBytes(3).toString("hex")}`);
  return {
    config,
    context,
    app: createServer(context),
    deploymentId: deployment.id,
    key: secretKey,
    auth: `Bearer ${secretKey}`,
    logLines: lines,
    logger: () => createLogger({ level: "silent", pretty: false, name: "test" }),
    async close() {
      await context.close();
    },
  };
}

/** Another deployment in the same database, for isolation tests. */
export async function createOtherDeployment(api: TestApi) {
  const { deployment, secretKey } = await createDeployment(api.context.db, "other");
  return { deploymentId: deployment.id, auth: `Bearer ${secretKey}` };
}

export async function startTestWorker(config: Config): Promise<RunningWorker> {
  return startWorker(config, createLogger({ level: "silent", pretty: false, name: "worker" }), config.storage.endpoint as string);
}

export const uniqueSuffix = () => randomBytes(5).toString("hex");

export function testDb(config: Config) {
  return createDb({ url: config.database.url, poolSize: 2 });
}
