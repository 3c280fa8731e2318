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
