/**
 * The Worker: it only routes and guards. It checks the path, the room name and the Origin, then
 * hands the request to the room's Durable Object. Everything outside /api/ is static assets.
 */
import { isRoomName, parsePageQuery } from "../shared/validate.ts";
import { json, jsonError } from "./http.ts";
import { isAllowedOrigin } from "./origin.ts";

export { Room } from "./room.ts";

/** `/api/rooms/:room/ws` and `/api/rooms/:room/messages`; the room segment is validated separately. */
const ROOM_ROUTE = /^\/api\/rooms\/([^/]*)\/(ws|messages)$/;

export default {
  async fetch(request, env): Promise<Response> {
    const url = new URL(request.url);
    const { pathname } = url;
    if (!pathname.startsWith("/api/")) return env.ASSETS.fetch(request);

    if (pathname === "/api/health") {
      return request.method === "GET" ? json({ ok: true }) : methodNotAllowed("GET");
    }
    if (pathname === "/api/rooms") {
      return request.method === "POST" ? json({ room: privateRoomName() }, 201) : methodNotAllowed("POST");
    }
    const match = ROOM_ROUTE.exec(pathname);
    if (!match) return jsonError(404, "not_found", "no such endpoint");
    if (request.method !== "GET") return methodNotAllowed("GET");

    // The name is checked exactly as it stands in the path, before any Durable Object is touched.
    const [, room = "", action] = match;
    if (!isRoomName(room)) return jsonError(400, "bad_room", "room names are 1–64 characters of a-z 0-9 _ -");

    if (action === "messages") {
      const query = parsePageQuery(url.searchParams);
      if (!query.ok) return jsonError(400, "bad_query", query.message);
      return roomCall(room, async () => json(await env.ROOMS.getByName(room).publicPage(query.limit, query.before)));
    }

    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return jsonError(426, "upgrade_required", "this endpoint speaks WebSocket", { Upgrade: "websocket" });
    }
    if (!isAllowedOrigin(request.headers.get("Origin"), url.origin, env.ALLOWED_ORIGINS)) {
      return jsonError(403, "origin_forbidden", "this origin may not open room sockets");
    }
    return roomCall(room, () => env.ROOMS.getByName(room).fetch(request));
  },
} satisfies ExportedHandler<Env>;

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
