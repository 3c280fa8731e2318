import { describe, expect, it } from "vitest";
import { ftypHeader, pngHeaderOnly, solid, solidAs, SVG, TEXT, twoFrameGif } from "../../../test/support/images";
import { ImageRejectedError, inspectImage } from "./inspect";

const limits = { maxPixels: 40_000_000 };

async function rejection(promise: Promise<unknown>): Promise<ImageRejectedError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ImageRejectedError);
  return error as ImageRejectedError;
}

describe("inspectImage", () => {
  it("returns the type and the real dimensions", async () => {
    const jpeg = await solid(640, 480).jpeg().toBuffer();
    await expect(inspectImage(jpeg, limits)).resolves.toEqual({ type: "jpeg", width: 640, height: 480 });
  });

  it.each(["png", "webp", "gif", "avif", "tiff"] as const)("reads a %s header", async (type) => {
    await expect(inspectImage(await solidAs(type, 33, 21), limits)).resolves.toEqual({
      type,
      width: 33,
      height: 21,
    });
  });

  it("counts one frame of an animation", async () => {
    await expect(inspectImage(await twoFrameGif(60, 40), limits)).resolves.toEqual({
      type: "gif",
      width: 60,
      height: 40,
    });
  });

  it("refuses a 30000×30000 header without decoding its (garbage) pixels", async () => {
    const error = await rejection(inspectImage(pngHeaderOnly(30_000, 30_000), limits));
    expect(error.code).toBe("image_too_large");
    expect(error.message).toContain("40 megapixels");
    expect(error.message).toContain("30000×30000");
  });

  it("accepts an image at the limit and refuses one pixel over it", async () => {
    const png = pngHeaderOnly(100, 100);
    await expect(inspectImage(png, { maxPixels: 10_000 })).resolves.toMatchObject({ width: 100 });
    expect((await rejection(inspectImage(png, { maxPixels: 9_999 }))).code).toBe("image_too_large");
  });

  it.each([
    ["text", TEXT],
    ["SVG", SVG],
    ["HEIC", ftypHeader("heic", ["mif1", "heic"])],
  ])("refuses %s as unsupported", async (_name, bytes) => {
    const error = await rejection(inspectImage(bytes, limits));
    expect(error.code).toBe("image_unsupported");
    expect(error.message).toBe("The profile image must be a JPEG, PNG, WebP, GIF, AVIF or TIFF file.");
  });

  it("refuses an accepted signature whose header is corrupt", async () => {
    const corrupt = Buffer.concat([pngHeaderOnly(10, 10).subarray(0, 8), Buffer.from("garbage".repeat(10))]);
    const error = await rejection(inspectImage(corrupt, limits));
    expect(error.code).toBe("image_unsupported");
    expect(error.message).toMatch(/could not be read as an image/);
  });

  it("refuses an AVIF brand on bytes that are not an AVIF", async () => {
    const error = await rejection(inspectImage(ftypHeader("avif", ["mif1", "avif"]), limits));
    expect(error.code).toBe("image_unsupported");
  });
});
