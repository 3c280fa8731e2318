// The API's synchronous gate for an uploaded image: accepted type from the bytes,
// dimensions from the header alone, so an oversized image is refused before any
// pixel is decoded or anything is stored.
import type { Metadata } from "sharp";
import { sharp } from "./sharp";
import { sniffImageType, type ImageType } from "./sniff";

export type ImageRejectionCode = "image_unsupported" | "image_too_large";

export class ImageRejectedError extends Error {
  override readonly name = "ImageRejectedError";
  readonly code: ImageRejectionCode;

  constructor(code: ImageRejectionCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

export interface ImageLimits {
  maxPixels: number;
}

export interface ImageInfo {
  type: ImageType;
  width: number;
  height: number;
}

// The loader libvips picks must agree with our sniff, or the worker would decode
// something other than what the API accepted.
const SHARP_FORMAT: Record<ImageType, Metadata["format"]> = {
  jpeg: "jpeg",
  png: "png",
  webp: "webp",
  gif: "gif",
  avif: "heif",
  tiff: "tiff",
};

export async function inspectImage(bytes: Buffer, limits: ImageLimits): Promise<ImageInfo> {
  const type = sniffImageType(bytes);
  if (type === undefined) throw unsupportedType();

  const metadata = await readHeader(bytes);
  if (metadata.format !== SHARP_FORMAT[type]) throw unreadable();
  // HEIC is refused even when its ftyp claims an AVIF brand (and the prebuilt
  // libheif could not decode HEVC anyway).
  if (metadata.compression === "hevc") throw unsupportedType();

  // Only the first frame of an animation is ever decoded, so it alone counts.
  const width = metadata.width;
  const height = metadata.pageHeight ?? metadata.height;
  if (width * height > limits.maxPixels) {
    throw new ImageRejectedError(
      "image_too_large",
      `The profile image is ${width}×${height} pixels (${megapixels(width * height)} megapixels); ` +
        `the limit is ${megapixels(limits.maxPixels)} megapixels.`,
    );
  }
  return { type, width, height };
}

async function readHeader(bytes: Buffer): Promise<Metadata> {
  try {
    // metadata() applies sharp's own pixel limit (268 MP by default) even though it
    // decodes nothing; lift it so the size check below answers with our limit.
    return await sharp(bytes, { limitInputPixels: false, failOn: "truncated" }).metadata();
  } catch (error) {
    throw unreadable(error);
  }
}

function unsupportedType(): ImageRejectedError {
  return new ImageRejectedError(
    "image_unsupported",
    "The profile image must be a JPEG, PNG, WebP, GIF, AVIF or TIFF file.",
  );
}

function unreadable(cause?: unknown): ImageRejectedError {
  return new ImageRejectedError(
    "image_unsupported",
    "The profile image could not be read as an image; the file may be damaged.",
    cause === undefined ? undefined : { cause },
  );
}

function megapixels(pixels: number): string {
  return String(Math.round(pixels / 100_000) / 10);
}
