/**
 * The benchmark's baseline: a bare Worker and Durable Object that accept hibernatable WebSockets
 * on the room's URL and send every text frame to every socket. No protocol, no validation, no
 * storage, no presence: the floor any real room is measured against.
 */
import { DurableObject } from "cloudflare:workers";

/** The baseline's bindings (its own wrangler.toml, not the chat's). */
interface BaselineEnv {
  ROOMS: DurableObjectNamespace<Broadcast>;
}

/** Same path shape as the chat, so the load generator needs no second URL scheme. */
const SOCKET_ROUTE = /^\/api\/rooms\/([a-z0-9_-]{1,64})\/ws$/;

export default {
  async fetch(request, env): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (pathname === "/api/health") return Response.json({ ok: true });
    const match = SOCKET_ROUTE.exec(pathname);
    if (!match || request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return new Response("not found", { status: 404 });
    }
    return env.ROOMS.getByName(match[1]!).fetch(request);
  },
} satisfies ExportedHandler<BaselineEnv>;

/** One broadcast group: every text frame goes to every socket, the sender's included. */
export class Broadcast extends DurableObject<BaselineEnv> {
  override async fetch(): Promise<Response> {
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    return new Response(null, { status: 101, webSocket: client });
  }

  override webSocketMessage(_ws: WebSocket, data: string | ArrayBuffer): void {
    if (typeof data !== "string") return;
    for (const socket of this.ctx.getWebSockets()) {
      try {
        socket.send(data);
      } catch {
        // A closing socket; the runtime drops it from getWebSockets soon.
      }
    }
  }
}
