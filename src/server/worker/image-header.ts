/**
 * What an upload's bytes say they are (PROTOCOL.md v3, "Files"): the type from the signature at
 * their start, never from a header, and the picture's width and height from the image header, read
 * as the bytes stream past (a JPEG's frame header may follow tens of kilobytes of metadata; only a
 * few bytes are ever held). Anything else (SVG, HTML, a PDF renamed `.png`) has no signature here.
 */
import type { FileType } from "@edge-chat/protocol";

/** Bytes enough to judge every signature and the header of a PNG, GIF or WebP. */
export const HEAD_BYTES = 32;

/** An image's size in pixels. */
export interface PixelSize {
  width: number;
  height: number;
}

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The image type the first bytes of a file show, or undefined (not one of the four). */
export function typeOfBytes(head: Uint8Array): FileType | undefined {
  if (startsWith(head, PNG)) return "image/png";
  if (startsWith(head, [0xff, 0xd8, 0xff])) return "image/jpeg";
  if (ascii(head, 0, 6) === "GIF87a" || ascii(head, 0, 6) === "GIF89a") return "image/gif";
  if (ascii(head, 0, 4) === "RIFF" && ascii(head, 8, 12) === "WEBP") return "image/webp";
  return undefined;
}

/**
 * Reads an image's pixel size from its bytes as they stream past (`push` each chunk in order).
 * `size` is set once found; `failed` when the bytes break the format's header.
 */
export class ImageProbe {
  readonly #type: FileType;
  #head: Uint8Array = new Uint8Array(0);
  /** JPEG: bytes still to skip (the current segment's rest), then a marker is read from `#head`. */
  #skip = 2;
  size: PixelSize | undefined;
  failed = false;

  constructor(type: FileType) {
    this.#type = type;
  }

  /** True once the probe has its answer, either way. */
  get done(): boolean {
    return this.size !== undefined || this.failed;
  }

  /** The next chunk of the file. */
  push(chunk: Uint8Array): void {
    if (this.done) return;
    if (this.#type === "image/jpeg") return this.#jpeg(chunk);
    if (this.#head.length < HEAD_BYTES) this.#head = concat(this.#head, chunk.subarray(0, HEAD_BYTES - this.#head.length));
    if (this.#head.length < HEAD_BYTES) return;
    this.#settle(fixedHeader(this.#type, this.#head));
  }

  /** The file ended: a header still missing is a broken file. */
  end(): void {
    if (this.done) return;
    if (this.#type !== "image/jpeg") this.#settle(fixedHeader(this.#type, this.#head));
    if (!this.done) this.failed = true;
  }

  #settle(size: PixelSize | undefined): void {
    if (size && size.width > 0 && size.height > 0) this.size = size;
    else this.failed = true;
  }

  /** Walks JPEG segments up to the first frame header (SOFn), which holds the size. */
  #jpeg(chunk: Uint8Array): void {
    let data: Uint8Array = chunk;
    while (!this.done) {
      if (this.#skip > 0) {
        const n = Math.min(this.#skip, data.length);
        this.#skip -= n;
        data = data.subarray(n);
        if (this.#skip > 0) return;
      }
      if (data.length > 0) {
        this.#head = concat(this.#head, data);
        data = new Uint8Array(0);
      }
      const b = this.#head;
      if (b.length < 2) return;
      if (b[0] !== 0xff) return void (this.failed = true);
      const marker = b[1]!;
      // Fill bytes before a marker, and markers without a length (SOI, TEM, RSTn).
      if (marker === 0xff) {
        this.#head = b.subarray(1);
        continue;
      }
      if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
        this.#head = b.subarray(2);
        continue;
      }
      // The image data or its end came before any frame header.
      if (marker === 0xda || marker === 0xd9) return void (this.failed = true);
      if (b.length < 4) return;
      const length = (b[2]! << 8) | b[3]!;
      if (length < 2) return void (this.failed = true);
      if (isFrameHeader(marker)) {
        if (length < 7) return void (this.failed = true);
        if (b.length < 9) return;
        return this.#settle({ height: (b[5]! << 8) | b[6]!, width: (b[7]! << 8) | b[8]! });
      }
      const held = b.length - 2;
      if (held >= length) {
        this.#head = b.subarray(2 + length);
        continue;
      }
      this.#skip = length - held;
      this.#head = new Uint8Array(0);
    }
  }
}

/** SOF0–SOF15, except DHT (C4), JPG (C8) and DAC (CC), which share the range. */
function isFrameHeader(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

/** The size of a PNG, GIF or WebP from its first bytes. */
function fixedHeader(type: FileType, b: Uint8Array): PixelSize | undefined {
  switch (type) {
    case "image/png":
      if (b.length < 24 || ascii(b, 12, 16) !== "IHDR") return undefined;
      return { width: be32(b, 16), height: be32(b, 20) };
    case "image/gif":
      if (b.length < 10) return undefined;
      return { width: b[6]! | (b[7]! << 8), height: b[8]! | (b[9]! << 8) };
    case "image/webp":
      return webpSize(b);
    default:
      return undefined;
  }
}

/** WebP: lossy (`VP8 `), lossless (`VP8L`) or extended (`VP8X`, the canvas size). */
function webpSize(b: Uint8Array): PixelSize | undefined {
  const chunk = ascii(b, 12, 16);
  if (chunk === "VP8 " && b.length >= 30 && b[23] === 0x9d && b[24] === 0x01 && b[25] === 0x2a) {
    return { width: (b[26]! | (b[27]! << 8)) & 0x3fff, height: (b[28]! | (b[29]! << 8)) & 0x3fff };
  }
  if (chunk === "VP8L" && b.length >= 25 && b[20] === 0x2f) {
    const bits = b[21]! | (b[22]! << 8) | (b[23]! << 16) | (b[24]! << 24);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === "VP8X" && b.length >= 30) {
    return { width: 1 + (b[24]! | (b[25]! << 8) | (b[26]! << 16)), height: 1 + (b[27]! | (b[28]! << 8) | (b[29]! << 16)) };
  }
  return undefined;
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((byte, i) => bytes[i] === byte);
}

function ascii(bytes: Uint8Array, from: number, to: number): string {
  return bytes.length < to ? "" : String.fromCharCode(...bytes.subarray(from, to));
}

function be32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) >>> 0) + ((b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!);
}

/** Two byte arrays as one. */
export function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
