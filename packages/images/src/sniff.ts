// Recognises the accepted image formats from their leading bytes, so neither a
// declared content type nor a file name decides what reaches the decoder.
export type ImageType = "jpeg" | "png" | "webp" | "gif" | "avif" | "tiff";

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_SOI = [0xff, 0xd8, 0xff];
const TIFF_LITTLE_ENDIAN = [0x49, 0x49, 0x2a, 0x00];
const TIFF_BIG_ENDIAN = [0x4d, 0x4d, 0x00, 0x2a];

// "avis" is an AVIF image sequence; sharp decodes its first frame like any AVIF.
const AVIF_BRANDS = new Set(["avif", "avis"]);

export function sniffImageType(bytes: Uint8Array): ImageType | undefined {
  if (hasBytes(bytes, 0, JPEG_SOI)) return "jpeg";
  if (hasBytes(bytes, 0, PNG_SIGNATURE)) return "png";
  if (hasAscii(bytes, 0, "GIF87a") || hasAscii(bytes, 0, "GIF89a")) return "gif";
  if (hasAscii(bytes, 0, "RIFF") && hasAscii(bytes, 8, "WEBP")) return "webp";
  if (hasBytes(bytes, 0, TIFF_LITTLE_ENDIAN) || hasBytes(bytes, 0, TIFF_BIG_ENDIAN)) return "tiff";
  if (ftypBrands(bytes).some((brand) => AVIF_BRANDS.has(brand))) return "avif";
  return undefined;
}

// HEIC shares AVIF's container (an ISO-BMFF `ftyp` box first), so only the brands
// tell them apart: HEIC lists heic/heix/mif1 and never avif/avis.
function ftypBrands(bytes: Uint8Array): string[] {
  if (bytes.length < 16 || !hasAscii(bytes, 4, "ftyp")) return [];
  // Only the 32-bit box size is read: a 64-bit size (1) or "to end of file" (0)
  // never occurs on a real ftyp box, and refusing them costs no genuine file.
  const boxSize = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0);
  if (boxSize < 16 || boxSize > bytes.length) return [];
  const brands = [ascii(bytes, 8, 4)];
  // Bytes 12..16 hold the minor version, not a brand.
  for (let offset = 16; offset + 4 <= boxSize; offset += 4) brands.push(ascii(bytes, offset, 4));
  return brands;
}

function hasBytes(bytes: Uint8Array, offset: number, expected: readonly number[]): boolean {
  if (bytes.length < offset + expected.length) return false;
  return expected.every((byte, index) => bytes[offset + index] === byte);
}

function hasAscii(bytes: Uint8Array, offset: number, text: string): boolean {
  return bytes.length >= offset + text.length && ascii(bytes, offset, text.length) === text;
}

function ascii(bytes: Uint8Array, offset: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(offset, offset + length));
}
