// The object store behind one small interface: a private staging bucket for
// uploaded originals and a public bucket for processed avatars (S3 protocol).
import http from "node:http";
import https from "node:https";
import type { Readable } from "node:stream";
import { Client } from "minio";
import type { Config } from "@svc/config";
import { publicUrl as joinPublicUrl } from "./keys";

/** Browsers and CDNs may cache avatars forever: their keys change with their bytes. */
export const PUBLIC_CACHE_CONTROL = "public, max-age=31536000, immutable";

const DEFAULT_REQUEST_TIMEOUT_MS = 5_000;
const PING_TIMEOUT_MS = 2_000;

export type ObjectStoreOptions = Config["storage"] & {
  endpoint: string;
  /** Socket idle limit for each request, connect included; a silent server fails the call instead of hanging it. */
  requestTimeoutMs?: number;
};

export interface ObjectStore {
  ensureBuckets(): Promise<void>;
  stageOriginal(key: string, bytes: Buffer, contentType: string): Promise<void>;
  readStaged(key: string): Promise<Buffer>;
  deleteStaged(key: string): Promise<void>;
  putPublic(key: string, bytes: Buffer, contentType: string): Promise<void>;
  deletePublic(key: string): Promise<void>;
  publicUrl(key: string): string;
  listPublicKeys(prefix?: string): Promise<string[]>;
  listStagedKeys(prefix?: string): Promise<string[]>;
  ping(): Promise<void>;
}

export class ObjectNotFoundError extends Error {
  override name = "ObjectNotFoundError";
  constructor(
    readonly bucket: string,
    readonly key: string,
  ) {
    super(`Object not found: ${bucket}/${key}`);
  }
}

export class ObjectStoreTimeoutError extends Error {
  override name = "ObjectStoreTimeoutError";
}

export function createObjectStore(options: ObjectStoreOptions): ObjectStore {
  const endpoint = new URL(options.endpoint);
  const useSSL = endpoint.protocol === "https:";
  const timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const { stagingBucket, publicBucket } = options;

  const client = new Client({
    endPoint: endpoint.hostname,
    port: endpoint.port ? Number(endpoint.port) : useSSL ? 443 : 80,
    useSSL,
    accessKey: options.accessKey,
    secretKey: options.secretKey,
    region: options.region,
    pathStyle: true,
    transport: transportWithTimeout(useSSL ? https : http, timeoutMs),
    // minio retries 5xx answers once and logs each retry with console.warn;
    // retrying is the caller's job here (BullMQ backoff, or a 503 to the client).
    retryOptions: { disableRetry: true },
  });

  const publicBaseUrl = options.publicBaseUrl ?? `${options.endpoint.replace(/\/+$/, "")}/${publicBucket}`;

  async function ensureBucket(bucket: string): Promise<void> {
    if (await client.bucketExists(bucket)) return;
    try {
      await client.makeBucket(bucket, options.region);
    } catch (error) {
      // Another process may have created it between the check and the create.
      // MinIO and S3 say BucketAlreadyOwnedByYou; s3rver says BucketAlreadyExists,
      // which on S3 means someone else's bucket, so confirm we can reach it.
      if (hasCode(error, "BucketAlreadyOwnedByYou")) return;
      if (hasCode(error, "BucketAlreadyExists") && (await client.bucketExists(bucket))) return;
      throw error;
    }
  }

  async function makePublicReadable(bucket: string): Promise<void> {
    const policy = {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { AWS: ["*"] },
          Action: ["s3:GetObject"],
          Resource: [`arn:aws:s3:::${bucket}/*`],
        },
      ],
    };
    try {
      await client.setBucketPolicy(bucket, JSON.stringify(policy));
    } catch (error) {
      // s3rver has no bucket policies but serves objects to anonymous GETs anyway.
      if (hasCode(error, "NotImplemented")) return;
      throw error;
    }
  }

  async function removeIfPresent(bucket: string, key: string): Promise<void> {
    try {
      await client.removeObject(bucket, key);
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
  }

  async function listKeys(bucket: string, prefix = ""): Promise<string[]> {
    const keys: string[] = [];
    for await (const item of client.listObjectsV2(bucket, prefix, true)) {
      if (item.name) keys.push(item.name);
    }
    return keys;
  }

  return {
    async ensureBuckets() {
      await Promise.all([ensureBucket(stagingBucket), ensureBucket(publicBucket)]);
      await makePublicReadable(publicBucket);
    },

    async stageOriginal(key, bytes, contentType) {
      await client.putObject(stagingBucket, key, bytes, bytes.length, { "Content-Type": contentType });
    },

    async readStaged(key) {
      let stream: Readable;
      try {
        stream = await client.getObject(stagingBucket, key);
      } catch (error) {
        if (isNotFound(error)) throw new ObjectNotFoundError(stagingBucket, key);
        throw error;
      }
      return readAll(stream);
    },

    deleteStaged: (key) => removeIfPresent(stagingBucket, key),

    async putPublic(key, bytes, contentType) {
      await client.putObject(publicBucket, key, bytes, bytes.length, {
        "Content-Type": contentType,
        "Cache-Control": PUBLIC_CACHE_CONTROL,
      });
    },

    deletePublic: (key) => removeIfPresent(publicBucket, key),

    publicUrl: (key) => joinPublicUrl(publicBaseUrl, key),

    listPublicKeys: (prefix) => listKeys(publicBucket, prefix),
    listStagedKeys: (prefix) => listKeys(stagingBucket, prefix),

    async ping() {
      // Readiness probes poll this; they need an answer sooner than a request timeout.
      const exists = await withDeadline(
        client.bucketExists(stagingBucket),
        PING_TIMEOUT_MS,
        "object store ping",
      );
      if (!exists) throw new Error(`Staging bucket ${stagingBucket} does not exist`);
    },
  };
}

/**
 * minio has no request timeout of its own (setRequestOptions drops `timeout`),
 * so a server that accepts and never answers, or a host that drops packets,
 * would hang a call. Node's `timeout` option also covers the connect phase.
 */
function transportWithTimeout(
  base: typeof http | typeof https,
  timeoutMs: number,
): Pick<typeof http, "request"> {
  const request = (
    options: http.RequestOptions,
    callback?: (res: http.IncomingMessage) => void,
  ): http.ClientRequest => {
    const req = base.request({ ...options, timeout: timeoutMs }, callback);
    req.on("timeout", () => {
      req.destroy(new ObjectStoreTimeoutError(`Object store did not answer within ${timeoutMs} ms`));
    });
    return req;
  };
  return { request: request as typeof http.request };
}

async function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ObjectStoreTimeoutError(`${what} timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
  }
  return Buffer.concat(chunks);
}

// minio's S3Error carries the server's error code; Node's network errors use the same field.
function hasCode(error: unknown, code: string): boolean {
  return typeof error === "object" && error !== null && "code" in error && error.code === code;
}

function isNotFound(error: unknown): boolean {
  return hasCode(error, "NoSuchKey") || hasCode(error, "NotFound");
}
