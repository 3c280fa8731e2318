import sharp from "sharp";
import { describe, expect, it } from "vitest";
import {
  BLUE,
  GREEN,
  halfTransparentPng,
  near,
  pixelAt,
  RED,
  solid,
  stripes,
  TEXT,
  twoFrameGif,
} from "../../../test/support/images";
import { sniffImageType } from "./sniff";
import { contentTypeFor, transformToAvatar, UndecodableImageError, type AvatarOptions } from "./transform";

const defaults: AvatarOptions = { size: 512, format: "webp", quality: 80, maxPixels: 40_000_000 };

async function undecodable(promise: Promise<unknown>): Promise<UndecodableImageError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(UndecodableImageError);
  const { message } = error as UndecodableImageError;
  expect(message).not.toMatch(/\n|\/|\\/);
  expect(message.length).toBeLessThan(250);
  return error as UndecodableImageError;
}

describe("transformToAvatar", () => {
  it("auto-orients from EXIF, crops square without enlarging and strips all metadata", async () => {
    // Stored 400×300 sideways: red on the left, blue on the right; orientation 6
    // means "rotate 90° clockwise to view", which puts red on top.
    const input = await stripes(400, 300, [RED, BLUE])
      .jpeg()
      .withMetadata({ orientation: 6 })
      .withExif({ IFD3: { GPSLatitudeRef: "N", GPSLatitude: "51/1 30/1 0/1" } })
      .withIccProfile("p3")
      .withXmp('<x:xmpmeta xmlns:x="adobe:ns:meta/"></x:xmpmeta>')
      .toBuffer();
    const before = await sharp(input).metadata();
    expect([before.orientation, Boolean(before.exif), Boolean(before.icc), Boolean(before.xmp)]).toEqual([
      6,
      true,
      true,
      true,
    ]);

    const avatar = await transformToAvatar(input, defaults);

    expect(avatar).toMatchObject({ contentType: "image/webp", extension: "webp", width: 300, height: 300 });
    const after = await sharp(avatar.data).metadata();
    expect(after).toMatchObject({ format: "webp", width: 300, height: 300 });
    expect(after.orientation).toBeUndefined();
    expect(after.exif).toBeUndefined();
    expect(after.icc).toBeUndefined();
    expect(after.xmp).toBeUndefined();
    expect(near(await pixelAt(avatar.data, 150, 20), RED)).toBe(true);
    expect(near(await pixelAt(avatar.data, 150, 280), BLUE)).toBe(true);
  });

  it("shrinks a 4000×3000 JPEG to 512×512 WebP", async () => {
    const input = await solid(4000, 3000).jpeg().toBuffer();
    const avatar = await transformToAvatar(input, defaults);
    expect(avatar).toMatchObject({ contentType: "image/webp", width: 512, height: 512 });
    expect(sniffImageType(avatar.data)).toBe("webp");
    expect(await sharp(avatar.data).metadata()).toMatchObject({ width: 512, height: 512 });
  });

  it("crops the centre of a wide image", async () => {
    const input = await stripes(300, 100, [RED, GREEN, BLUE]).png().toBuffer();
    const avatar = await transformToAvatar(input, defaults);
    expect([avatar.width, avatar.height]).toEqual([100, 100]);
    expect(near(await pixelAt(avatar.data, 2, 50), GREEN)).toBe(true);
    expect(near(await pixelAt(avatar.data, 97, 50), GREEN)).toBe(true);
  });

  it.each(["webp", "png", "avif"] as const)("keeps transparency in %s", async (format) => {
    const avatar = await transformToAvatar(await halfTransparentPng(), { ...defaults, format });
    expect((await sharp(avatar.data).metadata()).hasAlpha).toBe(true);
    expect((await pixelAt(avatar.data, 10, 50))[3]).toBe(0);
    expect(near(await pixelAt(avatar.data, 90, 50), [...GREEN, 255])).toBe(true);
  });

  it("flattens transparency onto white for JPEG", async () => {
    const avatar = await transformToAvatar(await halfTransparentPng(), { ...defaults, format: "jpeg" });
    expect(near(await pixelAt(avatar.data, 10, 50), [255, 255, 255])).toBe(true);
  });

  it("keeps only the first frame of an animated GIF", async () => {
    const input = await twoFrameGif(60, 40);
    expect((await sharp(input).metadata()).pages).toBe(2);
    const avatar = await transformToAvatar(input, defaults);
    const after = await sharp(avatar.data).metadata();
    expect(after.pages ?? 1).toBe(1);
    expect([avatar.width, avatar.height]).toEqual([40, 40]);
    expect(near(await pixelAt(avatar.data, 20, 20), RED)).toBe(true);
  });

  it("respects size and format options", async () => {
    const avatar = await transformToAvatar(await solid(640, 480).png().toBuffer(), {
      ...defaults,
      size: 128,
      format: "jpeg",
    });
    expect(avatar).toMatchObject({ contentType: "image/jpeg", extension: "jpg", width: 128, height: 128 });
    expect(await sharp(avatar.data).metadata()).toMatchObject({ format: "jpeg", width: 128, height: 128 });
  });

  it("encodes AVIF when asked", async () => {
    const avatar = await transformToAvatar(await solid(640, 480).jpeg().toBuffer(), {
      ...defaults,
      format: "avif",
    });
    expect(avatar).toMatchObject({ contentType: "image/avif", extension: "avif", width: 480, height: 480 });
    expect(sniffImageType(avatar.data)).toBe("avif");
  });

  it("fails on a truncated JPEG instead of returning a grey image", async () => {
    const jpeg = await sharp({
      create: {
        width: 800,
        height: 600,
        channels: 3,
        background: "#808080",
        noise: { type: "gaussian", mean: 128, sigma: 30 },
      },
    })
      .jpeg()
      .toBuffer();
    const error = await undecodable(transformToAvatar(jpeg.subarray(0, jpeg.length / 2), defaults));
    expect(error.message).toMatch(/premature end/i);
  });

  it("fails on garbage bytes and on text", async () => {
    await undecodable(
      transformToAvatar(Buffer.from([0xff, 0xd8, 0xff, ...Buffer.from("garbage")]), defaults),
    );
    await undecodable(transformToAvatar(TEXT, defaults));
  });

  it("fails on an image over the pixel limit", async () => {
    const error = await undecodable(
      transformToAvatar(await solid(200, 100).png().toBuffer(), { ...defaults, maxPixels: 19_999 }),
    );
    expect(error.message).toMatch(/pixel limit/);
  });

  it("leaves invalid options as programming errors, not undecodable images", async () => {
    const input = await solid(64, 64).png().toBuffer();
    const error = await transformToAvatar(input, { ...defaults, quality: 0 }).catch(
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(UndecodableImageError);
  });
});

describe("contentTypeFor", () => {
  it("names the media type of each output format", () => {
    expect(["webp", "avif", "jpeg", "png"].map((f) => contentTypeFor(f as AvatarOptions["format"]))).toEqual([
      "image/webp",
      "image/avif",
      "image/jpeg",
      "image/png",
    ]);
  });
});
