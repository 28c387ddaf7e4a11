/**
 * A small host application for the sign-in specs: the application a chat deployment trusts, on
 * another 127.0.0.1 port (another origin). It knows its user by a session cookie and answers
 * AUTH_TOKEN_URL with that user's short-lived HS256 token (signed with jose and the chat server's
 * AUTH_SECRET), and it serves a page that embeds a room (`/embed.html`) and hands the iframe its
 * token by postMessage, as docs/AUTH.md shows a host doing.
 *
 * For the expiry a spec can make the next token of a user stale (its `exp` 50 s ago: the room
 * still takes it, within its 60 s leeway, and closes the socket with 4401 some 10 s later) and
 * hold every later request of that user until released, so no refresh can save the socket.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { SignJWT } from "jose";

/** The cookie the host application knows its user by. */
export const SESSION_COOKIE = "host_session";

/** Options of one host application. */
export interface HostAppOptions {
  /** The chat server's AUTH_SECRET. */
  secret: string;
  /** The chat's origin (known once its server runs): the only origin the token endpoint answers with CORS. */
  chatOrigin: () => string;
  /** Lifetime of the tokens handed out, in seconds. */
  ttlSeconds: number;
}

/** A running host application. */
export interface HostApp {
  /** http://127.0.0.1:PORT */
  origin: string;
  /** How many tokens each user was given. */
  served(user: string): number;
  /** The user's next token is stale, and every request of theirs after it waits until `release`. */
  expireNext(user: string): void;
  /** Answers the user's held requests, and hands out fresh tokens again. */
  release(user: string): void;
  /** Signs a token for `user` as the endpoint would. */
  token(user: string): Promise<string>;
  stop(): Promise<void>;
}

/** Starts a host application on a free port. */
export async function startHostApp(options: HostAppOptions): Promise<HostApp> {
  const key = new TextEncoder().encode(options.secret);
  const served = new Map<string, number>();
  const stale = new Set<string>();
  const holding = new Map<string, (() => void)[]>();

  // A key the chat does not know: a host whose secret does not match the chat's.
  const wrongKey = new TextEncoder().encode(`${options.secret}-but-not-the-chat's`);

  // Users whose name starts with "robot" are the application's bots (the `bot` claim), those
  // whose name starts with "owner" own every room (the `role` claim), those whose name starts
  // with "guest" may enter the rooms named lobby-* only (the `rooms` claim), and those whose name
  // starts with "forged" get tokens signed with a key the chat does not know.
  const sign = (user: string, expSeconds: number) =>
    new SignJWT({
      name: user,
      ...(user.startsWith("robot") ? { bot: true } : {}),
      ...(user.startsWith("owner") ? { role: "owner" } : {}),
      ...(user.startsWith("guest") ? { rooms: ["lobby-*"] } : {}),
    })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(user)
      .setExpirationTime(expSeconds)
      .sign(user.startsWith("forged") ? wrongKey : key);
  const nowSeconds = () => Math.floor(Date.now() / 1000);

  /** The token endpoint: the session's user's token, JSON for some users and plain text for others (both are documented). */
  async function chatToken(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const origin = request.headers.origin;
    if (origin === options.chatOrigin()) {
      response.setHeader("Access-Control-Allow-Origin", origin);
      response.setHeader("Access-Control-Allow-Credentials", "true");
    }
    response.setHeader("Vary", "Origin");
    response.setHeader("Cache-Control", "no-store");
    const user = sessionUser(request);
    if (user === undefined) return void response.writeHead(401).end("not signed in");
    const held = holding.get(user);
    if (held) await new Promise<void>((resolve) => held.push(resolve));
    const exp = stale.delete(user) ? nowSeconds() - 50 : nowSeconds() + options.ttlSeconds;
    if (exp < nowSeconds()) holding.set(user, []);
    const token = await sign(user, exp);
    served.set(user, (served.get(user) ?? 0) + 1);
    if (user.startsWith("a")) response.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ token }));
    else response.writeHead(200, { "Content-Type": "text/plain" }).end(token);
  }

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://host");
    if (url.pathname === "/chat-token") return void chatToken(request, response).catch(() => response.writeHead(500).end());
    if (url.pathname === "/token") {
      // The embedding page's own endpoint (same origin as that page, so no CORS): the user named in the query.
      return void sign(url.searchParams.get("user") ?? "anon", nowSeconds() + options.ttlSeconds).then((token) => response.writeHead(200, { "Content-Type": "text/plain" }).end(token));
    }
    if (url.pathname === "/embed.html") return void response.writeHead(200, { "Content-Type": "text/html" }).end(embedPage(url, options.chatOrigin()));
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    served: (user) => served.get(user) ?? 0,
    expireNext: (user) => void stale.add(user),
    release: (user) => {
      for (const resolve of holding.get(user) ?? []) resolve();
      holding.delete(user);
    },
    token: (user) => sign(user, nowSeconds() + options.ttlSeconds),
    stop: () => closeServer(server),
  };
}

/** The user of the request's session cookie. */
function sessionUser(request: IncomingMessage): string | undefined {
  const cookies = (request.headers.cookie ?? "").split(";").map((c) => c.trim().split("="));
  return cookies.find(([name]) => name === SESSION_COOKIE)?.[1];
}

/**
 * A host page embedding `/r/<room>?embed=1` for `?user=`: it answers the iframe's token requests
 * with a token from its own endpoint, checking the message's origin and source, as docs/AUTH.md
 * shows. With `?intruder=<url>`, before its first answer it loads that page (another origin, not
 * listed) in a second frame and waits until that page has posted a token of its own to the chat.
 */
function embedPage(url: URL, chatOrigin: string): string {
  const room = url.searchParams.get("room") ?? "lobby";
  const user = url.searchParams.get("user") ?? "anon";
  const intruder = url.searchParams.get("intruder");
  return `<!doctype html><html><head><meta charset="utf-8"><title>Host app</title></head><body>
<h1>The host application</h1>
<iframe id="chat" title="Team chat" src="${chatOrigin}/r/${room}?embed=1" style="width:800px;height:600px"></iframe>
<script>
  const CHAT_ORIGIN = ${JSON.stringify(chatOrigin)};
  const chat = document.getElementById("chat");
  let intruderDone = ${intruder === null ? "Promise.resolve()" : "null"};
  window.addEventListener("message", async (event) => {
    if (event.data === "intruder-posted") { window.intruderPosted = true; window.intruderResolve(); return; }
    if (event.origin !== CHAT_ORIGIN || event.source !== chat.contentWindow) return;
    if (event.data?.type !== "edge-chat:token-request") return;
    if (intruderDone === null) {
      intruderDone = new Promise((resolve) => (window.intruderResolve = resolve));
      const frame = document.createElement("iframe");
      frame.src = ${JSON.stringify(intruder ?? "")};
      document.body.append(frame);
    }
    await intruderDone;
    const token = await (await fetch("/token?user=${encodeURIComponent(user)}")).text();
    chat.contentWindow.postMessage({ type: "edge-chat:token", token }, CHAT_ORIGIN);
  });
</script></body></html>`;
}

/**
 * A page of an origin the chat does not list: it posts a valid token of its own user to the
 * chat's frame (the first frame of its parent), then tells its parent it did.
 */
export async function startIntruder(secret: string, ttlSeconds: number): Promise<{ url: string; stop(): Promise<void> }> {
  const token = await new SignJWT({ name: "mallory" })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject("mallory")
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(new TextEncoder().encode(secret));
  const server: Server = createServer((_request, response) => {
    response.writeHead(200, { "Content-Type": "text/html" }).end(`<!doctype html><script>
  parent.frames[0].postMessage({ type: "edge-chat:token", token: ${JSON.stringify(token)} }, "*");
  parent.postMessage("intruder-posted", "*");
</script>`);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/intruder.html`, stop: () => closeServer(server) };
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
