/**
 * Signed identity against a real `wrangler dev` started as a host application's deployment would
 * be: `--var AUTH_SECRET:...` (HS256) and `--var AUTH_JWKS_URL:http://127.0.0.1:<port>/jwks` (a key
 * set served by this test, ES256). @edge-chat/client connects with a token provider and keeps
 * refreshing across its tokens' expiry with nothing lost, where a fixed token of the same kind is
 * closed with 4401; a socket closed for an expired token reconnects with a fresh one and resumes.
 *
 * The tokens are issued already past their `exp` by `PAST` seconds: the room accepts a token for
 * 60 s after `exp` (the leeway) and closes a socket when that runs out, so each token here keeps a
 * socket open for only a few seconds, and a test sees several expiries in well under a minute.
 */
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type Room } from "@edge-chat/client";
import { SignJWT, exportJWK, generateKeyPair, type JWK } from "jose";
import { freePort, startDevServer, type DevServer } from "../../scripts/dev-server.ts";
import { nextEvent, until, untilOpen } from "./client-support.ts";

const SECRET = "node-test-hs256-key-of-at-least-32-bytes";
/** A token's socket lives 60 - PAST seconds. */
const PAST = 54;

let server: DevServer;
let keySet: Server;
let es256: { privateKey: Awaited<ReturnType<typeof generateKeyPair>>["privateKey"]; kid: string };
let keySetRequests = 0;
const rooms: Room[] = [];

beforeAll(async () => {
  const pair = await generateKeyPair("ES256", { extractable: true });
  es256 = { privateKey: pair.privateKey, kid: "node-test-es256" };
  const jwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: es256.kid, alg: "ES256", use: "sig" };
  const jwksPort = await freePort();
  keySet = createServer((request, response) => {
    keySetRequests++;
    if (request.url !== "/jwks") return void response.writeHead(404).end();
    response.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => keySet.listen(jwksPort, "127.0.0.1", resolve));
  server = await startDevServer({ vars: { AUTH_SECRET: SECRET, AUTH_JWKS_URL: `http://127.0.0.1:${jwksPort}/jwks` } });
}, 90_000);
afterAll(async () => {
  for (const room of rooms) await room.close();
  await server?.stop();
  await new Promise((resolve) => keySet?.close(resolve));
});

/** A token for `sub`, its `exp` `PAST` seconds ago unless `exp` is given. */
function hs256(sub: string, exp = Math.floor(Date.now() / 1000) - PAST): Promise<string> {
  return new SignJWT({ sub, name: sub, exp }).setProtectedHeader({ alg: "HS256" }).sign(new TextEncoder().encode(SECRET));
}

async function join(room: string, options: { auth?: () => Promise<string>; fixed?: string; name?: string }): Promise<Room> {
  const joined = await connect({ url: server.url, room, ...(options.auth ? { auth: options.auth } : {}), ...(options.fixed ? { auth: options.fixed } : {}), ...(options.name ? { name: options.name } : {}) });
  rooms.push(joined);
  return joined;
}

describe("signed identity with wrangler dev", () => {
  it("admits an ES256 token checked against AUTH_JWKS_URL on 127.0.0.1, and an HS256 one of AUTH_SECRET", async () => {
    const es = await new SignJWT({ sub: "user@example.com", name: "Esme", bot: true, exp: Math.floor(Date.now() / 1000) + 600 })
      .setProtectedHeader({ alg: "ES256", kid: es256.kid })
      .sign(es256.privateKey);
    const esme = await join("signed-jwks", { fixed: es });
    expect(esme.self).toMatchObject({ id: "user@example.com", name: "Esme", bot: true });
    expect(keySetRequests).toBeGreaterThan(0);
    const hana = await join("signed-jwks", { fixed: await hs256("hana", Math.floor(Date.now() / 1000) + 600) });
    expect(hana.self).toMatchObject({ id: "hana", name: "hana" });
    expect(hana.users.map((u) => u.id).sort()).toEqual(["hana", "user@example.com"]);
  });

  it("refreshes across its tokens' expiries with nothing lost, where a fixed token is closed with 4401", { timeout: 60_000 }, async () => {
    const room = "signed-refresh";
    let issued = 0;
    const kim = await join(room, { auth: () => (issued++, hs256("kim")) });
    const fixed = await join(room, { fixed: await hs256("fixed") });
    const ada = await join(room, { name: "ada" });
    const refreshed: number[] = [];
    kim.on("auth", (answer) => refreshed.push(answer.exp));
    const kimGot: string[] = [];
    const adaGot: string[] = [];
    kim.on("message", (m) => kimGot.push(m.text));
    ada.on("message", (m) => adaGot.push(m.text));
    let kimWelcomes = 0;
    kim.on("welcome", () => kimWelcomes++);
    const fixedClosed = until(fixed, "state", () => fixed.state.state === "closed", 30_000);

    // Three of kim's tokens run out (each keeps a socket 6 s) while both sides talk.
    const sent: string[] = [];
    const deadline = Date.now() + 3 * (60 - PAST) * 1000 + 2_000;
    for (let n = 0; Date.now() < deadline; n++) {
      const [a, k] = [`ada ${n}`, `kim ${n}`];
      sent.push(a, k);
      const kimHeard = nextEvent(kim, "message", (m) => m.text === a, 10_000);
      const adaHeard = nextEvent(ada, "message", (m) => m.text === k, 10_000);
      await ada.say(a);
      await kim.say(k);
      await Promise.all([kimHeard, adaHeard]);
    }
    await fixedClosed;
    expect(fixed.state).toMatchObject({ state: "closed", reason: "unauthorized" });
    expect(refreshed.length).toBeGreaterThanOrEqual(3);
    expect(issued).toBeGreaterThanOrEqual(4);
    expect(kim.state.state).toBe("open");
    // Kim's one socket stayed: no hello again.
    expect(kimWelcomes).toBe(0);
    expect(kimGot.filter((t) => sent.includes(t))).toEqual(sent);
    expect(adaGot.filter((t) => sent.includes(t))).toEqual(sent);
  });

  it("reconnects a socket closed for an expired token with a fresh one, and resumes what it missed", { timeout: 60_000 }, async () => {
    const room = "signed-expired";
    // The provider answers at once for the first hello, then holds its answers (the refresh, and
    // the reconnect's hello) until the room has closed the socket for the expired token and ada
    // has said something lee can only get by resuming.
    let calls = 0;
    let closedForExpiry!: () => void;
    const afterClose = new Promise<void>((resolve) => (closedForExpiry = resolve));
    const lee = await join(room, {
      auth: async () => {
        calls++;
        if (calls >= 2) await afterClose;
        return hs256("lee");
      },
    });
    const ada = await join(room, { name: "ada" });
    let welcomes = 1;
    lee.on("welcome", () => welcomes++);
    const reconnecting = until(lee, "state", () => lee.state.state === "reconnecting", 30_000);
    const leeGot: string[] = [];
    lee.on("message", (m) => leeGot.push(m.text));
    await reconnecting;
    await ada.say("while lee was away");
    closedForExpiry();
    await untilOpen(lee, 30_000);
    expect(welcomes).toBe(2);
    await ada.say("after");
    await until(lee, "message", () => leeGot.includes("after"), 10_000);
    expect(leeGot).toEqual(["while lee was away", "after"]);
    expect(lee.self.id).toBe("lee");
  });
});
