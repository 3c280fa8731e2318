// The outside systems the user domain talks to, narrowed to what it uses: the
// apps pass the real wrappers (@svc/storage, @svc/queue); nothing here knows
// about HTTP, BullMQ or the S3 protocol.
import type { Db } from "@svc/db";
import type { ProfileImageProducer } from "@svc/queue";
import type { ObjectStore } from "@svc/storage";
import type { PasswordHasher } from "./passwords";

export type ObjectStorePort = Pick<
  ObjectStore,
  "stageOriginal" | "readStaged" | "deleteStaged" | "putPublic" | "deletePublic" | "publicUrl"
>;

/** `enqueue` rejects quickly when the queue is unreachable; the sweep enqueues later. */
export type ImageQueuePort = Pick<ProfileImageProducer, "enqueue">;

export interface Logger {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export interface UserDeps {
  db: Db;
  storage: ObjectStorePort;
  queue: ImageQueuePort;
  log: Logger;
  hashPassword: PasswordHasher;
  maxImagePixels: number;
  idempotencyTtlMs: number;
}
