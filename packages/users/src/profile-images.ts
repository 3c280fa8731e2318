// The profile image's life at the API: check the bytes, stage the original,
// record it as the user's newest image, enqueue its job; replace and clear it;
// and the sweep that re-enqueues whatever a Redis outage left behind.
import { createHash } from "node:crypto";
import { newId, type Db } from "@svc/db";
import { ImageRejectedError, inspectImage, type ImageType } from "@svc/images";
import { stagingKey } from "@svc/storage";
import type { ProfileImageJob } from "@svc/queue";
import { DependencyUnavailableError, NotFoundError, ValidationError, type FieldIssue } from "./errors";
import type { UserDeps } from "./ports";
import { findUser, toUserResource, type UserResource } from "./user-resource";

export interface AcceptedImage {
  bytes: Buffer;
  type: ImageType;
  sha256: string;
}

/**
 * Checks an uploaded file from its bytes alone. An empty part is "no image"
 * (browsers send one for an empty file input); a rejected one is an issue on `param`.
 */
export async function inspectUpload(
  bytes: Buffer | undefined,
  maxPixels: number,
  param: string,
  /** The bytes' SHA-256 when the caller has it already. */
  sha256?: string,
): Promise<{ image?: AcceptedImage; issues: FieldIssue[] }> {
  if (!bytes || bytes.length === 0) return { issues: [] };
  try {
    const { type } = await inspectImage(bytes, { maxPixels });
    return { image: { bytes, type, sha256: sha256 ?? sha256Hex(bytes) }, issues: [] };
  } catch (error) {
    if (error instanceof ImageRejectedError) return { issues: [{ code: error.code, message: error.message, param }] };
    throw error;
  }
}

export const sha256Hex = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

/** A staged original waiting to be committed with its user. */
export interface StagedImage extends AcceptedImage {
  imageId: string;
  stagingKey: string;
}

/** Uploads the original to the private staging bucket; 503 (nothing created) if storage is down. */
export async function stageImage(deps: UserDeps, deploymentId: string, image: AcceptedImage): Promise<StagedImage> {
  const imageId = newId("img");
  const key = stagingKey(deploymentId, imageId);
  try {
    await deps.storage.stageOriginal(key, image.bytes, `image/${image.type}`);
  } catch (cause) {
    throw new DependencyUnavailableError("storage", { cause });
  }
  return { ...image, imageId, stagingKey: key };
}

/** Best effort: a staged original whose user was never committed. */
export async function discardStaged(deps: UserDeps, staged: StagedImage | undefined): Promise<void> {
  if (!staged) return;
  await deps.storage.deleteStaged(staged.stagingKey).catch((error: unknown) => {
    deps.log.warn({ err: error, key: staged.stagingKey }, "could not remove an orphaned staged original");
  });
}

export function jobFor(deploymentId: string, userId: string, staged: StagedImage): ProfileImageJob {
  return { imageId: staged.imageId, userId, deploymentId, stagingKey: staged.stagingKey };
}

/** After commit. A failure leaves the image `pending` for the sweep; the request still succeeds. */
export async function enqueueAfterCommit(deps: UserDeps, job: ProfileImageJob): Promise<void> {
  try {
    await deps.queue.enqueue(job);
  } catch (error) {
    deps.log.warn({ err: error, imageId: job.imageId }, "enqueue failed; the sweep will enqueue this image");
  }
}

/** `POST /users/{id}/profile_image`: the new image becomes the user's newest; its job decides the URL. */
export async function replaceProfileImage(
  deps: UserDeps,
  deploymentId: string,
  userId: string,
  bytes: Buffer | undefined,
): Promise<UserResource> {
  const user = await findUser(deps.db, deploymentId, userId);
  if (!user) throw new NotFoundError("User");
  const { image, issues } = await inspectUpload(bytes, deps.maxImagePixels, "file");
  if (issues.length) throw new ValidationError(issues);
  if (!image) {
    throw new ValidationError([{ code: "form_param_missing", message: "An image file is required.", param: "file" }]);
  }
  const staged = await stageImage(deps, deploymentId, image);
  const now = new Date();
  try {
    // One statement: the record and the user's pointer to it commit together.
    await deps.db.$executeRaw`
      WITH new_image AS (
        INSERT INTO profile_images (id, deployment_id, user_id, status, staging_key, source_sha256, created_at, updated_at)
        VALUES (${staged.imageId}, ${deploymentId}, ${userId}, 'pending', ${staged.stagingKey}, ${staged.sha256}, ${now}, ${now}))
      UPDATE users SET profile_image_id = ${staged.imageId}, profile_image_status = 'pending', updated_at = ${now}
      WHERE id = ${userId}`;
  } catch (error) {
    await discardStaged(deps, staged);
    throw error;
  }
  await enqueueAfterCommit(deps, jobFor(deploymentId, userId, staged));
  const updated = await findUser(deps.db, deploymentId, userId);
  if (!updated) throw new NotFoundError("User");
  return toUserResource(updated);
}

/** `DELETE /users/{id}/profile_image`: no image; a job still running for an older one no longer applies. */
export async function clearProfileImage(deps: UserDeps, deploymentId: string, userId: string): Promise<UserResource> {
  const user = await findUser(deps.db, deploymentId, userId);
  if (!user) throw new NotFoundError("User");
  await deps.db.user.update({
    where: { id: userId },
    data: { profileImageId: null, profileImageStatus: "none", profilePictureUrl: "" },
  });
  await removeReplacedObjects(deps, userId, null);
  const updated = await findUser(deps.db, deploymentId, userId);
  if (!updated) throw new NotFoundError("User");
  return toUserResource(updated);
}

/** Deletes the stored avatars of a user's older images (all of them when keepKey is null). */
export async function removeReplacedObjects(deps: Pick<UserDeps, "db" | "storage" | "log">, userId: string, keepKey: string | null) {
  const old = await deps.db.profileImage.findMany({
    where: { userId, objectKey: keepKey === null ? { not: null } : { notIn: [keepKey] } },
    select: { id: true, objectKey: true },
  });
  for (const { id, objectKey } of old) {
    if (!objectKey) continue;
    try {
      await deps.storage.deletePublic(objectKey);
      await deps.db.profileImage.update({ where: { id }, data: { objectKey: null } });
    } catch (error) {
      deps.log.warn({ err: error, key: objectKey }, "could not remove a replaced avatar; will retry on the next change");
    }
  }
}

/** Enqueues every image still `pending` after the grace period (deterministic job ids make this idempotent). */
export async function sweepPendingImages(
  deps: Pick<UserDeps, "db" | "queue" | "log">,
  graceMs: number,
  limit = 500,
): Promise<number> {
  const stale = await deps.db.profileImage.findMany({
    where: { status: "pending", createdAt: { lt: new Date(Date.now() - graceMs) }, stagingKey: { not: null } },
    select: { id: true, userId: true, deploymentId: true, stagingKey: true },
    orderBy: { createdAt: "asc" },
    take: limit,
  });
  let enqueued = 0;
  for (const image of stale) {
    try {
      // Still pending in the database but failed in the queue (the database was
      // down for the job's whole retry budget): run it again.
      await deps.queue.enqueue(
        { imageId: image.id, userId: image.userId, deploymentId: image.deploymentId, stagingKey: image.stagingKey as string },
        { retryFailed: true },
      );
      enqueued++;
    } catch (error) {
      deps.log.warn({ err: error }, "sweep could not enqueue; will try again on the next sweep");
      break; // the queue is down: no use trying the rest now
    }
  }
  return enqueued;
}

/**
 * `Prefer: wait=N`: polls the user's image status until it leaves `pending`
 * or time runs out. Polling the database (not the queue) keeps working when
 * Redis is down and costs one indexed read per step.
 */
export async function waitForProfileImage(db: Db, deploymentId: string, userId: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let delay = 20;
  // Poll the status column alone; the whole user is read once, at the end.
  for (;;) {
    const row = await db.user.findFirst({ where: { id: userId, deploymentId }, select: { profileImageStatus: true } });
    if (!row) throw new NotFoundError("User");
    if (row.profileImageStatus !== "pending" || Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, Math.min(delay, Math.max(0, deadline - Date.now()))));
    delay = Math.min(delay * 1.5, 250);
  }
  const user = await findUser(db, deploymentId, userId);
  if (!user) throw new NotFoundError("User");
  return toUserResource(user);
}
