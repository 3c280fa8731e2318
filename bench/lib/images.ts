// Test images, made at bench start: smooth photo-like patterns with noise so
// that JPEGs come out at realistic sizes for their resolution.
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import sharp from "sharp";

export interface TestImage {
  path: string;
  bytes: number;
  width: number;
  height: number;
  format: "jpeg" | "png";
}

export interface TestImages {
  /** 12 MP (4000×3000) JPEG, about 4 MB: a camera photo. */
  jpeg12mp: TestImage;
  /** 12 MP (4000×3000) PNG, about 8 MB: a screenshot-like lossless image. */
  png12mp: TestImage;
  /** About 2 MB JPEG at 8 MP (3264×2448): a phone photo. */
  jpeg2mb: TestImage;
  /** Just under the 10 MiB upload limit (noise PNG, incompressible). */
  upload10mib: TestImage;
}

function photoPixels(width: number, height: number, noise: number, seed: number, detail: boolean): Buffer {
  const buf = Buffer.allocUnsafe(width * height * 3);
  let s = seed >>> 0 || 1;
  let i = 0;
  for (let y = 0; y < height; y++) {
    const cy = Math.cos(y / (height / 5));
    for (let x = 0; x < width; x++) {
      const base = 128 + 60 * Math.sin(x / (width / 7) + seed) * cy;
      for (let c = 0; c < 3; c++) {
        // xorshift32: fast, deterministic noise
        s ^= s << 13;
        s >>>= 0;
        s ^= s >>> 17;
        s ^= s << 5;
        s >>>= 0;
        const grain = noise ? (s / 4294967296 - 0.5) * 2 * noise : 0;
        const v = base + (detail ? 40 * Math.sin((x * (c + 1)) / 233 + y / 97) : 0) + grain;
        buf[i++] = v < 0 ? 0 : v > 255 ? 255 : v;
      }
    }
  }
  return buf;
}

async function jpegNear(width: number, height: number, targetBytes: number, quality: number): Promise<Buffer> {
  // Noise drives the JPEG size; a couple of proportional corrections get close enough.
  let noise = 16;
  let best: Buffer | undefined;
  for (let attempt = 0; attempt < 4; attempt++) {
    const raw = photoPixels(width, height, noise, 7 + attempt, true);
    const jpeg = await sharp(raw, { raw: { width, height, channels: 3 } }).jpeg({ quality }).toBuffer();
    if (!best || Math.abs(jpeg.length - targetBytes) < Math.abs(best.length - targetBytes)) best = jpeg;
    if (Math.abs(jpeg.length - targetBytes) / targetBytes < 0.08) break;
    noise = Math.max(1, noise * (targetBytes / jpeg.length) ** 1.3);
  }
  return best as Buffer;
}

export async function makeTestImages(dir: string, maxUploadBytes: number): Promise<TestImages> {
  const write = async (name: string, data: Buffer, width: number, height: number, format: TestImage["format"]) => {
    const file = path.join(dir, name);
    await writeFile(file, data);
    return { path: file, bytes: data.length, width, height, format };
  };

  const jpeg12mp = await write("photo-12mp.jpg", await jpegNear(4000, 3000, 4_000_000, 90), 4000, 3000, "jpeg");
  const jpeg2mb = await write("photo-2mb.jpg", await jpegNear(3264, 2448, 2_000_000, 88), 3264, 2448, "jpeg");

  const png = await sharp(photoPixels(4000, 3000, 0, 3, true), { raw: { width: 4000, height: 3000, channels: 3 } })
    .png()
    .toBuffer();
  const png12mp = await write("screen-12mp.png", png, 4000, 3000, "png");

  // Random pixels do not compress: the PNG is the raw size plus a little framing.
  const width = 1800;
  let height = Math.floor((maxUploadBytes - 128 * 1024) / 3 / width);
  let noisePng: Buffer;
  for (;;) {
    noisePng = await sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } })
      .png({ compressionLevel: 1 })
      .toBuffer();
    if (noisePng.length <= maxUploadBytes) break;
    height -= 20;
  }
  const upload10mib = await write("noise-10mib.png", noisePng, width, height, "png");
  return { jpeg12mp, png12mp, jpeg2mb, upload10mib };
}
