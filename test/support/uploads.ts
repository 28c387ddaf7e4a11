/** Uploads through the real Worker, for the files tests (PROTOCOL.md v3, "Files"). */
import type { FileRef } from "@edge-chat/protocol";
import { workerFetch } from "./room-client.ts";

/** What an upload may set: the credential (a token or a signed token), the type header, the name, no length. */
export interface UploadOptions {
  credential?: string;
  type?: string | null;
  name?: string;
  /** Send the body as a stream without Content-Length (chunked). */
  chunked?: boolean;
  headers?: Record<string, string>;
}

/** POSTs bytes to a room's files; returns the raw response. */
export function postFile(room: string, bytes: Uint8Array, options: UploadOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.credential !== undefined) headers.Authorization = `Bearer ${options.credential}`;
  if (options.type !== null) headers["Content-Type"] = options.type ?? "image/png";
  const query = options.name === undefined ? "" : `?name=${encodeURIComponent(options.name)}`;
  const body = options.chunked ? chunks(bytes, 4_096) : bytes;
  return workerFetch(`/api/rooms/${room}/files${query}`, { method: "POST", headers, body });
}

/** Uploads and expects 201; returns the file object. */
export async function upload(room: string, bytes: Uint8Array, options: UploadOptions = {}): Promise<FileRef> {
  const response = await postFile(room, bytes, options);
  if (response.status !== 201) throw new Error(`upload answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { file: FileRef }).file;
}

/** The body as a stream of chunks, with no length known up front. */
export function chunks(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
}

/** The error code of a JSON error response. */
export async function errorCode(response: Response): Promise<string> {
  return ((await response.json()) as { error: { code: string } }).error.code;
}
