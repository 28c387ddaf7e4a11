/**
 * The image header reader of uploads (src/server/worker/image-header.ts): the type from the
 * signature only, and the width and height of each format however the bytes are cut into chunks
 * (a JPEG's frame header after long metadata, split anywhere), broken headers refused.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { FileType } from "@edge-chat/protocol";
import { ImageProbe, typeOfBytes } from "../../src/server/worker/image-header.ts";
import { HTML, SVG, gif, jpeg, png, webp } from "../support/images.ts";

/** Feeds `bytes` to a probe in chunks cut at `cuts` (offsets), then ends it. */
function probe(type: FileType, bytes: Uint8Array, cuts: number[] = []): ImageProbe {
  const p = new ImageProbe(type);
  let at = 0;
  for (const cut of [...cuts.filter((c) => c > 0 && c < bytes.length)].sort((a, b) => a - b).concat(bytes.length)) {
    p.push(bytes.subarray(at, cut));
    at = cut;
  }
  p.end();
  return p;
}

describe("typeOfBytes", () => {
  it("knows the four signatures and nothing else", () => {
    expect(typeOfBytes(png(1, 1))).toBe("image/png");
    expect(typeOfBytes(jpeg(1, 1))).toBe("image/jpeg");
    expect(typeOfBytes(gif(1, 1))).toBe("image/gif");
    expect(typeOfBytes(webp(1, 1))).toBe("image/webp");
    for (const other of [HTML, SVG, new Uint8Array(0), new TextEncoder().encode("%PDF-1.7"), new TextEncoder().encode("RIFF\0\0\0\0WAVEfmt ")]) {
      expect(typeOfBytes(other)).toBeUndefined();
    }
  });
});

describe("ImageProbe", () => {
  it("reads each format's width and height, whatever the chunks", () => {
    const cases: [FileType, Uint8Array, number, number][] = [
      ["image/png", png(4000, 3000), 4000, 3000],
      ["image/gif", gif(65535, 1), 65535, 1],
      ["image/webp", webp(16383, 2), 16383, 2],
      ["image/jpeg", jpeg(1920, 1080, 70_000), 1920, 1080],
    ];
    for (const [type, bytes, width, height] of cases) {
      fc.assert(
        fc.property(fc.array(fc.nat({ max: bytes.length }), { maxLength: 12 }), (cuts) => {
          expect(probe(type, bytes, cuts).size).toEqual({ width, height });
        }),
        { numRuns: 50 },
      );
      // One byte at a time too.
      expect(probe(type, bytes, Array.from({ length: Math.min(bytes.length, 400) }, (_, i) => i)).size).toEqual({ width, height });
    }
  });

  it("reads lossy (VP8) and lossless (VP8L) WebP headers", () => {
    const lossy = new Uint8Array(40);
    lossy.set([...new TextEncoder().encode("RIFF\0\0\0\0WEBPVP8 ")], 0);
    lossy.set([0, 0, 0, 0, 0, 0, 0, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01], 16);
    expect(probe("image/webp", lossy).size).toEqual({ width: 640, height: 480 });
    const lossless = new Uint8Array(40);
    lossless.set([...new TextEncoder().encode("RIFF\0\0\0\0WEBPVP8L")], 0);
    const bits = (100 - 1) | ((50 - 1) << 14);
    lossless.set([0, 0, 0, 0, 0x2f, bits & 0xff, (bits >> 8) & 0xff, (bits >> 16) & 0xff, (bits >>> 24) & 0xff], 16);
    expect(probe("image/webp", lossless).size).toEqual({ width: 100, height: 50 });
  });

  it("refuses broken headers: cut short, zero pixels, a JPEG whose image data comes before any frame header", () => {
    expect(probe("image/png", png(10, 10).subarray(0, 20)).failed).toBe(true);
    expect(probe("image/png", png(0, 10)).failed).toBe(true);
    expect(probe("image/jpeg", jpeg(10, 10, 5_000).subarray(0, 3_000)).failed).toBe(true);
    expect(probe("image/jpeg", new Uint8Array([0xff, 0xd8, 0xff, 0xda, 0, 4, 0, 0, 0xff, 0xc0, 0, 17, 8, 0, 9, 0, 9])).failed).toBe(true);
    expect(probe("image/gif", new TextEncoder().encode("GIF89a")).failed).toBe(true);
  });
});
