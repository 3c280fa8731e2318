// What the worker does for one job: staged original → avatar in the public
// bucket → the user's URL, applied only while the image is still the user's
// newest. Safe to run twice: the output key is content-addressed and every
// write is conditional.
import type { Db } from "@svc/db";
import { transformToAvatar, type AvatarOptions } from "@svc/images";
import { ObjectNotFoundError, profileImageKey } from "@svc/storage";
import type { ProfileImageJob } from "@svc/queue";
import { removeReplacedObjects, sha256Hex } from "./profile-images";
import type { Logger, ObjectStorePort } from "./ports";

export interface ProcessDeps {
  db: Db;
  storage: ObjectStorePort;
  log: Logger;
  avatar: AvatarOptions;
}

export type ProcessOutcome = "ready" | "superseded" | "already_done";

/** The image left the pipeline for good; a job that throws this must not be retried. */
export class ProfileImageRejectedError extends Error {
  override name = "ProfileImageRejectedError";
}

export async function processProfileImage(deps: ProcessDeps, job: ProfileImageJob): Promise<ProcessOutcome> {
  const { db, storage } = deps;
  const image = await db.profileImage.findUnique({ where: { id: job.imageId } });
  // A failed image that still has its original gave up on transient errors: a retry may run it.
  if (!image || image.status === "ready" || image.stagingKey === null) {
    // An earlier run may have committed and then failed or died before removing the
    // original (storage down, SIGKILL): remove it now, or it stays in staging for ever.
    await storage.deleteStaged(job.stagingKey);
    return "already_done";
  }

  const current = await db.user.findUnique({ where: { id: job.userId }, select: { profileImageId: true } });
  if (current?.profileImageId !== job.imageId) {
    await retire(deps, job, "superseded by a newer image");
    return "superseded";
  }

  let original: Buffer;
  try {
    original = await storage.readStaged(job.stagingKey);
  } catch (error) {
    if (!(error instanceof ObjectNotFoundError)) throw error;
    // A concurrent run of this very job may have finished and removed it.
    const again = await db.profileImage.findUnique({ where: { id: job.imageId }, select: { stagingKey: true } });
    if (again?.stagingKey === null) return "already_done";
    await markFailed(db, job, "the staged original is missing", { originalKept: false });
    throw new ProfileImageRejectedError("the staged original is missing");
  }

  let avatar;
  try {
    avatar = await transformToAvatar(original, deps.avatar);
  } catch (error) {
    if (error instanceof Error && error.name === "UndecodableImageError") {
      await markFailed(db, job, error.message, { originalKept: false });
      await storage.deleteStaged(job.stagingKey);
      throw new ProfileImageRejectedError(error.message);
    }
    throw error;
  }

  const sha256 = sha256Hex(avatar.data);
  const key = profileImageKey(job.userId, sha256, avatar.extension);
  const url = storage.publicUrl(key);
  await storage.putPublic(key, avatar.data, avatar.contentType);

  const applied = await db.$transaction(async (tx) => {
    const { count } = await tx.user.updateMany({
      where: { id: job.userId, profileImageId: job.imageId },
      data: { profilePictureUrl: url, profileImageStatus: "ready" },
    });
    await tx.profileImage.update({
      where: { id: job.imageId },
      data:
        count === 1
          ? { status: "ready", objectKey: key, url, stagingKey: null }
          : { status: "failed", failureReason: "superseded by a newer image", stagingKey: null },
    });
    return count === 1;
  });

  if (applied) {
    await removeReplacedObjects(deps, job.userId, key);
  } else {
    const sharing = await db.user.count({ where: { id: job.userId, profilePictureUrl: url } });
    if (sharing === 0) await storage.deletePublic(key);
  }
  await storage.deleteStaged(job.stagingKey);
  return applied ? "ready" : "superseded";
}

async function retire(deps: ProcessDeps, job: ProfileImageJob, reason: string) {
  await deps.db.profileImage.updateMany({
    where: { id: job.imageId, status: { not: "ready" } },
    data: { status: "failed", failureReason: reason, stagingKey: null },
  });
  await deps.storage.deleteStaged(job.stagingKey);
}

/**
 * Records a final failure; the user shows `failed` only if this was its newest
 * image. When the original is kept (gave up on transient errors), retrying the
 * job from the dashboard can still succeed.
 */
export async function markFailed(
  db: Db,
  job: Pick<ProfileImageJob, "imageId" | "userId">,
  reason: string,
  { originalKept }: { originalKept: boolean },
) {
  await db.$transaction(async (tx) => {
    const { count } = await tx.profileImage.updateMany({
      where: { id: job.imageId, status: { not: "ready" } },
      data: { status: "failed", failureReason: reason, ...(originalKept ? {} : { stagingKey: null }) },
    });
    // A ready image stays ready: a job that only failed its clean-up must not mark the user failed.
    if (count === 0) return;
    await tx.user.updateMany({
      where: { id: job.userId, profileImageId: job.imageId },
      data: { profileImageStatus: "failed" },
    });
  });
}
