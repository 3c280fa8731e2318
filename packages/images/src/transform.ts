// What the worker does to an accepted image: decode the untrusted bytes under
// limits, orient, crop to a centred square, resize and re-encode with no metadata.
import type { Sharp, SharpOptions } from "sharp";
import { sharp } from "./sharp";
import { sniffImageType } from "./sniff";

export type AvatarFormat = "webp" | "avif" | "jpeg" | "png";

export interface AvatarOptions {
  /** Side of the square output in pixels; smaller images are not enlarged. */
  size: number;
  format: AvatarFormat;
  /** 1–100; ignored for PNG, which is lossless. */
  quality: number;
  maxPixels: number;
}

export interface Avatar {
  data: Buffer;
  contentType: string;
  extension: string;
  width: number;
  height: number;
}

// Retrying cannot help these bytes, so the worker fails the job at once on this.
export class UndecodableImageError extends Error {
  override readonly name = "UndecodableImageError";
}

const FORMATS: Record<AvatarFormat, { contentType: string; extension: string }> = {
  webp: { contentType: "image/webp", extension: "webp" },
  avif: { contentType: "image/avif", extension: "avif" },
  jpeg: { contentType: "image/jpeg", extension: "jpg" },
  png: { contentType: "image/png", extension: "png" },
};

export function contentTypeFor(format: AvatarFormat): string {
  return FORMATS[format].contentType;
}

export async function transformToAvatar(input: Buffer, options: AvatarOptions): Promise<Avatar> {
  // The API only stages sniffed types; checking again keeps libvips' other loaders
  // (SVG, PDF…) out of reach if anything else ever lands in the bucket.
  if (sniffImageType(input) === undefined) {
    throw new UndecodableImageError("The file is not a supported image type.");
  }
  const decode: SharpOptions = {
    limitInputPixels: options.maxPixels,
    // The default ("warning") also fails on recoverable oddities that cameras
    // write; a truncated file must still fail rather than come out half grey.
    failOn: "truncated",
    // An animation becomes its first frame.
    pages: 1,
  };

  const header = sharp(input, decode);
  const { width, height, pageHeight } = await decoding(() => header.metadata());
  // fit "cover" with withoutEnlargement leaves a small image uncropped (not
  // square), so aim for the largest square the image holds. The shorter side is
  // the same before and after auto-orientation.
  const side = Math.min(options.size, width, pageHeight ?? height);
  const pipeline = encode(
    sharp(input, decode)
      .autoOrient()
      .resize(side, side, { fit: "cover", position: "centre", withoutEnlargement: true }),
    options,
  );
  // Without keepMetadata()/withMetadata() sharp writes no EXIF, GPS, XMP or ICC.
  const { data, info } = await decoding(() => pipeline.toBuffer({ resolveWithObject: true }));
  return { data, ...FORMATS[options.format], width: info.width, height: info.height };
}

function encode(pipeline: Sharp, { format, quality }: AvatarOptions): Sharp {
  switch (format) {
    case "webp":
      return pipeline.webp({ quality });
    case "avif":
      return pipeline.avif({ quality });
    case "jpeg":
      // JPEG has no alpha and sharp would flatten transparency onto black.
      return pipeline.flatten({ background: "#ffffff" }).jpeg({ quality });
    case "png":
      // PNG quality in sharp means palette quantisation, which would band photos.
      return pipeline.png();
  }
}

// Option errors are thrown synchronously while the pipeline is built and stay
// programming errors; only what libvips reports while reading the bytes is wrapped.
async function decoding<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw new UndecodableImageError(reasonFrom(error), { cause: error });
  }
}

function reasonFrom(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = message.split("\n", 1)[0]?.trim() ?? "";
  return firstLine === ""
    ? "The image could not be decoded."
    : `The image could not be decoded: ${firstLine.slice(0, 200)}`;
}
