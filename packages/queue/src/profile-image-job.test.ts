import { Backoffs, type BackoffOptions } from "bullmq";
import { describe, expect, it } from "vitest";
import { profileImageJobId, profileImageJobOptions, profileImageJobSchema } from "./profile-image-job";

describe("profileImageJobOptions", () => {
  const options = profileImageJobOptions({ attempts: 10, backoffMs: 1000 });

  it("retries with exponential backoff and jitter", () => {
    expect(options.attempts).toBe(10);
    expect(options.backoff).toEqual({ type: "exponential", delay: 1000, jitter: expect.any(Number) });
    const { jitter } = options.backoff as { jitter: number };
    expect(jitter).toBeGreaterThan(0);
    expect(jitter).toBeLessThanOrEqual(1);
  });

  it("spreads the delays BullMQ computes, within the exponential envelope", () => {
    const backoff = options.backoff as BackoffOptions;
    // Third attempt: 2^(3-1) × 1000 ms at most.
    const delays = Array.from({ length: 50 }, () =>
      Backoffs.calculate(backoff, 3, new Error("x"), undefined as never),
    );
    for (const delay of delays) {
      expect(delay).toBeGreaterThanOrEqual(4000 * 0.5);
      expect(delay).toBeLessThanOrEqual(4000);
    }
    expect(new Set(delays).size).toBeGreaterThan(1);
  });

  it("keeps finished jobs for a bounded time", () => {
    expect(options.removeOnComplete).toEqual({ age: 24 * 3600, count: 1000 });
    expect(options.removeOnFail).toEqual({ age: 7 * 24 * 3600 });
  });
});

describe("profileImageJobId", () => {
  it("is deterministic and one per image", () => {
    expect(profileImageJobId("img-1")).toBe(profileImageJobId("img-1"));
    expect(profileImageJobId("img-1")).not.toBe(profileImageJobId("img-2"));
  });

  it("never has the shapes BullMQ rejects (integer-like, ':')", () => {
    for (const imageId of ["42", "0", "a:b", "a:b:c", "550e8400-e29b-41d4-a716-446655440000"]) {
      const jobId = profileImageJobId(imageId);
      expect(jobId).not.toContain(":");
      expect(`${parseInt(jobId, 10)}`).not.toBe(jobId);
    }
    // Encoding keeps distinct image ids distinct.
    expect(profileImageJobId("a:b")).not.toBe(profileImageJobId("a%3Ab"));
  });
});

describe("profileImageJobSchema", () => {
  const job = { imageId: "i", userId: "u", deploymentId: "d", stagingKey: "originals/d/i" };

  it("accepts ids and keys", () => {
    expect(profileImageJobSchema.parse(job)).toEqual(job);
  });

  it("rejects extra fields such as image bytes, and missing ids", () => {
    expect(profileImageJobSchema.safeParse({ ...job, bytes: Buffer.from("x") }).success).toBe(false);
    expect(profileImageJobSchema.safeParse({ ...job, imageId: "" }).success).toBe(false);
    const withoutKey: Partial<typeof job> = { ...job };
    delete withoutKey.stagingKey;
    expect(profileImageJobSchema.safeParse(withoutKey).success).toBe(false);
  });
});
