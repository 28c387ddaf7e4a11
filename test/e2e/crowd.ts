/**
 * A crowd for the big-room tests: many raw room sockets from the Playwright process, connected
 * with bounded concurrency (so the dev server is never asked for hundreds of handshakes at once),
 * each saying hello and then only keeping itself alive. They read nothing after their welcome.
 */
import { randomBytes } from "node:crypto";
import WebSocket from "ws";
import { baseUrl } from "./support.ts";

/** One member of the crowd, as the room welcomed it. */
export interface CrowdMember {
  id: string;
  name: string;
  ws: WebSocket;
}

/** How long one socket may take from opening to its welcome. */
const WELCOME_TIMEOUT_MS = 20_000;
/** Heartbeat, as every client must send: the room closes sockets silent for 60 s. */
const PING_MS = 25_000;

/** Many sockets in one room. */
export class Crowd {
  readonly room: string;
  readonly members: CrowdMember[] = [];
  readonly #pinger: ReturnType<typeof setInterval>;

  private constructor(room: string) {
    this.room = room;
    this.#pinger = setInterval(() => {
      for (const { ws } of this.members) if (ws.readyState === WebSocket.OPEN) ws.send("ping");
    }, PING_MS);
  }

  /** Connects `count` members named `<prefix>-0001`…, at most `concurrency` handshakes at a time. */
  static async fill(room: string, count: number, prefix = "bot", concurrency = 20): Promise<Crowd> {
    const crowd = new Crowd(room);
    try {
      await crowd.add(count, prefix, concurrency);
    } catch (error) {
      await crowd.close();
      throw error;
    }
    return crowd;
  }

  /** Adds `count` more members; returns them. */
  async add(count: number, prefix: string, concurrency = 20): Promise<CrowdMember[]> {
    const names = Array.from({ length: count }, (_, i) => `${prefix}-${String(i + 1).padStart(4, "0")}`);
    const added: CrowdMember[] = [];
    let next = 0;
    const worker = async () => {
      while (next < names.length) {
        const member = await this.#join(names[next++]!);
        this.members.push(member);
        added.push(member);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
    return added;
  }

  /** Closes these members (all by default) and waits until each socket is closed. */
  async close(which: CrowdMember[] = [...this.members]): Promise<void> {
    if (which.length === this.members.length) clearInterval(this.#pinger);
    const gone = new Set(which);
    this.members.splice(0, this.members.length, ...this.members.filter((m) => !gone.has(m)));
    await Promise.all(which.map(({ ws }) => closeSocket(ws)));
  }

  async #join(name: string): Promise<CrowdMember> {
    // A big room's crowd comes from many addresses: each bot gives its own (a client's own
    // CF-Connecting-IP stands under wrangler dev), so the crowd spends no one address's budget.
    const headers = { "CF-Connecting-IP": crowdAddress() };
    const ws = new WebSocket(`${baseUrl().replace(/^http/, "ws")}/api/rooms/${this.room}/ws`, { headers });
    try {
      const self = await new Promise<{ id: string; name: string }>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`crowd: no welcome for ${name} within ${WELCOME_TIMEOUT_MS} ms`)), WELCOME_TIMEOUT_MS);
        ws.once("error", (error) => {
          clearTimeout(timer);
          reject(error);
        });
        ws.once("open", () => ws.send(JSON.stringify({ type: "hello", token: randomBytes(24).toString("base64url"), name })));
        const onMessage = (data: WebSocket.RawData) => {
          const text = String(data);
          if (!text.includes('"welcome"') && !text.includes('"error"')) return;
          const frame = JSON.parse(text) as { type: string; self?: { id: string; name: string }; frames?: { type: string; self?: { id: string; name: string } }[] };
          const found = frame.type === "batch" ? frame.frames?.find((f) => f.type === "welcome" || f.type === "error") : frame;
          if (!found) return;
          clearTimeout(timer);
          ws.off("message", onMessage);
          if (found.type === "welcome" && found.self) resolve(found.self);
          else reject(new Error(`crowd: hello of ${name} refused: ${text.slice(0, 200)}`));
        };
        ws.on("message", onMessage);
      });
      return { ...self, ws };
    } catch (error) {
      ws.terminate();
      throw error;
    }
  }
}

let crowdAddresses = 0;

/** The next address of the crowd, in 10.0.0.0/8. */
function crowdAddress(): string {
  const n = ++crowdAddresses;
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

/** Closes a socket and waits for its close (terminating it if the close handshake hangs). */
function closeSocket(ws: WebSocket): Promise<void> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      ws.terminate();
      resolve();
    }, 10_000);
    ws.once("close", () => {
      clearTimeout(timer);
      resolve();
    });
    ws.close(1000, "done");
  });
}
