/**
 * Uploads and serving (PROTOCOL.md v3, "Files"), through the real Worker into the test pool's R2:
 * every status of the upload's table and fine print, the type read from the bytes (an SVG or an
 * HTML file called a PNG is refused), FILE_MAX_BYTES while streaming (also without a length), the
 * width and height read from the header, and the exact headers a file is served with. The pool
 * sets FILE_MAX_BYTES to 256 KiB.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { HTML, SVG, gif, jpeg, png, webp } from "./support/images.ts";
import { join, newToken, roomName, workerFetch } from "./support/room-client.ts";
import { signToken } from "./support/signed-tokens.ts";
import { errorCode, postFile, upload } from "./support/uploads.ts";

const MAX = 262_144;

/** The keys R2 holds under a room. */
async function storedKeys(room: string): Promise<string[]> {
  return (await env.FILES.list({ prefix: `${room}/` })).objects.map((o) => o.key);
}

describe("POST /api/rooms/:room/files", () => {
  it("stores the bytes in R2 and answers 201 with the file object, its size in pixels and its URL", async () => {
    const room = roomName("upload");
    const bytes = png(640, 480);
    const file = await upload(room, bytes, { credential: newToken(), name: "cat.png" });
    expect(file).toEqual({ id: file.id, type: "image/png", size: bytes.length, name: "cat.png", width: 640, height: 480, url: `/api/rooms/${room}/files/${file.id}` });
    expect(file.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const object = await env.FILES.get(`${room}/${file.id}`);
    expect(new Uint8Array(await object!.arrayBuffer())).toEqual(bytes);
  });

  it("reads the width and height of each type, a JPEG's after its metadata, also from a body without a length", async () => {
    const room = roomName("upload-types");
    const credential = newToken();
    const cases: [Uint8Array, string, number, number][] = [
      [png(1, 2), "image/png", 1, 2],
      [gif(300, 200), "image/gif", 300, 200],
      [webp(4000, 3000), "image/webp", 4000, 3000],
      [jpeg(1920, 1080, 100_000), "image/jpeg", 1920, 1080],
    ];
    for (const [bytes, type, width, height] of cases) {
      for (const chunked of [false, true]) {
        const file = await upload(room, bytes, { credential, type, chunked });
        expect({ type: file.type, size: file.size, width: file.width, height: file.height }).toEqual({ type, size: bytes.length, width, height });
      }
    }
  });

  it("answers 401 without a credential or with a bad one, 403 to a signed token whose rooms leave the room out", async () => {
    const room = roomName("upload-credential");
    const none = await postFile(room, png(2, 2));
    expect([none.status, await errorCode(none)]).toEqual([401, "unauthorized"]);
    const bad = await postFile(room, png(2, 2), { credential: "short" });
    expect([bad.status, await errorCode(bad)]).toEqual([401, "unauthorized"]);
    const elsewhere = await postFile(room, png(2, 2), { credential: await signToken({ sub: "zoe", rooms: ["elsewhere"] }) });
    expect([elsewhere.status, await errorCode(elsewhere)]).toEqual([403, "forbidden"]);
    const signed = await postFile(room, png(2, 2), { credential: await signToken({ sub: "zoe" }) });
    expect(signed.status).toBe(201);
    expect(await storedKeys(room)).toHaveLength(1);
  });

  it("judges the type from the bytes before the room: an SVG or an HTML file called a PNG, a PNG called a JPEG, no type, another type and an empty body are 415", async () => {
    const room = roomName("upload-type");
    const credential = newToken();
    const refused: [string, Uint8Array, string | null][] = [
      ["HTML renamed .png", HTML, "image/png"],
      ["SVG renamed .png", SVG, "image/png"],
      ["SVG as itself", SVG, "image/svg+xml"],
      ["HTML as itself", HTML, "text/html"],
      ["a PNG declared as a JPEG", png(2, 2), "image/jpeg"],
      ["no Content-Type", png(2, 2), null],
      ["an empty body", new Uint8Array(0), "image/png"],
      ["a JPEG with no frame header", jpeg(2, 2).subarray(0, 20), "image/jpeg"],
    ];
    // Six rounds: 24 refusals of a declared image type, more than the bucket's 20: the bytes are judged before the room is asked.
    for (let round = 0; round < 6; round++) {
      for (const [what, bytes, type] of refused) {
        const response = await postFile(room, bytes, { credential, type, name: `${what}.png` });
        expect([what, response.status, await errorCode(response)]).toEqual([what, 415, "bad_type"]);
      }
    }
    expect(await storedKeys(room)).toEqual([]);
    expect((await postFile(room, png(2, 2), { credential })).status).toBe(201);
  });

  it("answers 413 past FILE_MAX_BYTES, with a length or streamed without one, and keeps nothing", async () => {
    const room = roomName("upload-size");
    const credential = newToken();
    const exact = await postFile(room, png(2, 2, MAX - 33), { credential });
    expect(exact.status).toBe(201);
    for (const chunked of [false, true]) {
      const over = await postFile(room, png(2, 2, MAX - 32), { credential, chunked });
      expect([chunked, over.status, await errorCode(over)]).toEqual([chunked, 413, "too_large"]);
    }
    expect(await storedKeys(room)).toHaveLength(1);
  });

  it("judges ?name=: 1–128 code points, no control or bidirectional characters (400 bad_query)", async () => {
    const room = roomName("upload-name");
    const credential = newToken();
    for (const name of ["", "x".repeat(129), "a\u0000b.png", "line\nbreak.png", "evil\u202Egnp.exe", "iso\u2066late.png"]) {
      const response = await postFile(room, png(2, 2), { credential, name });
      expect([JSON.stringify(name), response.status, await errorCode(response)]).toEqual([JSON.stringify(name), 400, "bad_query"]);
    }
    const longest = await upload(room, png(2, 2), { credential, name: "猫".repeat(128) });
    expect(longest.name).toBe("猫".repeat(128));
  });

  it("refuses a banned or muted uploader (403) and takes a token from the bucket (429 with Retry-After)", async () => {
    const room = roomName("upload-judged");
    const owner = await join(room, { key: await ownerKeyOf(room) });
    const bannedToken = newToken();
    const mutedToken = newToken();
    const banned = await join(room, { token: bannedToken, name: "banned" });
    const muted = await join(room, { token: mutedToken, name: "muted" });
    owner.socket.send({ type: "mute", user: muted.welcome.self.id, ms: 60_000 });
    await owner.socket.next("moderation", (m) => m.action === "mute");
    owner.socket.send({ type: "ban", user: banned.welcome.self.id, ms: 60_000 });
    await owner.socket.next("moderation", (m) => m.action === "ban");

    const whenBanned = await postFile(room, png(2, 2), { credential: bannedToken });
    expect([whenBanned.status, await errorCode(whenBanned)]).toEqual([403, "banned"]);
    const whenMuted = await postFile(room, png(2, 2), { credential: mutedToken });
    expect([whenMuted.status, await errorCode(whenMuted)]).toEqual([403, "muted"]);

    // The pool's bucket holds 20 and refills one token per 100 s.
    const credential = newToken();
    for (let i = 0; i < 20; i++) expect((await postFile(room, png(2, 2), { credential })).status).toBe(201);
    const limited = await postFile(room, png(2, 2), { credential });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("Retry-After"))).toBeGreaterThan(0);
    const body = (await limited.json()) as { error: { code: string }; retryAfterMs: number };
    expect(body.error.code).toBe("rate_limited");
    expect(body.retryAfterMs).toBeGreaterThan(0);
    // The room goes on: the owner still talks.
    await owner.socket.say("still here");
  });

  it("answers 405 to other methods and 400 to a bad room name, before any object", async () => {
    const room = roomName("upload-methods");
    expect((await workerFetch(`/api/rooms/${room}/files`)).status).toBe(405);
    expect((await workerFetch(`/api/rooms/${room}/files/${"a".repeat(22)}`, { method: "POST" })).status).toBe(405);
    expect((await workerFetch(`/api/rooms/Bad!/files`, { method: "POST" })).status).toBe(400);
  });
});

describe("GET /api/rooms/:room/files/:id", () => {
  it("serves the bytes with exactly the protocol's headers, the type from the record", async () => {
    const room = roomName("serve");
    const bytes = jpeg(30, 20);
    const file = await upload(room, bytes, { credential: newToken(), type: "image/jpeg", name: 'a "cat"; ünïcode.jpg' });
    const response = await workerFetch(file.url);
    expect(response.status).toBe(200);
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(bytes);
    expect(response.headers.get("Content-Type")).toBe("image/jpeg");
    expect(response.headers.get("Content-Length")).toBe(String(bytes.length));
    expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(response.headers.get("Content-Security-Policy")).toBe("default-src 'none'; sandbox");
    expect(response.headers.get("Cache-Control")).toBe("private, max-age=31536000, immutable");
    expect(response.headers.get("Content-Disposition")).toBe(`inline; filename="a _cat__ _n_code.jpg"; filename*=UTF-8''a%20%22cat%22%3B%20%C3%BCn%C3%AFcode.jpg`);
    expect(response.headers.get("ETag")).toBeTruthy();
  });

  it("answers ranges and If-None-Match as R2 gives them", async () => {
    const room = roomName("serve-range");
    const bytes = png(8, 8, 200);
    const file = await upload(room, bytes, { credential: newToken() });
    const part = await workerFetch(file.url, { headers: { Range: "bytes=8-15" } });
    expect(part.status).toBe(206);
    expect(part.headers.get("Content-Range")).toBe(`bytes 8-15/${bytes.length}`);
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(bytes.slice(8, 16));
    const etag = (await workerFetch(file.url)).headers.get("ETag")!;
    const again = await workerFetch(file.url, { headers: { "If-None-Match": etag } });
    expect(again.status).toBe(304);
  });

  it("answers 404 to a malformed id, an unknown one, and another room's", async () => {
    const room = roomName("serve-404");
    const file = await upload(room, png(2, 2), { credential: newToken() });
    for (const path of [`/api/rooms/${room}/files/short`, `/api/rooms/${room}/files/${"A".repeat(22)}`, `/api/rooms/${roomName("other")}/files/${file.id}`, `/api/rooms/${room}/files/${file.id}x`]) {
      const response = await workerFetch(path);
      expect([path, response.status, await errorCode(response)]).toEqual([path, 404, "not_found"]);
    }
  });

  it("serves an unattached file until it expires an hour after its upload, then R2 holds it no longer", async () => {
    const room = roomName("serve-expiry");
    const file = await upload(room, png(2, 2), { credential: newToken() });
    expect((await workerFetch(file.url)).status).toBe(200);
    const stub = env.ROOMS.getByName(room);
    // An hour passes: the record's upload time moves back, and the alarm (set for the expiry) fires.
    await runInDurableObject(stub, (_: unknown, state: DurableObjectState) => {
      state.storage.sql.exec("UPDATE files SET uploaded = uploaded - 3600001");
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await workerFetch(file.url)).status).toBe(404);
    expect(await storedKeys(room)).toEqual([]);
  });
});

/** Claims a fresh room and returns its owner key. */
async function ownerKeyOf(room: string): Promise<string> {
  const response = await workerFetch("/api/rooms", { method: "POST", body: JSON.stringify({ name: room }) });
  return ((await response.json()) as { ownerKey: string }).ownerKey;
}
