/**
 * Helpers for the tests that use the client against wrangler dev: run an example as its own Node
 * process (types stripped, as a person runs it) and wait for a line it prints; wait for a room
 * event, or a state of the room, with a timeout.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { join } from "node:path";
import type { Room, RoomEventName, RoomEvents } from "@edge-chat/client";

const ROOT = join(import.meta.dirname, "..", "..");

/** A running example: its output so far, line by line, and a way to wait for a line. */
export class ExampleProcess {
  readonly lines: string[] = [];
  readonly child: ChildProcessWithoutNullStreams;
  #waiters: (() => void)[] = [];
  #exit: Promise<number | null>;

  constructor(script: string, args: string[]) {
    this.child = spawn(process.execPath, [join(ROOT, script), ...args], { cwd: ROOT, env: { ...process.env, TZ: "UTC" } });
    let partial = "";
    const take = (chunk: Buffer) => {
      partial += chunk.toString("utf8");
      const parts = partial.split("\n");
      partial = parts.pop()!;
      this.lines.push(...parts);
      for (const wake of this.#waiters.splice(0)) wake();
    };
    this.child.stdout.on("data", take);
    this.child.stderr.on("data", take);
    this.#exit = new Promise((resolve) => this.child.once("exit", (code) => resolve(code)));
  }

  /** The first line from index `from` on that matches, within `timeoutMs`. */
  async line(pattern: RegExp, from = 0, timeoutMs = 30_000): Promise<{ text: string; index: number; match: RegExpMatchArray }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (let index = from; index < this.lines.length; index++) {
        const match = this.lines[index]!.match(pattern);
        if (match) return { text: this.lines[index]!, index, match };
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no line matching ${pattern} within ${timeoutMs} ms; output:\n${this.lines.join("\n")}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Types a line into its standard input. */
  type(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }

  /** Ends it (SIGTERM) and waits for it to exit. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGTERM");
    await this.#exit;
  }
}

/** The next `name` event of `room` that `match` accepts, within `timeoutMs`. */
export function nextEvent<K extends RoomEventName>(room: Room, name: K, match: (data: RoomEvents[K]) => boolean, timeoutMs = 30_000): Promise<RoomEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`no matching ${name} event within ${timeoutMs} ms`));
    }, timeoutMs);
    const stop = room.on(name, (data) => {
      if (!match(data)) return;
      clearTimeout(timer);
      stop();
      resolve(data);
    });
  });
}

/** Resolves once `room` is open (at once when it is), within `timeoutMs`. */
export async function untilOpen(room: Room, timeoutMs = 60_000): Promise<void> {
  await until(room, "state", () => room.state.state === "open", timeoutMs);
}

/** Resolves once `condition()` holds, checked now and after each `name` event of `room`, within `timeoutMs`. */
export async function until(room: Room, name: RoomEventName, condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  if (condition()) return;
  await nextEvent(room, name, () => condition(), timeoutMs);
}
