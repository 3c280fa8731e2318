// Once per test run: migrate the test database and make sure an S3 server is
// there (the one in S3_ENDPOINT, e.g. started by .ci/run or MinIO in compose,
// else an embedded one). Test files receive the addresses through `inject`.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { migrate } from "@svc/db";
import { startEmbeddedS3, type EmbeddedS3 } from "@svc/storage";

export interface TestServices {
  DATABASE_URL: string;
  REDIS_URL: string;
  S3_ENDPOINT: string;
  S3_ACCESS_KEY?: string;
  S3_SECRET_KEY?: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    services: TestServices;
  }
}

export default async function setup(project: TestProject) {
  const env = process.env;
  const DATABASE_URL = env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/users_service_test";
  await migrate(DATABASE_URL);

  let embedded: EmbeddedS3 | undefined;
  let dir: string | undefined;
  let S3_ENDPOINT = env.S3_ENDPOINT;
  if (!S3_ENDPOINT) {
    dir = await mkdtemp(path.join(tmpdir(), "users-service-s3-"));
    embedded = await startEmbeddedS3({ dir, port: 0, host: "127.0.0.1" });
    S3_ENDPOINT = embedded.endpoint;
  }
  project.provide("services", {
    DATABASE_URL,
    REDIS_URL: env.REDIS_URL ?? "redis://127.0.0.1:6379",
    S3_ENDPOINT,
    ...(env.S3_ACCESS_KEY ? { S3_ACCESS_KEY: env.S3_ACCESS_KEY, S3_SECRET_KEY: env.S3_SECRET_KEY } : {}),
  });
  return async () => {
    await embedded?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  };
}
