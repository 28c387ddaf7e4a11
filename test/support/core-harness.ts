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
import { RoomState, type CoreDeps } from "../../src/server/core/room-state.ts";
import type { Room } from "../../src/server/objects/room.ts";
import { roomName } from "./room-client.ts";

/**
 * A core on `state`'s SQLite (or `sql`, a wrapper of it) with a hand-moved clock; `vars` as the
 * Worker's vars would set them.
 */
export function coreHarness(state: DurableObjectState, vars: Record<string, string> = {}, sql: SqlStorage = state.storage.sql) {
  const sent: { audience: Audience; frame: SingleServerFrame }[] = [];
  const clock = { now: 1_800_000_000_000 };
  const deps: CoreDeps = {
    sql,
    transaction: (fn) => state.storage.transactionSync(fn),
    config: readConfig(vars),
    outlet: { frame: (audience, frame) => void sent.push({ audience, frame }), close: () => {} },
    hooks: { admitted: () => {}, renamed: () => {}, charged: () => {}, expires: () => {}, readMoved: () => {} },
    holding: () => false,
    now: () => clock.now,
  };
  // The parts behind the facade (the log, the queue), for tests that count what they hold.
  const room = new RoomState(deps);
  const core = new RoomCore(deps, room);
  const send = (conn: string, frame: object) => core.receive(conn, decodeClientFrame(JSON.stringify(frame)));
  const hello = (conn: string, name: string, token = `${conn.replace(/\W/g, "")}-token-0123456789`) =>
    send(conn, { type: "hello", token, name });
  /** Frames of `type` sent so far, to anyone. */
  const framesOf = <T extends SingleServerFrame["type"]>(type: T) =>
    sent.flatMap((s) => (s.frame.type === type ? [s.frame as Extract<SingleServerFrame, { type: T }>] : []));
  return { core, room, sent, clock, send, hello, framesOf };
}

/** Runs `test` inside a fresh room's Durable Object. */
export function inCoreRoom<T>(label: string, test: (state: DurableObjectState) => T | Promise<T>): Promise<T> {
  return runInDurableObject(env.ROOMS.getByName(roomName(label)), (_: Room, state) => test(state));
}

/**
 * `sql` with a count of the rows its statements read (the runtime's own `rowsRead`, what storage
 * bills): `read()` sums the statements run since the last `reset()`, or only those whose SQL
 * matches `only`.
 */
export function countingSql(sql: SqlStorage): { sql: SqlStorage; read(only?: RegExp): number; reset(): void; runs(): { query: string; cursor: SqlStorageCursor<Record<string, SqlStorageValue>> }[] } {
  let runs: { query: string; cursor: SqlStorageCursor<Record<string, SqlStorageValue>> }[] = [];
  const exec = (query: string, ...params: unknown[]) => {
    const cursor = sql.exec(query, ...params);
    runs.push({ query, cursor });
    return cursor;
  };
  const counted = new Proxy(sql, {
    get(target, property) {
      if (property === "exec") return exec;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return {
    sql: counted,
    read: (only) => runs.reduce((sum, run) => sum + (only === undefined || only.test(run.query) ? run.cursor.rowsRead : 0), 0),
    reset: () => void (runs = []),
    runs: () => runs,
  };
}
