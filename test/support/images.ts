// Real image bytes for the unit tests, generated with sharp at run time so no
// binary fixtures are committed and each test shows how its input was made.
import { crc32 } from "node:zlib";
import sharp, { type FormatEnum } from "sharp";

export type Rgb = readonly [number, number, number];
export const RED: Rgb = [255, 0, 0];
export const GREEN: Rgb = [0, 255, 0];
export const BLUE: Rgb = [0, 0, 255];

export function solid(width: number, height: number, colour: Rgb = RED) {
  const [r, g, b] = colour;
  return sharp({ create: { width, height, channels: 3, background: { r, g, b } } });
}

export async function solidAs(format: keyof FormatEnum | "avif", width = 40, height = 30): Promise<Buffer> {
  return solid(width, height).toFormat(format).toBuffer();
}

/** Vertical stripes of equal width, left to right, so orientation and crop position show in pixels. */
export function stripes(width: number, height: number, colours: readonly Rgb[]) {
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const colour = colours[Math.floor((x * colours.length) / width)] ?? RED;
      raw.set(colour, (y * width + x) * 3);
    }
  }
  return sharp(raw, { raw: { width, height, channels: 3 } });
}

/** Left half fully transparent, right half opaque green. */
export async function halfTransparentPng(width = 100, height = 100): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = width / 2; x < width; x++) raw.set([0, 255, 0, 255], (y * width + x) * 4);
  }
  return sharp(raw, { raw: { width, height, channels: 4 } })
    .png()
    .toBuffer();
}

/** Two frames, the first red and the second blue. */
export async function twoFrameGif(width = 60, height = 40): Promise<Buffer> {
  const frame = width * height * 3;
  const raw = Buffer.alloc(frame * 2);
  for (let i = 0; i < width * height; i++) {
    raw.set(RED, i * 3);
    raw.set(BLUE, frame + i * 3);
  }
  return sharp(raw, { raw: { width, height: height * 2, channels: 3, pageHeight: height } })
    .gif()
    .toBuffer();
}

/**
 * A PNG whose IHDR claims the given size, followed by an IDAT of garbage instead
 * of compressed pixels. libspng reads chunks up to the first IDAT to answer
 * metadata(), so without that chunk even the header is reported corrupt.
 */
export function pngHeaderOnly(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", ihdr),
    pngChunk("IDAT", Buffer.from("not a zlib stream, just garbage ".repeat(8))),
  ]);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const typeAndData = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

/** The start of an ISO-BMFF file: an ftyp box with the given brands, then filler. */
export function ftypHeader(majorBrand: string, compatibleBrands: readonly string[]): Buffer {
  const brands = compatibleBrands.join("");
  const box = Buffer.alloc(16 + brands.length);
  box.writeUInt32BE(box.length, 0);
  box.write("ftyp", 4, "ascii");
  box.write(majorBrand, 8, "ascii");
  box.write(brands, 16, "ascii");
  return Buffer.concat([box, Buffer.alloc(64)]);
}

export const SVG = Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><rect width="100" height="100"/></svg>',
);
export const TEXT = Buffer.from("Just some text, not an image at all.\n");

/** The RGB(A) values of one pixel of an encoded image. */
export async function pixelAt(image: Buffer, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(image).raw().toBuffer({ resolveWithObject: true });
  const offset = (y * info.width + x) * info.channels;
  return [...data.subarray(offset, offset + info.channels)];
}

/** True when every channel is within `tolerance` of the expected value (lossy encoders drift a little). */
export function near(actual: readonly number[], expected: readonly number[], tolerance = 24): boolean {
  return expected.every((value, index) => Math.abs((actual[index] ?? Number.NaN) - value) <= tolerance);
}
