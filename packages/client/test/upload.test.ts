/**
 * `uploadFile` (protocol v3 uploads): the request it makes, progress through XMLHttpRequest where
 * there is one, fetch where there is not, and every refusal as an `UploadError` with the room's
 * status, code and retryAfterMs.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { UploadError, uploadFile, uploadUrl } from "../src/index.ts";

const FILE = { id: "A".repeat(22), type: "image/png", size: 4, url: "/api/rooms/r/files/x", width: 1, height: 1 };

afterEach(() => vi.unstubAllGlobals());

/** A stand-in for the browser's XMLHttpRequest that answers with `status` and `body` after reporting progress. */
function fakeXhr(status: number, body: unknown, headers: Record<string, string> = {}) {
  const made: { method?: string; url?: string; headers: Record<string, string>; body?: unknown } = { headers: {} };
  class Xhr {
    status = 0;
    responseText = "";
    upload: { onprogress: ((e: { loaded: number; total: number; lengthComputable: boolean }) => void) | null } = { onprogress: null };
    onload: (() => void) | null = null;
    onerror: (() => void) | null = null;
    onabort: (() => void) | null = null;
    open(method: string, url: string) {
      made.method = method;
      made.url = url;
    }
    setRequestHeader(name: string, value: string) {
      made.headers[name] = value;
    }
    getResponseHeader(name: string) {
      return headers[name] ?? null;
    }
    abort() {
      this.onabort?.();
    }
    send(sent: unknown) {
      made.body = sent;
      queueMicrotask(() => {
        this.upload.onprogress?.({ loaded: 2, total: 4, lengthComputable: true });
        this.upload.onprogress?.({ loaded: 4, total: 4, lengthComputable: true });
        this.status = status;
        this.responseText = JSON.stringify(body);
        this.onload?.();
      });
    }
  }
  vi.stubGlobal("XMLHttpRequest", Xhr);
  return made;
}

describe("uploadFile", () => {
  it("POSTs the bytes with the credential, the type and the name, reports progress, and resolves with the file", async () => {
    const made = fakeXhr(201, { file: FILE });
    const progress: [number, number][] = [];
    const bytes = new Uint8Array([1, 2, 3, 4]);
    const file = await uploadFile({ room: "lobby", credential: "tok", body: bytes, type: "image/png", name: "a b.png", onProgress: (sent, total) => progress.push([sent, total]) });
    expect(file).toEqual(FILE);
    expect(made).toEqual({ method: "POST", url: "/api/rooms/lobby/files?name=a%20b.png", headers: { Authorization: "Bearer tok", "Content-Type": "image/png" }, body: bytes });
    expect(progress).toEqual([[2, 4], [4, 4]]);
  });

  it("sends no Authorization header without a credential (behind Cloudflare Access the request carries the identity)", async () => {
    const made = fakeXhr(201, { file: FILE });
    await uploadFile({ room: "lobby", body: new Uint8Array(4), type: "image/png" });
    expect(made.headers).toEqual({ "Content-Type": "image/png" });
  });

  it("rejects with the room's refusal: status, code and retryAfterMs", async () => {
    fakeXhr(429, { error: { code: "rate_limited", message: "slow down" }, retryAfterMs: 1500 });
    const refused = await uploadFile({ room: "r", credential: "t", body: new Uint8Array(1), type: "image/png" }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(UploadError);
    expect(refused).toMatchObject({ status: 429, code: "rate_limited", retryAfterMs: 1500, message: "slow down" });
    fakeXhr(413, { error: { code: "too_large", message: "a file may be at most 10 bytes" } });
    await expect(uploadFile({ room: "r", credential: "t", body: new Uint8Array(1), type: "image/png" })).rejects.toMatchObject({ status: 413, code: "too_large" });
  });

  it("takes a Blob's own type and name, and refuses a type that is not an image before sending", async () => {
    const made = fakeXhr(201, { file: FILE });
    await uploadFile({ room: "r", credential: "t", body: new File([new Uint8Array(4)], "cat.webp", { type: "image/webp" }) });
    expect(made.url).toBe("/api/rooms/r/files?name=cat.webp");
    expect(made.headers["Content-Type"]).toBe("image/webp");
    await expect(uploadFile({ room: "r", credential: "t", body: new File(["<svg/>"], "x.svg", { type: "image/svg+xml" }) })).rejects.toMatchObject({ code: "bad_type" });
  });

  it("goes by fetch where there is no XMLHttpRequest, to the origin given", async () => {
    const calls: [string, { method: string; headers: Record<string, string> }][] = [];
    vi.stubGlobal("fetch", async (url: string, init: { method: string; headers: Record<string, string> }) => {
      calls.push([url, init]);
      return new Response(JSON.stringify({ file: FILE }), { status: 201 });
    });
    expect(await uploadFile({ room: "r", credential: "t", body: new Uint8Array(4), type: "image/gif", origin: "https://chat.example/" })).toEqual(FILE);
    expect(calls[0]![0]).toBe("https://chat.example/api/rooms/r/files");
    expect(calls[0]![1].headers["Content-Type"]).toBe("image/gif");
    expect(uploadUrl("r", "ü")).toBe("/api/rooms/r/files?name=%C3%BC");
  });
});
