// Talks to a real S3 protocol server (s3rver in-process) through the same
// minio client path production uses against MinIO or S3.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createObjectStore,
  ObjectNotFoundError,
  PUBLIC_CACHE_CONTROL,
  startEmbeddedS3,
  type EmbeddedS3,
  type ObjectStoreOptions,
} from "../src/index";

const baseOptions = {
  accessKey: "S3RVER",
  secretKey: "S3RVER",
  region: "us-east-1",
  stagingBucket: "test-staging",
  publicBucket: "test-public",
  publicBaseUrl: undefined,
  embedded: { dir: "", port: 0 },
} satisfies Omit<ObjectStoreOptions, "endpoint">;

let dir: string;
let s3: EmbeddedS3;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "storage-test-"));
  s3 = await startEmbeddedS3({ dir, port: 0 });
});

afterAll(async () => {
  await s3?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("object store against embedded s3rver", () => {
  it("reports the port it really listens on", () => {
    expect(s3.port).toBeGreaterThan(0);
    expect(s3.endpoint).toBe(`http://127.0.0.1:${s3.port}`);
  });

  it("ensureBuckets is idempotent", async () => {
    const store = createObjectStore({ ...baseOptions, endpoint: s3.endpoint });
    await store.ensureBuckets();
    await store.ensureBuckets();
    await expect(store.ping()).resolves.toBeUndefined();
  });

  it("stages, reads, lists and deletes an original", async () => {
    const store = createObjectStore({ ...baseOptions, endpoint: s3.endpoint });
    await store.ensureBuckets();
    const bytes = randomBytes(64 * 1024);
    const key = "originals/dep-a/img-1";

    await store.stageOriginal(key, bytes, "image/jpeg");
    expect(await store.readStaged(key)).toEqual(bytes);
    expect(await store.listStagedKeys("originals/dep-a/")).toEqual([key]);

    await store.deleteStaged(key);
    await store.deleteStaged(key);
    expect(await store.listStagedKeys("originals/dep-a/")).toEqual([]);
    await expect(store.readStaged(key)).rejects.toBeInstanceOf(ObjectNotFoundError);
  });

  it("readStaged of a key never written is ObjectNotFoundError", async () => {
    const store = createObjectStore({ ...baseOptions, endpoint: s3.endpoint });
    await store.ensureBuckets();
    await expect(store.readStaged("originals/nope/nothing")).rejects.toBeInstanceOf(ObjectNotFoundError);
  });

  it("serves a public object to an anonymous browser with its type and cache headers", async () => {
    const store = createObjectStore({ ...baseOptions, endpoint: s3.endpoint });
    await store.ensureBuckets();
    const bytes = randomBytes(2048);
    const key = "avatars/user 1/abc.webp";

    await store.putPublic(key, bytes, "image/webp");
    const url = store.publicUrl(key);
    expect(url).toBe(`${s3.endpoint}/test-public/avatars/user%201/abc.webp`);

    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/webp");
    expect(response.headers.get("cache-control")).toBe(PUBLIC_CACHE_CONTROL);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(bytes);
    expect(await store.listPublicKeys("avatars/")).toContain(key);

    await store.deletePublic(key);
    await store.deletePublic(key);
    expect((await fetch(url)).status).toBe(404);
  });

  it("builds public URLs from a configured base URL when there is one", () => {
    const store = createObjectStore({
      ...baseOptions,
      endpoint: s3.endpoint,
      publicBaseUrl: "https://cdn.example.com/img/",
    });
    expect(store.publicUrl("avatars/u/h.webp")).toBe("https://cdn.example.com/img/avatars/u/h.webp");
  });
});

describe("object store when the server is unreachable", () => {
  it("fails fast against a closed port", async () => {
    const store = createObjectStore({ ...baseOptions, endpoint: "http://127.0.0.1:1" });
    const started = performance.now();
    await expect(store.stageOriginal("originals/x/y", Buffer.from("x"), "image/png")).rejects.toThrow();
    await expect(store.ping()).rejects.toThrow();
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it("gives up on a server that accepts connections and never answers", async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as net.AddressInfo;
    try {
      const store = createObjectStore({
        ...baseOptions,
        endpoint: `http://127.0.0.1:${port}`,
        requestTimeoutMs: 1_000,
      });
      const started = performance.now();
      await expect(store.stageOriginal("originals/x/y", Buffer.from("x"), "image/png")).rejects.toThrow(
        /did not answer/,
      );
      await expect(store.ping()).rejects.toThrow();
      expect(performance.now() - started).toBeLessThan(10_000);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
