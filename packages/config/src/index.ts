// The environment, parsed and validated once at start-up. Nothing else in the
// code base reads process.env: every setting arrives through `Config`.
import { availableParallelism } from "node:os";
import { z } from "zod";

const MiB = 1024 * 1024;

const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((v) => v === "true" || v === "1" || v === "yes");
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const url = z.url();

/** Every variable the service reads, with its default. `.env.example` mirrors this list. */
const envSchema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  HOST: z.string().default("0.0.0.0"),
  PORT: int(0, 65535).default(3000),
  /** Public base URL of the API, used in printed examples and the OpenAPI document. */
  PUBLIC_API_URL: url.optional(),

  DATABASE_URL: url.default("postgresql://postgres@127.0.0.1:5432/users_service"),
  DATABASE_POOL_SIZE: int(1, 500).default(10),

  REDIS_URL: url.default("redis://127.0.0.1:6379"),
  /** BullMQ key prefix; the braces make it a Redis Cluster hash tag. */
  QUEUE_PREFIX: z.string().regex(/^\{[^{}]+\}$/, "must be a Redis hash tag such as {users}").default("{users}"),

  /** Unset: `npm start` runs an embedded S3-compatible server under S3_EMBEDDED_DIR. */
  S3_ENDPOINT: url.optional(),
  S3_ACCESS_KEY: z.string().min(1).default("S3RVER"),
  S3_SECRET_KEY: z.string().min(1).default("S3RVER"),
  S3_REGION: z.string().default("us-east-1"),
  S3_STAGING_BUCKET: z.string().min(3).default("profile-images-staging"),
  S3_PUBLIC_BUCKET: z.string().min(3).default("profile-images"),
  /** Base URL under which objects of the public bucket are served (CDN or MinIO). */
  S3_PUBLIC_BASE_URL: url.optional(),
  /** Where `npm start` keeps local state: the development key file and the embedded S3 data. */
  DATA_DIR: z.string().default(".data"),
  /** Defaults to DATA_DIR/s3. */
  S3_EMBEDDED_DIR: z.string().optional(),
  S3_EMBEDDED_PORT: int(0, 65535).default(9000),

  BCRYPT_COST: int(4, 15).default(10),
  /** bcrypt hashes at once; default one core fewer than the machine has, so hashing never starves the event loop. */
  PASSWORD_HASH_CONCURRENCY: int(1, 64).default(Math.max(1, availableParallelism() - 1)),
  /** Multipart bodies over 1 MiB buffered at once; more wait (TCP backpressure), bounding memory. */
  UPLOAD_CONCURRENCY: int(1, 1024).default(4),

  RATE_LIMIT_ENABLED: bool.default(true),
  RATE_LIMIT_MAX: int(1, 1_000_000).default(1000),
  RATE_LIMIT_WINDOW_SECONDS: int(1, 3600).default(10),

  IMAGE_MAX_BYTES: int(1, 100 * MiB).default(10 * MiB),
  IMAGE_MAX_PIXELS: int(1, 1_000_000_000).default(40_000_000),
  IMAGE_OUTPUT_SIZE: int(16, 4096).default(512),
  IMAGE_OUTPUT_FORMAT: z.enum(["webp", "avif", "jpeg", "png"]).default("webp"),
  IMAGE_OUTPUT_QUALITY: int(1, 100).default(80),

  WORKER_CONCURRENCY: int(1, 64).default(2),
  WORKER_PORT: int(0, 65535).default(9464),
  JOB_ATTEMPTS: int(1, 100).default(10),
  JOB_BACKOFF_MS: int(10, 600_000).default(1000),
  SWEEP_INTERVAL_SECONDS: int(1, 3600).default(30),
  SWEEP_GRACE_SECONDS: int(0, 3600).default(30),
  /**
   * A job's lock, renewed at half this while it runs; a worker that dies holding
   * one (SIGKILL, OOM) has its jobs picked up again within about twice this.
   */
  WORKER_LOCK_SECONDS: int(2, 600).default(30),

  IDEMPOTENCY_TTL_HOURS: int(24, 24 * 30).default(24),

  /** Both set: the queue dashboard is mounted at /admin/queues behind basic auth. */
  ADMIN_USERNAME: z.string().min(1).optional(),
  ADMIN_PASSWORD: z.string().min(12, "must be at least 12 characters").optional(),
  /** Set: /metrics needs `Authorization: Bearer <token>`. */
  METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),

  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  LOG_PRETTY: bool.default(false),
});

export type Env = z.infer<typeof envSchema>;

export class ConfigError extends Error {
  override name = "ConfigError";
}

function buildConfig(env: Env) {
  return {
    env: env.NODE_ENV,
    http: { host: env.HOST, port: env.PORT, publicUrl: env.PUBLIC_API_URL ?? `http://localhost:${env.PORT}` },
    database: { url: env.DATABASE_URL, poolSize: env.DATABASE_POOL_SIZE },
    redis: { url: env.REDIS_URL, queuePrefix: env.QUEUE_PREFIX },
    storage: {
      endpoint: env.S3_ENDPOINT,
      accessKey: env.S3_ACCESS_KEY,
      secretKey: env.S3_SECRET_KEY,
      region: env.S3_REGION,
      stagingBucket: env.S3_STAGING_BUCKET,
      publicBucket: env.S3_PUBLIC_BUCKET,
      publicBaseUrl: env.S3_PUBLIC_BASE_URL,
      embedded: { dir: env.S3_EMBEDDED_DIR ?? `${env.DATA_DIR}/s3`, port: env.S3_EMBEDDED_PORT },
    },
    passwords: { bcryptCost: env.BCRYPT_COST, hashConcurrency: env.PASSWORD_HASH_CONCURRENCY },
    rateLimit: {
      enabled: env.RATE_LIMIT_ENABLED,
      max: env.RATE_LIMIT_MAX,
      windowSeconds: env.RATE_LIMIT_WINDOW_SECONDS,
    },
    images: {
      maxBytes: env.IMAGE_MAX_BYTES,
      uploadConcurrency: env.UPLOAD_CONCURRENCY,
      maxPixels: env.IMAGE_MAX_PIXELS,
      output: { size: env.IMAGE_OUTPUT_SIZE, format: env.IMAGE_OUTPUT_FORMAT, quality: env.IMAGE_OUTPUT_QUALITY },
    },
    worker: {
      concurrency: env.WORKER_CONCURRENCY,
      port: env.WORKER_PORT,
      attempts: env.JOB_ATTEMPTS,
      backoffMs: env.JOB_BACKOFF_MS,
      sweepIntervalMs: env.SWEEP_INTERVAL_SECONDS * 1000,
      sweepGraceMs: env.SWEEP_GRACE_SECONDS * 1000,
      lockMs: env.WORKER_LOCK_SECONDS * 1000,
    },
    idempotency: { ttlMs: env.IDEMPOTENCY_TTL_HOURS * 3600 * 1000 },
    admin:
      env.ADMIN_USERNAME && env.ADMIN_PASSWORD
        ? { username: env.ADMIN_USERNAME, password: env.ADMIN_PASSWORD }
        : undefined,
    metrics: { token: env.METRICS_TOKEN },
    log: { level: env.LOG_LEVEL, pretty: env.LOG_PRETTY },
    dataDir: env.DATA_DIR,
  };
}

export type Config = ReturnType<typeof buildConfig>;
export type ImageOutputOptions = Config["images"]["output"];

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * Parse the environment. Throws one ConfigError listing every missing or
 * invalid variable, so a misconfigured deployment is fixed in one pass.
 */
export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  // Empty strings mean "unset", as they do in most .env tooling.
  const env = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  if (Boolean(parsed.data.ADMIN_USERNAME) !== Boolean(parsed.data.ADMIN_PASSWORD)) {
    throw new ConfigError("Invalid configuration:\n  ADMIN_USERNAME and ADMIN_PASSWORD must be set together");
  }
  return deepFreeze(buildConfig(parsed.data));
}

/** Names of every variable, for `.env.example` and the README's table (kept in sync by a test). */
export const ENV_VARIABLES = Object.keys(envSchema.shape);
