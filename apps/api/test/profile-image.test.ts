// The profile image end to end (SPEC 5): the API checks and stages the bytes,
// the real worker (in-process, real Redis and S3 server) makes the avatar.
import sharp from "sharp";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createObjectStore } from "@svc/storage";
import { processProfileImage } from "@svc/users";
import {
  BLUE,
  GREEN,
  RED,
  halfTransparentPng,
  near,
  pngHeaderOnly,
  solid,
  stripes,
  SVG,
  TEXT,
  twoFrameGif,
} from "../../../test/support/images";
import { createTestApi, startTestWorker, uniqueSuffix, type TestApi } from "../../../test/support/harness";
import { eventually } from "../../../test/support/poll";
import type { RunningWorker } from "../../worker/src/run";

let api: TestApi;
let worker: RunningWorker;
beforeAll(async () => {
  api = await createTestApi();
  worker = await startTestWorker(api.config);
});
afterAll(async () => {
  await worker.stop();
  await api.close();
});

const email = () => `pic.${uniqueSuffix()}@example.com`;

function create(image: Buffer | undefined, filename = "photo.jpg", headers: Record<string, string> = {}) {
  const req = request(api.app)
    .post("/users")
    .set("Authorization", api.auth)
    .set(headers)
    .field("email_address", email())
    .field("skip_password_check", "true");
  return image === undefined ? req : req.attach("profile_image", image, filename);
}

const userCount = () => api.context.db.user.count({ where: { deploymentId: api.deploymentId } });

async function readyUser(id: string) {
  return eventually(
    async () => {
      const res = await request(api.app).get(`/users/${id}`).set("Authorization", api.auth);
      return res.body.profile_image_status !== "pending" && res.body;
    },
    { what: `image of ${id}` },
  );
}

async function fetchImage(url: string) {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return { type: res.headers.get("content-type"), cache: res.headers.get("cache-control"), bytes: Buffer.from(await res.arrayBuffer()) };
}

describe("profile_image on POST /users", () => {
  it("turns a JPEG with EXIF orientation 6 into an upright 512×512 WebP without metadata", async () => {
    // Stored sideways: red left, blue right. Orientation 6 means "rotate 90° clockwise to view",
    // so the upright picture has red on top and blue at the bottom.
    const jpeg = await stripes(800, 600, [RED, BLUE]).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer();
    const res = await create(jpeg).expect(201);
    expect(res.body).toMatchObject({ profile_image_status: "pending", profile_picture_url: "" });

    const user = await readyUser(res.body.id);
    expect(user.profile_image_status).toBe("ready");
    const image = await fetchImage(user.profile_picture_url);
    expect(image.type).toBe("image/webp");
    expect(image.cache).toBe("public, max-age=31536000, immutable");
    const meta = await sharp(image.bytes).metadata();
    expect(meta).toMatchObject({ format: "webp", width: 512, height: 512 });
    expect(meta.exif).toBeUndefined();
    expect(meta.orientation).toBeUndefined();
    const pixel = async (x: number, y: number) => [...(await sharp(image.bytes).extract({ left: x, top: y, width: 1, height: 1 }).raw().toBuffer())];
    expect(near(await pixel(256, 20), RED)).toBe(true);
    expect(near(await pixel(256, 490), BLUE)).toBe(true);
  });

  it("keeps the alpha channel of a PNG", async () => {
    const res = await create(await halfTransparentPng(600, 600), "a.png").expect(201);
    const user = await readyUser(res.body.id);
    const { bytes } = await fetchImage(user.profile_picture_url);
    const meta = await sharp(bytes).metadata();
    expect(meta.hasAlpha).toBe(true);
    const [, , , alpha] = await sharp(bytes).extract({ left: 10, top: 256, width: 1, height: 1 }).raw().toBuffer();
    expect(alpha).toBe(0);
  });

  it("uses the first frame of an animated GIF", async () => {
    const res = await create(await twoFrameGif(60, 40), "a.gif").expect(201);
    const user = await readyUser(res.body.id);
    const { bytes } = await fetchImage(user.profile_picture_url);
    const meta = await sharp(bytes).metadata();
    expect(meta.pages ?? 1).toBe(1);
    expect(meta.width).toBe(40); // a square of the shorter side: never enlarged
    const pixel = [...(await sharp(bytes).extract({ left: 20, top: 20, width: 1, height: 1 }).raw().toBuffer())];
    expect(near(pixel.slice(0, 3), RED)).toBe(true);
  });

  it("answers 422 image_unsupported for a text file named .png and creates nothing", async () => {
    const before = await userCount();
    const res = await create(TEXT, "looks-like.png").expect(422);
    expect(res.body.errors).toEqual([expect.objectContaining({ code: "image_unsupported", param: "profile_image" })]);
    expect(await userCount()).toBe(before);
  });

  it("answers 422 image_unsupported for SVG", async () => {
    const res = await create(SVG, "a.svg").expect(422);
    expect(res.body.errors).toEqual([expect.objectContaining({ code: "image_unsupported", param: "profile_image" })]);
  });

  it("answers 422 image_too_large for a PNG header claiming 30000×30000, reading only the header", async () => {
    const res = await create(pngHeaderOnly(30000, 30000), "huge.png").expect(422);
    expect(res.body.errors).toEqual([expect.objectContaining({ code: "image_too_large", param: "profile_image" })]);
  });

  it("answers 413 for an 11 MiB upload and creates nothing", async () => {
    const before = await userCount();
    const big = Buffer.concat([await solid(64, 64).jpeg().toBuffer(), Buffer.alloc(11 * 1024 * 1024, 1)]);
    const res = await create(big).expect(413);
    expect(res.body.errors[0]).toMatchObject({ param: "profile_image" });
    expect(await userCount()).toBe(before);
  });

  it("ends a truncated JPEG as failed with the user intact", async () => {
    const jpeg = await solid(800, 600, GREEN).jpeg().toBuffer();
    const res = await create(jpeg.subarray(0, Math.floor(jpeg.length / 2))).expect(201);
    const user = await readyUser(res.body.id);
    expect(user).toMatchObject({ profile_image_status: "failed", profile_picture_url: "", id: res.body.id });
    expect(user.primary_email_address).toEqual(res.body.primary_email_address);
    const record = await api.context.db.profileImage.findFirstOrThrow({ where: { userId: res.body.id } });
    expect(record.failureReason).toMatch(/JPEG|truncated|premature/i);
  });

  it("treats an empty file part as no image", async () => {
    const res = await create(Buffer.alloc(0), "").expect(201);
    expect(res.body.profile_image_status).toBe("none");
  });

  it("with Prefer: wait=10 answers ready with a URL that serves image/webp", async () => {
    const jpeg = await solid(1200, 900, BLUE).jpeg().toBuffer();
    const res = await create(jpeg, "photo.jpg", { Prefer: "wait=10" }).expect(201);
    expect(res.body.profile_image_status).toBe("ready");
    expect(res.headers["preference-applied"]).toBe("wait=10");
    const image = await fetchImage(res.body.profile_picture_url);
    expect(image.type).toBe("image/webp");
  });
});

describe("replacing and clearing", () => {
  it("ends with the newest image when it is replaced twice quickly, and removes the older objects", async () => {
    const first = await create(await solid(600, 600, RED).jpeg().toBuffer()).expect(201);
    const id = first.body.id as string;
    const replace = async (colour: typeof RED) =>
      request(api.app)
        .post(`/users/${id}/profile_image`)
        .set("Authorization", api.auth)
        .attach("file", await solid(600, 600, colour).png().toBuffer(), "new.png")
        .expect(200);
    await replace(GREEN);
    await replace(BLUE);
    const user = await eventually(async () => {
      const u = await readyUser(id);
      const images = await api.context.db.profileImage.findMany({ where: { userId: id, status: "pending" } });
      return images.length === 0 && u;
    });
    expect(user.profile_image_status).toBe("ready");
    const { bytes } = await fetchImage(user.profile_picture_url);
    const pixel = [...(await sharp(bytes).extract({ left: 100, top: 100, width: 1, height: 1 }).raw().toBuffer())];
    expect(near(pixel, BLUE)).toBe(true);
    const store = createObjectStore({ ...api.config.storage, endpoint: api.config.storage.endpoint as string });
    await eventually(async () => (await store.listPublicKeys(`avatars/${id}/`)).length === 1, { what: "old avatars removed" });
  });

  it("keeps the newest image when an older job finishes last", async () => {
    const first = await create(await solid(300, 300, RED).jpeg().toBuffer()).expect(201);
    const id = first.body.id as string;
    const older = await api.context.db.profileImage.findFirstOrThrow({ where: { userId: id } });
    await request(api.app)
      .post(`/users/${id}/profile_image`)
      .set("Authorization", api.auth)
      .set("Prefer", "wait=10")
      .attach("file", await solid(300, 300, GREEN).jpeg().toBuffer(), "g.jpg")
      .expect(200);
    const ready = await readyUser(id);
    // Run the older image's job again now, as if it had been slow.
    const store = createObjectStore({ ...api.config.storage, endpoint: api.config.storage.endpoint as string });
    const outcome = await processProfileImage(
      { db: api.context.db, storage: store, log: api.logger(), avatar: { size: 512, format: "webp", quality: 80, maxPixels: 40e6 } },
      { imageId: older.id, userId: id, deploymentId: api.deploymentId, stagingKey: older.stagingKey ?? "gone" },
    );
    expect(outcome).not.toBe("ready");
    const after = await request(api.app).get(`/users/${id}`).set("Authorization", api.auth).expect(200);
    expect(after.body.profile_picture_url).toBe(ready.profile_picture_url);
  });

  it("DELETE clears the image and removes the object", async () => {
    const res = await create(await solid(300, 300, RED).jpeg().toBuffer(), "r.jpg", { Prefer: "wait=10" }).expect(201);
    expect(res.body.profile_image_status).toBe("ready");
    const cleared = await request(api.app)
      .delete(`/users/${res.body.id}/profile_image`)
      .set("Authorization", api.auth)
      .expect(200);
    expect(cleared.body).toMatchObject({ profile_image_status: "none", profile_picture_url: "" });
    expect((await fetch(res.body.profile_picture_url)).status).toBe(404);
  });
});
