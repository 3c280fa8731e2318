// The outside systems the user domain talks to, as narrow interfaces: the
// apps pass the real wrappers (@svc/storage, @svc/queue); nothing here knows
// about HTTP, BullMQ or the S3 protocol.
import type { Db } from "@svc/db";
import type { ProfileImageJob } from "@svc/queue";

export interface ObjectStorePort {
  stageOriginal(key: string, bytes: Buffer, contentType: string): Promise<void>;
  readStaged(key: string): Promise<Buffer>;
  deleteStaged(key: string): Promise<void>;
  putPublic(key: string, bytes: Buffer, contentType: string): Promise<void>;
  deletePublic(key: string): Promise<void>;
  publicUrl(key: string): string;
}

export interface ImageQueuePort {
  /** Rejects quickly when the queue is unreachable; the sweep enqueues later. */
  enqueue(job: ProfileImageJob): Promise<void>;
}

export interface Logger {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export interface UserDeps {
  db: Db;
  storage: ObjectStorePort;
  queue: ImageQueuePort;
  log: Logger;
  bcryptCost: number;
  maxImagePixels: number;
  idempotencyTtlMs: number;
}
