/**
 * Uploads a picture to a room (protocol v3, "Files"): `POST /api/rooms/:room/files` with the
 * user's credential, answered with the file object that `say({ files: [id] })` attaches. Where
 * `XMLHttpRequest` exists (browsers) the upload reports its progress; elsewhere (Node, Deno, Bun,
 * Workers) it goes by `fetch`, without progress. A refusal rejects with an `UploadError` carrying
 * the room's status and code (`too_large`, `bad_type`, `muted`, `rate_limited` with
 * `retryAfterMs`, ...).
 */
import { RoomHttpError } from "./http-error.ts";
import { FILE_TYPES, type FileRef, type FileType } from "@edge-chat/protocol";

/** What `uploadFile` is told. */
export interface UploadOptions {
  /** The room's name. */
  room: string;
  /**
   * The user's credential: the anonymous token of their hello, or a signed token; none behind
   * Cloudflare Access, whose header the browser's request carries by itself.
   */
  credential?: string;
  /** The bytes: a `Blob`/`File` in a browser, or bytes. */
  body: UploadBody;
  /** The image type; a `File`'s own `type` when left out. */
  type?: FileType;
  /** The file's name, shown to others (1–128 characters). */
  name?: string;
  /** The server's origin, e.g. `https://chat.example` (the page's own when left out: a relative URL). */
  origin?: string;
  /** Called as bytes go out (browsers only): bytes sent, and the total. */
  onProgress?: (sent: number, total: number) => void;
  /** Aborts the upload (rejects with the code `aborted`). */
  signal?: { readonly aborted: boolean; addEventListener(type: "abort", listener: () => void): void };
}

/** The bytes of an upload. */
export type UploadBody = Uint8Array | ArrayBuffer | { readonly size: number; readonly type: string; readonly name?: string };

/** An upload the room refused (or that never reached it: status 0, code `network` or `aborted`). */
export class UploadError extends RoomHttpError {
  constructor(status: number, code: string, message: string, retryAfterMs?: number) {
    super(status, code, message, retryAfterMs);
    this.name = "UploadError";
  }
}

interface XhrLike {
  open(method: string, url: string): void;
  setRequestHeader(name: string, value: string): void;
  send(body: unknown): void;
  abort(): void;
  readonly status: number;
  readonly responseText: string;
  getResponseHeader(name: string): string | null;
  upload: { onprogress: ((event: { loaded: number; total: number; lengthComputable: boolean }) => void) | null };
  onload: (() => void) | null;
  onerror: (() => void) | null;
  onabort: (() => void) | null;
}

interface FetchResponseLike {
  readonly status: number;
  text(): Promise<string>;
  headers: { get(name: string): string | null };
}

type FetchLike = (url: string, init: { method: string; headers: Record<string, string>; body: unknown; signal?: unknown }) => Promise<FetchResponseLike>;

/** The URL of a room's uploads. */
export function uploadUrl(room: string, name?: string, origin = ""): string {
  const query = name === undefined ? "" : `?name=${encodeURIComponent(name)}`;
  return `${origin.replace(/\/+$/, "")}/api/rooms/${encodeURIComponent(room)}/files${query}`;
}

/** Uploads one file to a room; resolves with its file object (its `id` goes in `say`'s `files`). */
export async function uploadFile(options: UploadOptions): Promise<FileRef> {
  const type = options.type ?? typeOfBody(options.body);
  if (!type) throw new UploadError(415, "bad_type", `only ${FILE_TYPES.join(", ")} can be uploaded`);
  const name = options.name ?? (isBlob(options.body) && options.body.name ? options.body.name.slice(0, 128) : undefined);
  const url = uploadUrl(options.room, name, options.origin);
  const headers: Record<string, string> = { "Content-Type": type };
  if (options.credential !== undefined) headers.Authorization = `Bearer ${options.credential}`;
  if (options.signal?.aborted) throw new UploadError(0, "aborted", "the upload was aborted");
  const Xhr = (globalThis as { XMLHttpRequest?: new () => XhrLike }).XMLHttpRequest;
  const answer = Xhr ? await viaXhr(new Xhr(), url, headers, options) : await viaFetch(url, headers, options);
  return settle(answer.status, answer.text, answer.retryAfter);
}

function viaXhr(xhr: XhrLike, url: string, headers: Record<string, string>, options: UploadOptions): Promise<{ status: number; text: string; retryAfter: string | null }> {
  return new Promise((resolve, reject) => {
    xhr.open("POST", url);
    for (const [key, value] of Object.entries(headers)) xhr.setRequestHeader(key, value);
    xhr.upload.onprogress = (event) => options.onProgress?.(event.loaded, event.lengthComputable ? event.total : sizeOf(options.body));
    xhr.onload = () => resolve({ status: xhr.status, text: xhr.responseText, retryAfter: xhr.getResponseHeader("Retry-After") });
    xhr.onerror = () => reject(new UploadError(0, "network", "the upload could not reach the room"));
    xhr.onabort = () => reject(new UploadError(0, "aborted", "the upload was aborted"));
    options.signal?.addEventListener("abort", () => xhr.abort());
    xhr.send(options.body);
  });
}

async function viaFetch(url: string, headers: Record<string, string>, options: UploadOptions): Promise<{ status: number; text: string; retryAfter: string | null }> {
  const fetcher = (globalThis as unknown as { fetch?: FetchLike }).fetch;
  if (!fetcher) throw new UploadError(0, "network", "this runtime has neither XMLHttpRequest nor fetch");
  let response: FetchResponseLike;
  try {
    response = await fetcher(url, { method: "POST", headers, body: options.body, ...(options.signal ? { signal: options.signal } : {}) });
  } catch {
    throw options.signal?.aborted ? new UploadError(0, "aborted", "the upload was aborted") : new UploadError(0, "network", "the upload could not reach the room");
  }
  const size = sizeOf(options.body);
  options.onProgress?.(size, size);
  return { status: response.status, text: await response.text(), retryAfter: response.headers.get("Retry-After") };
}

/** The file object of a 201, or the room's refusal as an `UploadError`. */
function settle(status: number, text: string, retryAfter: string | null): FileRef {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (status === 201 && isObject(body) && isObject(body.file) && typeof body.file.id === "string") return body.file as unknown as FileRef;
  const error = isObject(body) && isObject(body.error) ? body.error : {};
  const retryAfterMs = isObject(body) && typeof body.retryAfterMs === "number" ? body.retryAfterMs : retryAfter !== null ? Number(retryAfter) * 1000 : undefined;
  throw new UploadError(status, typeof error.code === "string" ? error.code : "internal", typeof error.message === "string" ? error.message : `the room answered ${status}`, retryAfterMs);
}

function typeOfBody(body: UploadBody): FileType | undefined {
  if (!isBlob(body)) return undefined;
  return (FILE_TYPES as readonly string[]).includes(body.type) ? (body.type as FileType) : undefined;
}

function isBlob(body: UploadBody): body is { readonly size: number; readonly type: string; readonly name?: string } {
  return !(body instanceof Uint8Array) && !(body instanceof ArrayBuffer);
}

function sizeOf(body: UploadBody): number {
  return body instanceof Uint8Array || body instanceof ArrayBuffer ? body.byteLength : body.size;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}
