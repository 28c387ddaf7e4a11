/**
 * Join latency: fill a fresh room with stored messages through the protocol (the same `say` path
 * real messages take), then time fresh sockets from open to `welcome`. Seeding uses as few users
 * as the room's rate limit allows: one user when the bucket is raised, else one burst per user.
 */
import type { MessageFrame } from "@edge-chat/protocol";
import type { RoomError } from "@edge-chat/protocol/server-frames";
import { LightClient } from "../light/light-client.ts";
import { Samples } from "../stats.ts";
import type { JoinResult, JoinSpec } from "../types.ts";

/** `say`s one seeder keeps in flight: enough to keep the room busy, few enough not to flood it. */
const SEED_WINDOW = 256;
/** Pause before each measured join. */
const JOIN_GAP_MS = 50;
/** Longest wait for any progress (a welcome, a stored message). */
const STEP_TIMEOUT_MS = 30_000;

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
  const socket = new LightClient({ url });
  await socket.connect(STEP_TIMEOUT_MS);
  // Not awaited: the next join need not wait for this socket's TCP teardown.
  void socket.close();
  const welcome = socket.welcome!;
  return { ms: socket.welcomedAt! - socket.openedAt!, seq: welcome.seq, messages: welcome.messages.length };
}

/** Stores `count` messages in the room, pipelined, one user per rate-limit burst. */
async function seed(url: string, count: number, textBytes: number): Promise<void> {
  let stored = 0;
  let nextId = 0;
  while (stored < count) {
    // The handlers are set once the socket is in; nothing the seeder asked for comes before.
    const on = { message: (_: MessageFrame) => {}, error: (_: RoomError) => {} };
    const socket = new LightClient({ url, events: { message: (m) => on.message(m), error: (e) => on.error(e) } });
    await socket.connect(STEP_TIMEOUT_MS);
    const quota = Math.min(count - stored, Math.max(1, Math.floor(socket.welcome!.limits.burst)));
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
      on.message = () => {
        stored++;
        clearTimeout(timer);
        if (stored >= target) return resolve();
        timer = setTimeout(stalled, STEP_TIMEOUT_MS);
        sendNext();
      };
      on.error = (error) => {
        if (error.code !== "rate_limited" || error.ref === undefined) return;
        // Resend under the same id after the wait the room asked for (ids make resends safe).
        const ref = error.ref;
        setTimeout(() => socket.send({ type: "say", id: ref, text: text(Number(ref)) }), error.retryAfterMs ?? 100);
      };
      for (let i = 0; i < SEED_WINDOW; i++) sendNext();
    });
    await socket.close();
  }
}
