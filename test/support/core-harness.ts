/**
 * A room's core driven without any socket, for tests that count work or storage: a fake outlet
 * records what it would send, a clock moves by hand, and the storage is the real SQLite of the
 * Durable Object the test runs in (`inCoreRoom`).
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { SingleServerFrame } from "@edge-chat/protocol";
import { decodeClientFrame } from "@edge-chat/protocol/validate";
import { readConfig } from "../../src/server/config.ts";
import type { Audience } from "../../src/server/core/group-commit.ts";
import { RoomCore } from "../../src/server/core/room-core.ts";
import type { Room } from "../../src/server/objects/room.ts";
import { roomName } from "./room-client.ts";

/** A core on `state`'s SQLite with a hand-moved clock; `vars` as the Worker's vars would set them. */
export function coreHarness(state: DurableObjectState, vars: Record<string, string> = {}) {
  const sent: { audience: Audience; frame: SingleServerFrame }[] = [];
  const clock = { now: 1_800_000_000_000 };
  const core = new RoomCore({
    sql: state.storage.sql,
    transaction: (fn) => state.storage.transactionSync(fn),
    config: readConfig(vars),
    outlet: { frame: (audience, frame) => void sent.push({ audience, frame }), close: () => {} },
    hooks: { admitted: () => {}, renamed: () => {}, charged: () => {} },
    now: () => clock.now,
  });
  const send = (conn: string, frame: object) => core.receive(conn, decodeClientFrame(JSON.stringify(frame)));
  const hello = (conn: string, name: string, token = `${conn.replace(/\W/g, "")}-token-0123456789`) =>
    send(conn, { type: "hello", token, name });
  /** Frames of `type` sent so far, to anyone. */
  const framesOf = <T extends SingleServerFrame["type"]>(type: T) =>
    sent.flatMap((s) => (s.frame.type === type ? [s.frame as Extract<SingleServerFrame, { type: T }>] : []));
  return { core, sent, clock, send, hello, framesOf };
}

/** Runs `test` inside a fresh room's Durable Object. */
export function inCoreRoom<T>(label: string, test: (state: DurableObjectState) => T | Promise<T>): Promise<T> {
  return runInDurableObject(env.ROOMS.getByName(roomName(label)), (_: Room, state) => test(state));
}
