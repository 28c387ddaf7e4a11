/**
 * The Worker's fetch handler: it only routes and guards. It checks the path, the room name, the
 * Origin and the client address's budget (address-budget.ts), then hands the request to the
 * room's Durable Object. Everything outside /api/ is static assets; the page's HTML gets its
 * Content-Security-Policy from the deployment's vars on the way (page-policy.ts).
 */
import type { CreatedRoom } from "@edge-chat/protocol";
import { isRoomName, parsePageQuery } from "@edge-chat/protocol/validate";
import { spendAddressBudget } from "./address-budget.ts";
import { FILES_ROUTE, filesRoute } from "./files-route.ts";
import { json, jsonError } from "./http.ts";
import { integrationRequest, matchIntegrationPath } from "./integration-routes.ts";
import { isAllowedOrigin } from "./origin.ts";
import { pageConfigRoute } from "./page-config.ts";
import { servePage } from "./page-policy.ts";
import { searchRoute } from "./search-route.ts";
import { readConfig } from "../config.ts";
import { mayEnter } from "../identity/claims.ts";
import { type CredentialRefusal, httpViewer, presentedCredential } from "../identity/credentials.ts";
import { hashOwnerKey, keyMatches, mayBeOwnerKey, newOwnerKey } from "../identity/owner-keys.ts";
import { FOLLOW_HEADER, SHARD_HEADER, shardName } from "../shards/addressing.ts";
import { KnownPlaces } from "../shards/known-places.ts";
import { workerVerifier } from "./verifier.ts";

/** `/api/rooms/:room` and its `/ws`, `/messages`, `/stats` and `/search`; the room is validated separately. */
const ROOM_ROUTE = /^\/api\/rooms\/([^/]*)(?:\/(ws|messages|stats|search))?$/;

const BAD_ROOM = "room names are 1–64 characters of a-z 0-9 _ -";

/**
 * Free places on each room's own object, as this isolate knows them. While it knows of one, an
 * upgrade is handed to the Room as it is and the Room's answer passed back untouched, which spares
 * a connect the Worker's own turn on the way back (docs/BENCHMARKS.md). Otherwise the upgrade goes
 * through placement: the Room answers 307 naming a shard once its object is full.
 */
const places = new KnownPlaces();

export default {
  async fetch(request, env): Promise<Response> {
    const url = new URL(request.url);
    const { pathname } = url;
    // Only the page's own paths reach the Worker (wrangler.toml's run_worker_first); other files are served as they are.
    if (!pathname.startsWith("/api/")) return servePage(request, env);

    if (pathname === "/api/health") {
      return request.method === "GET" ? json({ ok: true }) : methodNotAllowed("GET");
    }
    if (pathname === "/api/config") {
      return request.method === "GET" ? pageConfigRoute(request, env) : methodNotAllowed("GET");
    }
    if (pathname === "/api/rooms") {
      if (request.method !== "POST") return methodNotAllowed("POST");
      return (await spendAddressBudget(request, env, "create")) ?? createRoom(request, env);
    }
    const files = FILES_ROUTE.exec(pathname);
    if (files) {
      const [, room = "", id] = files;
      if (!isRoomName(room)) return jsonError(400, "bad_room", BAD_ROOM);
      return roomCall(room, () => filesRoute(request, env, room, id));
    }
    const integration = matchIntegrationPath(pathname);
    if (integration) {
      if (!isRoomName(integration.room)) return jsonError(400, "bad_room", BAD_ROOM);
      return integrationRequest(request, env, integration);
    }
    const match = ROOM_ROUTE.exec(pathname);
    if (!match) return jsonError(404, "not_found", "no such endpoint");
    if (request.method !== "GET") return methodNotAllowed("GET");

    // The name is checked exactly as it stands in the path, before any Durable Object is touched.
    const [, room = "", action] = match;
    if (!isRoomName(room)) return jsonError(400, "bad_room", BAD_ROOM);

    if (action === undefined) {
      const spent = await spendAddressBudget(request, env, "read");
      if (spent) return spent;
      const who = await httpViewer(request.headers, room, workerVerifier(env), readConfig(env).auth);
      if (!who.ok) return refusal(who);
      return roomCall(room, async () => json(await env.ROOMS.getByName(room).info(room, who.viewer)));
    }
    if (action === "stats") {
      // The operator's view of a room's work per object: only with the deployment's ADMIN_KEY.
      if (!isAdmin(request, env)) return jsonError(403, "forbidden", "stats need the deployment's admin key");
      return roomCall(room, async () => json({ objects: await env.ROOMS.getByName(room).stats() }));
    }
    if (action === "search") return searchRoute(request, env, room, (call) => roomCall(room, call));
    if (action === "messages") {
      const query = parsePageQuery(url.searchParams);
      if (!query.ok) return jsonError(400, "bad_query", query.message);
      const spent = await spendAddressBudget(request, env, "read");
      if (spent) return spent;
      const who = await httpViewer(request.headers, room, workerVerifier(env), readConfig(env).auth);
      if (!who.ok) return refusal(who);
      return roomCall(room, async () => json(await env.ROOMS.getByName(room).messagesPage(who.viewer ?? null, query.limit, query.before)));
    }

    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return jsonError(426, "upgrade_required", "this endpoint speaks WebSocket", { Upgrade: "websocket" });
    }
    if (!isAllowedOrigin(request.headers.get("Origin"), url.origin, env.ALLOWED_ORIGINS)) {
      return jsonError(403, "origin_forbidden", "this origin may not open room sockets");
    }
    return (await spendAddressBudget(request, env, "upgrade")) ?? upgrade(room, request, env);
  },
} satisfies ExportedHandler<Env>;

/** Hands an upgrade to the room, or (when it is full) to the shard it names (docs/SHARDS.md). */
function upgrade(room: string, given: Request, env: Env): Promise<Response> {
  const direct = places.takeDirect(room);
  // The placement header is the Worker's to set: a client's own is dropped. A direct upgrade
  // without one (nearly all of them) is passed on as it came, without a copy.
  let request = given;
  if (!direct || given.headers.has(FOLLOW_HEADER)) {
    const headers = new Headers(given.headers);
    headers.delete(FOLLOW_HEADER);
    if (!direct) headers.set(FOLLOW_HEADER, "follow");
    request = new Request(given, { headers });
  }
  if (direct) {
    const answer = env.ROOMS.getByName(room).fetch(request);
    // Learn from the answer on the side; the answer itself goes back as it came.
    answer.then((a) => places.afterDirect(room, a), () => undefined);
    return answer;
  }
  return roomCall(room, async () => {
    const answer = await env.ROOMS.getByName(room).fetch(request);
    const shard = answer.status === 307 ? answer.headers.get(SHARD_HEADER) : null;
    places.afterPlaced(room, answer, shard !== null);
    if (shard === null) return answer;
    return env.ROOM_SHARDS.getByName(shardName(room, Number(shard))).fetch(request);
  });
}

/**
 * `POST /api/rooms`: a room with an owner. Without a name, a private room with an unguessable id;
 * with one, that room if it was never used. The owner key is shown here once; the room keeps
 * only its hash.
 */
async function createRoom(request: Request, env: Env): Promise<Response> {
  // Under AUTH_REQUIRED only a signed identity may create a room (one that may enter it).
  const required = readConfig(env).auth.required;
  const creator = required ? await signedCreator(request, env) : undefined;
  if (creator && "ok" in creator) return refusal(creator);
  const body = await readBody(request);
  if (!body.ok) return jsonError(400, "bad_body", "the body must be empty or a JSON object with an optional string name");
  if (body.name !== undefined && !isRoomName(body.name)) return jsonError(400, "bad_room", BAD_ROOM);
  const room = body.name ?? privateRoomName();
  if (creator && !mayEnter(creator, room)) return jsonError(403, "forbidden", "the signed token may not enter that room");
  const ownerKey = newOwnerKey();
  return roomCall(room, async () => {
    const claimed = await env.ROOMS.getByName(room).claim(hashOwnerKey(ownerKey), body.name !== undefined);
    if (!claimed) return jsonError(409, "room_taken", "that room is already in use");
    const created: CreatedRoom = { room, ownerKey };
    return json(created, 201);
  });
}

/** The verified identity of a signed credential, or the refusal (401 without one). */
async function signedCreator(request: Request, env: Env): Promise<{ rooms?: string[] } | CredentialRefusal> {
  const presented = presentedCredential(request.headers);
  if (presented.kind !== "signed") return { ok: false, status: 401, code: "unauthorized", message: "this deployment lets signed identities only create rooms" };
  const verified = await workerVerifier(env).verify(presented.token);
  if (!verified.ok) return { ok: false, status: 401, code: "unauthorized", message: `the signed token was refused: ${verified.reason}` };
  return verified.identity;
}

/** A refused credential as its HTTP answer. */
function refusal(refused: CredentialRefusal): Response {
  return jsonError(refused.status, refused.code, refused.message);
}

/** The body of `POST /api/rooms`: nothing, or a JSON object with an optional string `name`. */
async function readBody(request: Request): Promise<{ ok: true; name?: string } | { ok: false }> {
  const text = await request.text();
  if (text.trim() === "") return { ok: true };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { ok: false };
  const name = (value as { name?: unknown }).name;
  if (name === undefined) return { ok: true };
  return typeof name === "string" ? { ok: true, name } : { ok: false };
}

/** True when the request carries `Authorization: Bearer <ADMIN_KEY>` and the deployment has one. */
function isAdmin(request: Request, env: Env): boolean {
  const key = readConfig(env).adminKey;
  const presented = /^Bearer (.+)$/.exec(request.headers.get("Authorization") ?? "")?.[1];
  return key !== undefined && presented !== undefined && mayBeOwnerKey(presented, key.length) && keyMatches(presented, hashOwnerKey(key));
}

/** Runs a call into a room; a failure becomes a JSON 500 (logged, never with its stack). */
async function roomCall(room: string, call: () => Promise<Response>): Promise<Response> {
  try {
    return await call();
  } catch (err) {
    console.error(`room ${room}: request failed:`, err);
    return jsonError(500, "internal", "the room could not answer");
  }
}

/** A private room's name: 128 random bits as 32 lowercase hex characters (itself a valid room name). */
function privateRoomName(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

function methodNotAllowed(allow: string): Response {
  return jsonError(405, "method_not_allowed", `use ${allow}`, { Allow: allow });
}
