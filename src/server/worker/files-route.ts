/**
 * The files routes (PROTOCOL.md v3, "Files"; docs/FILES.md): `POST /api/rooms/:room/files` and
 * `GET /api/rooms/:room/files/:id`. The bytes never pass through the Room's single thread: the
 * Worker reads the signature, asks the Room to judge the uploader and reserve an id (one short
 * call), streams the bytes to R2 itself (counting, and reading the image's size as they pass),
 * then tells the Room they are stored (a second short call). Serving asks the Room whether the
 * file may be served (its record, which an erasure flips in the commit of the delete) while R2
 * reads the object, both at once.
 */
import { FILE_ID, FILE_TYPES, codePointLength, type FileType, type UploadedFile } from "@edge-chat/protocol";
import { json, jsonError } from "./http.ts";
import { HEAD_BYTES, ImageProbe, concat, typeOfBytes } from "./image-header.ts";
import { workerVerifier } from "./verifier.ts";
import { spendAddressBudget } from "./address-budget.ts";
import { readConfig } from "../config.ts";
import { fileKey } from "../core/file-rules.ts";
import { httpViewer } from "../identity/credentials.ts";

/** `/api/rooms/:room/files` and `/api/rooms/:room/files/:id` (the room and the id judged apart). */
export const FILES_ROUTE = /^\/api\/rooms\/([^/]*)\/files(?:\/([^/]*))?$/;

/** Headers of every file served: an image can never become a page (no sniffing, no scripts, no plugins). */
const SERVED_HEADERS = {
  "X-Content-Type-Options": "nosniff",
  "Content-Security-Policy": "default-src 'none'; sandbox",
  // The id is the capability and the bytes never change under it; shared caches stay out.
  "Cache-Control": "private, max-age=31536000, immutable",
};

/** Characters a `?name=` may not hold: controls (Cc) and the bidirectional embeddings, overrides, isolates and marks. */
const NAME_REFUSED = /[\p{Cc}\u200E\u200F\u061C\u202A-\u202E\u2066-\u2069]/u;

/** Handles a files request for a room whose name was checked. */
export async function filesRoute(request: Request, env: Env, room: string, id: string | undefined): Promise<Response> {
  if (id === undefined) {
    if (request.method !== "POST") return methodNotAllowed("POST");
    return (await spendAddressBudget(request, env, "upload")) ?? upload(request, env, room);
  }
  if (request.method !== "GET" && request.method !== "HEAD") return methodNotAllowed("GET");
  return serve(request, env, room, id);
}

/** `POST /api/rooms/:room/files`: checks in the protocol's order, then streams the bytes to R2. */
async function upload(request: Request, env: Env, room: string): Promise<Response> {
  const config = readConfig(env);
  const who = await httpViewer(request.headers, room, workerVerifier(env), config.auth);
  if (!who.ok) return jsonError(who.status, who.code, who.message);
  if (who.viewer === undefined) return jsonError(401, "unauthorized", "an upload needs a credential: Authorization: Bearer <token or signed token>");
  const name = nameOf(new URL(request.url).searchParams);
  if (!name.ok) return jsonError(400, "bad_query", name.message);
  const declared = (request.headers.get("Content-Type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (!(FILE_TYPES as readonly string[]).includes(declared)) {
    return jsonError(415, "bad_type", `the Content-Type must be one of ${FILE_TYPES.join(", ")}`);
  }
  const max = config.fileMaxBytes;
  const length = declaredLength(request);
  if (length !== undefined && length > max) return tooLarge(max);
  if (!request.body || length === 0) return emptyBody();

  const reader = request.body.getReader();
  const head = await readHead(reader);
  if (head.length === 0) return emptyBody();
  if (typeOfBytes(head) !== declared) {
    await reader.cancel().catch(() => undefined);
    return jsonError(415, "bad_type", `the bytes are not a ${declared} image`);
  }
  const type = declared as FileType;

  const stub = env.ROOMS.getByName(room);
  const reservation = await stub.reserveFile({ id: who.viewer, owner: who.identity?.role === "owner" }, name.name === undefined ? { type } : { type, name: name.name });
  if (!reservation.ok) {
    await reader.cancel().catch(() => undefined);
    const body = { error: { code: reservation.code, message: reservation.message }, ...(reservation.retryAfterMs === undefined ? {} : { retryAfterMs: reservation.retryAfterMs }) };
    const headers: Record<string, string> = reservation.status === 429 && reservation.retryAfterMs !== undefined ? { "Retry-After": String(Math.ceil(reservation.retryAfterMs / 1000)) } : {};
    return json(body, reservation.status, headers);
  }

  const key = fileKey(room, reservation.id);
  const probe = new ImageProbe(type);
  const counted = countedStream(head, reader, max, probe);
  try {
    if (length !== undefined) {
      // A known length streams straight into R2 (which needs the length up front).
      const fixed = new FixedLengthStream(length);
      const settled = await Promise.allSettled([env.FILES.put(key, fixed.readable, { httpMetadata: { contentType: type } }), counted.stream.pipeTo(fixed.writable)]);
      for (const outcome of settled) if (outcome.status === "rejected") throw outcome.reason;
    } else {
      // Without a length, the bytes are gathered (at most FILE_MAX_BYTES, counted as they come) and put at once.
      const bytes = new Uint8Array(await new Response(counted.stream).arrayBuffer());
      await env.FILES.put(key, bytes, { httpMetadata: { contentType: type } });
    }
  } catch (err) {
    if (counted.over()) return tooLarge(max);
    console.error(`room ${room}: storing a file failed:`, err);
    return jsonError(500, "internal", "the file could not be stored");
  }
  probe.end();
  if (!probe.size) {
    await env.FILES.delete(key);
    return jsonError(415, "bad_type", `the bytes are not a whole ${type} image (no readable size)`);
  }
  const file = await stub.fileStored(reservation.id, counted.size(), probe.size.width, probe.size.height);
  if (!file) {
    await env.FILES.delete(key);
    return jsonError(500, "internal", "the upload took too long: its reservation expired");
  }
  const answer: UploadedFile = { file };
  return json(answer, 201);
}

/** `GET /api/rooms/:room/files/:id`: the bytes, with the protocol's headers, while the Room serves the file. */
async function serve(request: Request, env: Env, room: string, id: string): Promise<Response> {
  if (!FILE_ID.test(id)) return notFound();
  const conditional = { onlyIf: request.headers, range: request.headers };
  // The Room's record and R2's object are asked for at once: a file is served only while both say so.
  const [answer, read] = await Promise.allSettled([env.ROOMS.getByName(room).servedFile(id), env.FILES.get(fileKey(room, id), conditional)]);
  if (answer.status === "rejected") throw answer.reason;
  if (read.status === "rejected") {
    if (/range/i.test(String(read.reason))) return new Response(null, { status: 416, headers: SERVED_HEADERS });
    throw read.reason;
  }
  const record = answer.value;
  const object = read.value;
  if (!record || !object) return notFound();
  const headers = new Headers(SERVED_HEADERS);
  headers.set("Content-Type", record.type);
  headers.set("Content-Disposition", disposition(record.name));
  headers.set("ETag", object.httpEtag);
  headers.set("Accept-Ranges", "bytes");
  if (!("body" in object)) {
    // A precondition held the body back: If-None-Match matched (304), or If-Match did not (412).
    return new Response(null, { status: request.headers.has("If-None-Match") ? 304 : 412, headers });
  }
  const range = object.range as { offset?: number; length?: number; suffix?: number } | undefined;
  const body = request.method === "HEAD" ? null : object.body;
  if (range && request.headers.has("Range")) {
    const offset = range.suffix !== undefined ? object.size - range.suffix : (range.offset ?? 0);
    const size = range.suffix !== undefined ? range.suffix : (range.length ?? object.size - offset);
    headers.set("Content-Range", `bytes ${offset}-${offset + size - 1}/${object.size}`);
    headers.set("Content-Length", String(size));
    return new Response(body, { status: 206, headers });
  }
  headers.set("Content-Length", String(object.size));
  return new Response(body, { status: 200, headers });
}

/** `Content-Disposition: inline`, with the name made safe: an ASCII fallback and the UTF-8 name (RFC 6266). */
export function disposition(name: string | undefined): string {
  if (name === undefined) return "inline";
  const fallback = name.replace(/[^\x20-\x7e]|["\\%;]/g, "_");
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `inline; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

/** `?name=`: absent, or 1–128 code points without control or bidirectional characters. */
export function nameOf(params: URLSearchParams): { ok: true; name?: string } | { ok: false; message: string } {
  const name = params.get("name");
  if (name === null) return { ok: true };
  const length = codePointLength(name);
  if (length < 1 || length > 128 || !name.isWellFormed()) return { ok: false, message: "name must be 1–128 characters" };
  if (NAME_REFUSED.test(name)) return { ok: false, message: "name may not hold control or bidirectional characters" };
  return { ok: true, name };
}

/** The body's declared length, or undefined when it came without one (chunked). */
function declaredLength(request: Request): number | undefined {
  const raw = request.headers.get("Content-Length");
  if (raw === null || !/^\d+$/.test(raw.trim())) return undefined;
  return Number(raw);
}

/** Reads at least HEAD_BYTES (or the whole body, when shorter). */
async function readHead(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<Uint8Array> {
  let head: Uint8Array = new Uint8Array(0);
  while (head.length < HEAD_BYTES) {
    const { done, value } = await reader.read();
    if (done) break;
    head = concat(head, value);
  }
  return head;
}

/**
 * The body again, `head` first, counted as it passes: past `max` bytes the stream errors (the put
 * fails, nothing is kept), and each chunk goes through the image probe.
 */
function countedStream(head: Uint8Array, reader: ReadableStreamDefaultReader<Uint8Array>, max: number, probe: ImageProbe) {
  let size = 0;
  let over = false;
  let first: Uint8Array | undefined = head;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      let chunk: Uint8Array;
      if (first) {
        chunk = first;
        first = undefined;
      } else {
        const { done, value } = await reader.read();
        if (done) return controller.close();
        chunk = value;
      }
      size += chunk.length;
      if (size > max) {
        over = true;
        await reader.cancel().catch(() => undefined);
        return controller.error(new Error(`the file is over ${max} bytes`));
      }
      probe.push(chunk);
      controller.enqueue(chunk);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  return { stream, size: () => size, over: () => over };
}

function tooLarge(max: number): Response {
  return jsonError(413, "too_large", `a file may be at most ${max} bytes`);
}

function emptyBody(): Response {
  return jsonError(415, "bad_type", "the body is empty: send the image's bytes");
}

function notFound(): Response {
  return jsonError(404, "not_found", "no such file");
}

function methodNotAllowed(allow: string): Response {
  return jsonError(405, "method_not_allowed", `use ${allow}`, { Allow: allow });
}
