import { describe, expect, it } from "vitest";
import { profileImageKey, publicUrl, stagingKey } from "./keys";

describe("stagingKey", () => {
  it("groups originals by deployment", () => {
    expect(stagingKey("dep-1", "img-9")).toBe("originals/dep-1/img-9");
  });
});

describe("profileImageKey", () => {
  const hash = "ab".repeat(32);

  it("is content-addressed: the same bytes' hash gives the same key", () => {
    expect(profileImageKey("user-1", hash, "webp")).toBe(`avatars/user-1/${hash}.webp`);
    expect(profileImageKey("user-1", hash, "webp")).toBe(
      profileImageKey("user-1", hash.toUpperCase(), ".webp"),
    );
  });

  it("differs between users and between outputs", () => {
    expect(profileImageKey("user-1", hash, "webp")).not.toBe(profileImageKey("user-2", hash, "webp"));
    expect(profileImageKey("user-1", hash, "webp")).not.toBe(
      profileImageKey("user-1", "cd".repeat(32), "webp"),
    );
  });
});

describe("publicUrl", () => {
  it("joins base and key with exactly one slash", () => {
    expect(publicUrl("https://cdn.example.com/avatars", "a/b.webp")).toBe(
      "https://cdn.example.com/avatars/a/b.webp",
    );
    expect(publicUrl("https://cdn.example.com/avatars/", "/a/b.webp")).toBe(
      "https://cdn.example.com/avatars/a/b.webp",
    );
    expect(publicUrl("http://127.0.0.1:9000//", "a//b.webp")).toBe("http://127.0.0.1:9000/a/b.webp");
  });

  it("encodes each segment but keeps the key's slashes", () => {
    expect(publicUrl("https://cdn.example.com", "avatars/a b/ü?#.webp")).toBe(
      "https://cdn.example.com/avatars/a%20b/%C3%BC%3F%23.webp",
    );
  });
});
