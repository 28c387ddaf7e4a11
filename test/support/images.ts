/**
 * Small image files for the files tests, built byte by byte: each carries its format's signature
 * and header with a chosen width and height (what the room reads), and filler bytes after.
 */

/** A PNG of `width` × `height` (signature, IHDR, and `extra` filler bytes). */
export function png(width: number, height: number, extra = 64): Uint8Array {
  const head = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, ...ascii("IHDR"), ...be32(width), ...be32(height), 8, 6, 0, 0, 0, 0, 0, 0, 0];
  return withFiller(head, extra);
}

/** A GIF89a of `width` × `height`. */
export function gif(width: number, height: number, extra = 32): Uint8Array {
  return withFiller([...ascii("GIF89a"), width & 0xff, width >> 8, height & 0xff, height >> 8, 0, 0, 0], extra);
}

/** An extended WebP (VP8X) of `width` × `height`. */
export function webp(width: number, height: number, extra = 32): Uint8Array {
  const w = width - 1;
  const h = height - 1;
  const head = [...ascii("RIFF"), 0, 0, 0, 0, ...ascii("WEBP"), ...ascii("VP8X"), 10, 0, 0, 0, 0, 0, 0, 0, w & 0xff, (w >> 8) & 0xff, (w >> 16) & 0xff, h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff];
  return withFiller(head, extra);
}

/** A JPEG of `width` × `height` whose frame header follows `metadata` bytes of APP1 segments (as a camera's EXIF does). */
export function jpeg(width: number, height: number, metadata = 0, extra = 64): Uint8Array {
  const bytes = [0xff, 0xd8, 0xff, 0xe0, 0, 16, ...ascii("JFIF"), 0, 1, 1, 0, 0, 1, 0, 1, 0, 0];
  let left = metadata;
  while (left > 0) {
    const n = Math.min(left, 65_000);
    bytes.push(0xff, 0xe1, ((n + 2) >> 8) & 0xff, (n + 2) & 0xff);
    for (let i = 0; i < n; i++) bytes.push(i % 251);
    left -= n;
  }
  bytes.push(0xff, 0xc0, 0, 17, 8, (height >> 8) & 0xff, height & 0xff, (width >> 8) & 0xff, width & 0xff, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1);
  bytes.push(0xff, 0xda, 0, 12, 3, 1, 0, 2, 0x11, 3, 0x11, 0, 0x3f, 0);
  return withFiller(bytes, extra);
}

/** HTML text (a page someone hopes the room will serve). */
export const HTML = new TextEncoder().encode("<!doctype html><html><body><script>alert(document.cookie)</script></body></html>");

/** An SVG with a script in it. */
export const SVG = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>');

function withFiller(head: number[], extra: number): Uint8Array {
  const out = new Uint8Array(head.length + extra);
  out.set(head);
  for (let i = 0; i < extra; i++) out[head.length + i] = (i * 7) % 256;
  return out;
}

function ascii(text: string): number[] {
  return [...text].map((c) => c.charCodeAt(0));
}

function be32(n: number): number[] {
  return [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}
