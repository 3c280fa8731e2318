// An S3-compatible server (s3rver) inside this process, for `npm start` without
// S3_ENDPOINT and for tests. The code talking to it is the production S3 path.
import { mkdir } from "node:fs/promises";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";

export interface EmbeddedS3 {
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

/** The part of s3rver we use; it ships no type declarations. */
interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  store: FilesystemStore;
}
interface FilesystemStore {
  putObject(object: { bucket: string; key: string }): Promise<unknown>;
  deleteObject(bucket: string, key: string): Promise<unknown>;
}

/**
 * s3rver keeps each key's folders on disk and removes a folder when its last
 * object is deleted. A put into that folder racing the delete then fails to
 * open its file, and the unhandled stream error takes the whole process down.
 * Writes and deletes under one folder are therefore run one after another.
 */
function serialiseByFolder(store: FilesystemStore): void {
  const tails = new Map<string, Promise<unknown>>();
  const inTurn = <T>(bucket: string, key: string, run: () => Promise<T>): Promise<T> => {
    const folder = `${bucket}/${key.slice(0, key.lastIndexOf("/") + 1)}`;
    const previous = tails.get(folder) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(run);
    tails.set(folder, next);
    void next.catch(() => undefined).finally(() => {
      if (tails.get(folder) === next) tails.delete(folder);
    });
    return next;
  };
  const put = store.putObject.bind(store);
  const remove = store.deleteObject.bind(store);
  store.putObject = (object) => inTurn(object.bucket, object.key, () => put(object));
  store.deleteObject = (bucket, key) => inTurn(bucket, key, () => remove(bucket, key));
}
type S3rverConstructor = new (options: {
  address: string;
  port: number;
  directory: string;
  silent: boolean;
  vhostBuckets: boolean;
  resetOnClose: boolean;
}) => S3rverInstance;

export async function startEmbeddedS3(options: {
  dir: string;
  port: number;
  host?: string;
}): Promise<EmbeddedS3> {
  const host = options.host ?? "127.0.0.1";
  await mkdir(options.dir, { recursive: true });
  // Loaded on demand: production runs against a real endpoint and should not
  // pull in s3rver's Koa and winston stack.
  const S3rver = createRequire(import.meta.url)("s3rver") as S3rverConstructor;
  const server = new S3rver({
    address: host,
    port: options.port,
    directory: options.dir,
    silent: true,
    // With virtual-host buckets on, any Host that is not an IP or `localhost`
    // (a LAN name, a container name) is read as a bucket name and breaks path-style URLs.
    vhostBuckets: false,
    resetOnClose: false,
  });
  serialiseByFolder(server.store);
  const address = await server.run();
  // A wildcard bind address is not something a client can connect to.
  const connectHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  const urlHost = connectHost.includes(":") ? `[${connectHost}]` : connectHost;
  return {
    endpoint: `http://${urlHost}:${address.port}`,
    port: address.port,
    close: () => server.close(),
  };
}
