// The profile-image job as a definition shared by the API (producer) and the
// worker (consumer): queue name, payload schema, job id and retry options.
import type { JobsOptions } from "bullmq";
import { z } from "zod";

export const PROFILE_IMAGE_QUEUE = "profile-images";

/** The job name inside the queue; one queue, one kind of job. */
export const PROFILE_IMAGE_JOB_NAME = "process-profile-image";

const id = z.string().min(1).max(200);

/**
 * Ids and keys only: the bytes stay in object storage, so Redis memory does not
 * grow with uploads. Strict, so a stray field (say, a buffer) is an error rather
 * than silently dropped.
 */
export const profileImageJobSchema = z.strictObject({
  imageId: id,
  userId: id,
  deploymentId: id,
  stagingKey: z.string().min(1).max(1024),
});

export type ProfileImageJob = z.infer<typeof profileImageJobSchema>;

/**
 * One job per image, so a retry of the enqueue (or the sweep) cannot queue the
 * same image twice. BullMQ 6 rejects custom ids that look like integers or hold
 * ':'; the fixed prefix and the encoding rule out both.
 */
export function profileImageJobId(imageId: string): string {
  return `profile-image-${encodeURIComponent(imageId)}`;
}

/** Spread retries of many failed jobs so they do not hit a recovering store together. */
export const BACKOFF_JITTER = 0.5;

export function profileImageJobOptions(opts: { attempts: number; backoffMs: number }): JobsOptions {
  return {
    attempts: opts.attempts,
    backoff: { type: "exponential", delay: opts.backoffMs, jitter: BACKOFF_JITTER },
    // Completed jobs are only kept for inspection; the database holds the result.
    removeOnComplete: { age: 24 * 3600, count: 1000 },
    // Failed jobs stay a week for diagnosis, and while they exist the same job id cannot be re-added.
    removeOnFail: { age: 7 * 24 * 3600 },
  };
}
