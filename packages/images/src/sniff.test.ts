import { describe, expect, it } from "vitest";
import { ftypHeader, SVG, solidAs, TEXT } from "../../../test/support/images";
import { sniffImageType, type ImageType } from "./sniff";

describe("sniffImageType", () => {
  it.each<ImageType>(["jpeg", "png", "webp", "gif", "avif", "tiff"])(
    "recognises a %s made by sharp",
    async (type) => {
      expect(sniffImageType(await solidAs(type))).toBe(type);
    },
  );

  it("recognises GIF87a and big-endian TIFF", () => {
    expect(sniffImageType(Buffer.from("GIF87a\x01\x00\x01\x00", "latin1"))).toBe("gif");
    expect(sniffImageType(Buffer.from([0x4d, 0x4d, 0x00, 0x2a, 0, 0, 0, 8]))).toBe("tiff");
  });

  it("recognises AVIF from a compatible brand and an AVIF sequence", () => {
    expect(sniffImageType(ftypHeader("mif1", ["mif1", "avif", "miaf"]))).toBe("avif");
    expect(sniffImageType(ftypHeader("avis", ["avis", "msf1"]))).toBe("avif");
  });

  it("reads a view that does not start at the beginning of its buffer", async () => {
    const avif = await solidAs("avif");
    const backing = new Uint8Array(avif.length + 7);
    backing.set(avif, 7);
    expect(sniffImageType(backing.subarray(7))).toBe("avif");
  });

  it.each([
    ["SVG", SVG],
    ["SVG with an XML declaration", Buffer.concat([Buffer.from('<?xml version="1.0"?>\n'), SVG])],
    ["plain text", TEXT],
    ["HEIC", ftypHeader("heic", ["mif1", "heic"])],
    ["HEIF without an AVIF brand", ftypHeader("mif1", ["mif1", "heix", "miaf"])],
    ["an MP4 video", ftypHeader("isom", ["isom", "iso2", "mp41"])],
    ["an empty file", Buffer.alloc(0)],
    ["the first bytes of a PNG signature only", Buffer.from([0x89, 0x50, 0x4e])],
    ["a RIFF that is not WebP", Buffer.from("RIFF\x24\x00\x00\x00WAVEfmt ", "latin1")],
  ])("refuses %s", (_name, bytes) => {
    expect(sniffImageType(bytes)).toBeUndefined();
  });

  it("does not take an avif brand from beyond the ftyp box", () => {
    const heic = ftypHeader("heic", ["mif1", "heic"]);
    heic.write("avif", 32, "ascii");
    expect(sniffImageType(heic)).toBeUndefined();
  });
});
