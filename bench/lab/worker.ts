/**
 * The hot-path lab: a Durable Object that, for every incoming text frame, runs the slices of the
 * room's per-message work named in its URL (`/lab/parse+insert/<name>/ws`), and nothing else. The
 * lab's client (`bench/hot-path-lab.ts`) sends thousands of `say` frames and reads the CPU the
 * server's processes used, so the difference between two slice lists is the cost of the difference.
 * The SQL mirrors the room's message table (src/server/store.ts) so the writes cost what the room's do.
 * The `hs256` and `es256` slices verify a signed token per frame with the rooms' own verifier
 * (identity/signed-tokens.ts): what a signed `hello` costs over an anonymous one (the ES256 key set
 * is this Worker's own `/jwks`, fetched once per object and cached, as a room does).
 */
import { DurableObject } from "cloudflare:workers";
import { encode } from "@edge-chat/protocol";
import { decodeClientFrame } from "@edge-chat/protocol/validate";
import { SignJWT, importJWK } from "jose";
import { TokenVerifier } from "../../src/server/identity/signed-tokens.ts";

interface LabEnv {
  LAB: DurableObjectNamespace<Lab>;
}

/** The slices a frame can go through, in the room's order. */
const SLICES = ["parse", "decode", "select", "insert", "upsert", "defer", "send1", "send10", "hs256", "es256"] as const;
type Slice = (typeof SLICES)[number];

const ROUTE = /^\/lab\/([a-z0-9+]*)\/([a-z0-9-]{1,64})\/ws$/;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS messages (
    seq INTEGER PRIMARY KEY, client_id TEXT NOT NULL, user_id TEXT NOT NULL, name TEXT NOT NULL,
    text TEXT NOT NULL, ts INTEGER NOT NULL, to_id TEXT, to_name TEXT
  );
  CREATE UNIQUE INDEX IF NOT EXISTS messages_by_client_id ON messages (user_id, client_id);
`;
const INSERT = "INSERT INTO messages (seq, client_id, user_id, name, text, ts, to_id, to_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
const SELECT = "SELECT * FROM messages WHERE user_id = ? AND client_id = ?";
const UPSERT = `${INSERT} ON CONFLICT (user_id, client_id) DO NOTHING`;
const USER = { id: "lab-user-0000000", name: "lab" };
/** The lab's stand-in for the room's batch window. */
const DEFER_MS = 10;

/** The lab's HS256 key, and its ES256 key (a key of this benchmark only, made for it). */
const LAB_SECRET = "hot-path-lab-hs256-key-of-32-bytes-or-more";
const LAB_ES256 = {
  kty: "EC",
  crv: "P-256",
  x: "BYN3psfUhYcQoofjksPYLg2-mpuvAD6-Q7ITAXlGt3E",
  y: "ZR_6Ogw51fF0afNs1HQk0ZGvQ1f6tdU5SjJzeRU5Y6I",
  d: "e0JZf3HWo1LEPwod2UJ6jm13_HE6n7xlQRKpPuFu_Jc",
  kid: "lab-es256",
  alg: "ES256",
};
/** The public half, as the Worker's `/jwks` serves it. */
const LAB_KEY_SET = JSON.stringify({ keys: [{ kty: LAB_ES256.kty, crv: LAB_ES256.crv, x: LAB_ES256.x, y: LAB_ES256.y, kid: LAB_ES256.kid, alg: LAB_ES256.alg, use: "sig" }] });

/** A token a room would accept: `sub`, a name, an hour left, signed by `alg`'s key. */
async function labToken(alg: "HS256" | "ES256"): Promise<string> {
  const token = new SignJWT({ sub: "lab-user:signed@example.org", name: "lab" }).setIssuedAt().setExpirationTime("1h");
  if (alg === "HS256") return token.setProtectedHeader({ alg }).sign(new TextEncoder().encode(LAB_SECRET));
  return token.setProtectedHeader({ alg, kid: LAB_ES256.kid }).sign(await importJWK(LAB_ES256, "ES256"));
}

export default {
  async fetch(request, env): Promise<Response> {
    if (new URL(request.url).pathname === "/jwks") return new Response(LAB_KEY_SET, { headers: { "Content-Type": "application/json" } });
    const match = ROUTE.exec(new URL(request.url).pathname);
    if (!match || request.headers.get("Upgrade") !== "websocket") return new Response("lab", { status: 404 });
    return env.LAB.getByName(match[2]!).fetch(request);
  },
} satisfies ExportedHandler<LabEnv>;

/** Runs the named slices per frame; answers `done` after the frame whose id ends with `!`. */
export class Lab extends DurableObject<LabEnv> {
  #seq = 0;
  #deferred: { id: string; text: string }[] = [];
  #deferTimer = false;
  /** The verifier and tokens of the signed slices, made at the first socket that asks for them. */
  #signed: { verifier: TokenVerifier; hs256: string; es256: string } | undefined;

  constructor(ctx: DurableObjectState, env: LabEnv) {
    super(ctx, env);
    ctx.storage.sql.exec(SCHEMA);
  }

  override async fetch(request: Request): Promise<Response> {
    const slices = (ROUTE.exec(new URL(request.url).pathname)?.[1] ?? "").split("+").filter((s) => s !== "" && s !== "none");
    const unknown = slices.filter((s) => !(SLICES as readonly string[]).includes(s));
    if (unknown.length) return new Response(`unknown slices: ${unknown.join(", ")}`, { status: 400 });
    if (slices.includes("hs256") || slices.includes("es256")) {
      const jwksUrl = new URL("/jwks", request.url).href;
      this.#signed ??= {
        verifier: new TokenVerifier({ secrets: [LAB_SECRET], jwksUrl, issuer: undefined, audience: undefined, required: false }, true),
        hs256: await labToken("HS256"),
        es256: await labToken("ES256"),
      };
      // The key set is fetched here, once, so the frames measure verifying against a cached set.
      const warm = await this.#signed.verifier.verify(this.#signed.es256);
      if (!warm.ok) return new Response(`the lab's ES256 token was refused: ${warm.reason}`, { status: 500 });
    }
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    server.serializeAttachment(slices);
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    const text = typeof data === "string" ? data : "";
    const slices = new Set(ws.deserializeAttachment() as Slice[]);
    if (slices.has("hs256") || slices.has("es256")) {
      const signed = this.#signed;
      if (!signed) throw new Error("the signed slices' verifier is made when the socket opens");
      if (slices.has("hs256") && !(await signed.verifier.verify(signed.hs256)).ok) throw new Error("the lab's HS256 token was refused");
      if (slices.has("es256")) {
        const verified = await signed.verifier.verify(signed.es256);
        if (!verified.ok) throw new Error(`the lab's ES256 token was refused: ${verified.reason}`);
      }
    }
    // Without parse or decode the id is read cheaply: the lab must still know the last frame.
    let say = { id: text.includes('!"') ? "last!" : "", text: "lab" };
    if (slices.has("parse")) say = JSON.parse(text) as typeof say;
    if (slices.has("decode")) {
      const decoded = decodeClientFrame(text);
      if (decoded.ok && decoded.frame.type === "say") say = decoded.frame;
    }
    const sql = this.ctx.storage.sql;
    if (slices.has("select")) sql.exec(SELECT, USER.id, say.id).toArray();
    if (slices.has("insert")) sql.exec(INSERT, ++this.#seq, `${say.id}.${this.#seq}`, USER.id, USER.name, say.text, Date.now(), null, null);
    if (slices.has("upsert")) sql.exec(UPSERT, ++this.#seq, `${say.id}.${this.#seq}`, USER.id, USER.name, say.text, Date.now(), null, null);
    const out = encode({ type: "message", seq: this.#seq, id: say.id, from: USER, text: say.text, ts: Date.now() });
    if (slices.has("send1")) ws.send(out);
    if (slices.has("send10")) for (let i = 0; i < 10; i++) ws.send(out);
    if (slices.has("defer")) return this.#defer(ws, say);
    if (say.id.endsWith("!")) ws.send("done");
  }

  /** Group commit: INSERTs wait for one short timer, so one turn (one commit) writes them all. */
  #defer(ws: WebSocket, say: { id: string; text: string }): void {
    this.#deferred.push(say);
    if (this.#deferTimer) return;
    this.#deferTimer = true;
    setTimeout(() => {
      this.#deferTimer = false;
      const batch = this.#deferred;
      this.#deferred = [];
      for (const one of batch) {
        this.ctx.storage.sql.exec(INSERT, ++this.#seq, `${one.id}.${this.#seq}`, USER.id, USER.name, one.text, Date.now(), null, null);
      }
      if (batch.some((one) => one.id.endsWith("!"))) ws.send("done");
    }, DEFER_MS);
  }
}
