/**
 * Join latency: fill a fresh room with stored messages through the protocol (the same `say` path
 * real messages take), then time fresh sockets from open to `welcome`. Seeding uses as few users
 * as the room's rate limit allows: one user when the bucket is raised, else one burst per user.
 */
import WebSocket from "ws";
import { Samples } from "../stats.ts";
import type { JoinResult, JoinSpec } from "../types.ts";
import { closeSocket, randomToken } from "./client.ts";

/** `say`s one seeder keeps in flight: enough to keep the room busy, few enough not to flood it. */
const SEED_WINDOW = 256;
/** Pause before each measured join. */
const JOIN_GAP_MS = 50;
/** Longest wait for any progress (a welcome, a stored message). */
const STEP_TIMEOUT_MS = 30_000;

interface Frame {
  type?: string;
  frames?: Frame[];
  code?: string;
  ref?: string;
  retryAfterMs?: number;
  seq?: number;
  messages?: unknown[];
  limits?: { burst?: number };
}

/** Seeds one room per entry of `spec.seeds` and measures `spec.joins` joins in each. */
export async function measureJoins(spec: JoinSpec): Promise<JoinResult[]> {
  const results: JoinResult[] = [];
  for (const stored of spec.seeds) {
    const url = `${spec.socketBase}/bench-join-${Math.random().toString(36).slice(2, 10)}/ws`;
    const seedStart = performance.now();
    await seed(url, stored, spec.textBytes);
    const seedSeconds = (performance.now() - seedStart) / 1000;
    const latency = new Samples();
    let welcomeMessages = 0;
    for (let i = 0; i < spec.joins; i++) {
      // Joins apart by more than the room's batch window, so each welcome meets a quiet room.
      await new Promise((resolve) => setTimeout(resolve, JOIN_GAP_MS));
      const join = await joinOnce(url);
      if (join.seq < stored) throw new Error(`room holds seq ${join.seq}, expected ${stored} seeded messages`);
      latency.add(join.ms);
      welcomeMessages = join.messages;
    }
    results.push({ stored, latency: latency.percentiles(), welcomeMessages, seedSeconds: Math.round(seedSeconds * 10) / 10 });
  }
  return results;
}

/** Opens a socket, says hello, and times open → welcome. */
async function joinOnce(url: string): Promise<{ ms: number; seq: number; messages: number }> {
  const socket = await ProtocolSocket.open(url);
  // Not awaited: the next join need not wait for this socket's TCP teardown.
  void socket.close();
  return { ms: socket.welcomeMs, seq: socket.welcome.seq ?? 0, messages: socket.welcome.messages?.length ?? 0 };
}

/** Stores `count` messages in the room, pipelined, one user per rate-limit burst. */
async function seed(url: string, count: number, textBytes: number): Promise<void> {
  let stored = 0;
  let nextId = 0;
  while (stored < count) {
    const socket = await ProtocolSocket.open(url);
    const quota = Math.min(count - stored, Math.max(1, Math.floor(socket.welcome.limits?.burst ?? 1)));
    const target = stored + quota;
    let sent = 0;
    const text = (id: number) => `seed ${id} `.padEnd(textBytes, "x");
    const sendNext = () => {
      if (sent >= quota) return;
      sent++;
      const id = String(nextId++);
      socket.send({ type: "say", id, text: text(Number(id)) });
    };
    await new Promise<void>((resolve, reject) => {
      // Fails only when nothing was stored for a while: a slow, busy server is not a stalled one.
      let timer = setTimeout(stalled, STEP_TIMEOUT_MS);
      function stalled() {
        reject(new Error(`seeding stalled at ${stored}/${count}`));
      }
      socket.onFrame = (frame) => {
        if (frame.type === "message") {
          stored++;
          clearTimeout(timer);
          if (stored >= target) return resolve();
          timer = setTimeout(stalled, STEP_TIMEOUT_MS);
          sendNext();
        } else if (frame.type === "error" && frame.code === "rate_limited" && frame.ref !== undefined) {
          // Resend under the same id after the wait the room asked for (ids make resends safe).
          const ref = frame.ref;
          setTimeout(() => socket.send({ type: "say", id: ref, text: text(Number(ref)) }), frame.retryAfterMs ?? 100);
        }
      };
      for (let i = 0; i < SEED_WINDOW; i++) sendNext();
    });
    await socket.close();
  }
}

/** A minimal protocol socket for seeding and joining: hello on open, frames unpacked to a callback. */
class ProtocolSocket {
  readonly #ws: WebSocket;
  welcome: Frame = {};
  welcomeMs = 0;
  onFrame: (frame: Frame) => void = () => {};

  private constructor(ws: WebSocket) {
    this.#ws = ws;
  }

  /** Opens a socket into the room and resolves at its welcome. */
  static open(url: string): Promise<ProtocolSocket> {
    return new Promise((resolve, reject) => {
      const socket = new ProtocolSocket(new WebSocket(url, { perMessageDeflate: false }));
      const ws = socket.#ws;
      const timer = setTimeout(() => reject(new Error("no welcome within the timeout")), STEP_TIMEOUT_MS);
      let openedAt = 0;
      ws.on("error", reject);
      ws.on("open", () => {
        openedAt = performance.now();
        socket.send({ type: "hello", token: randomToken() });
      });
      ws.on("message", (data: Buffer) => {
        const now = performance.now();
        const frame = JSON.parse(data.toString()) as Frame;
        for (const one of frame.type === "batch" ? (frame.frames ?? []) : [frame]) {
          if (one.type === "welcome") {
            clearTimeout(timer);
            socket.welcome = one;
            socket.welcomeMs = now - openedAt;
            resolve(socket);
          } else {
            socket.onFrame(one);
          }
        }
      });
    });
  }

  send(frame: object): void {
    this.#ws.send(JSON.stringify(frame));
  }

  close(): Promise<void> {
    return closeSocket(this.#ws);
  }
}
