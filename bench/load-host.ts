/**
 * The host's handle on the load process: spawns `load/main.ts` in its own process (pinned with
 * `taskset` when the plan says so), sends it trials over IPC, and lets the caller sample server CPU
 * at each stage boundary the load process marks.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { openFileLimit } from "./proc.ts";
import type { HostMessage, JoinResult, JoinSpec, LoadMessage, TrialResult, TrialSpec } from "./types.ts";

const LOAD_MAIN = fileURLToPath(new URL("./load/main.ts", import.meta.url));

/** A running load process. */
export class LoadProcess {
  readonly #child: ChildProcess;
  #nextId = 1;
  readonly #pending = new Map<number, { onMark?: (label: string) => void; resolve(value: unknown): void; reject(err: Error): void }>();

  private constructor(child: ChildProcess) {
    this.#child = child;
    child.on("message", (message: LoadMessage) => this.#onMessage(message));
    child.on("exit", (code) => {
      for (const { reject } of this.#pending.values()) reject(new Error(`load process exited with ${code}`));
      this.#pending.clear();
    });
  }

  /**
   * Starts the load process, on `cpus` when given. A shell raises its limit of open files to the
   * hard limit first: a big room needs a socket per client, more than the usual soft 1,024.
   */
  static start(cpus?: string): LoadProcess {
    const command = cpus ? ["taskset", "-c", cpus, process.execPath, LOAD_MAIN] : [process.execPath, LOAD_MAIN];
    const raise = 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"';
    // The IPC channel survives the shell's and taskset's exec: Node hands it over as an inherited fd named in the environment.
    return new LoadProcess(spawn("sh", ["-c", raise, "sh", ...command], { stdio: ["ignore", "inherit", "inherit", "ipc"] }));
  }

  /** The load process's pid (for the report). */
  get pid(): number {
    return this.#child.pid ?? 0;
  }

  /** How many files (sockets) the load process may open, or null where /proc does not say. */
  get openFileLimit(): number | null {
    return this.#child.pid ? openFileLimit(this.#child.pid) : null;
  }

  /** Runs one trial; `onMark` is called at each stage window's start and end. */
  trial(spec: TrialSpec, onMark: (label: string) => void): Promise<TrialResult> {
    return this.#request({ kind: "trial", id: this.#nextId++, spec }, onMark) as Promise<TrialResult>;
  }

  /** Seeds rooms and measures join latency. */
  joins(spec: JoinSpec): Promise<JoinResult[]> {
    return this.#request({ kind: "join", id: this.#nextId++, spec }) as Promise<JoinResult[]>;
  }

  /** Asks the load process to exit and waits for it. */
  async stop(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.#child.once("exit", resolve));
    this.#send({ kind: "exit" });
    const timer = setTimeout(() => this.#child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  }

  #request(message: Exclude<HostMessage, { kind: "exit" }>, onMark?: (label: string) => void): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.#pending.set(message.id, { resolve, reject, ...(onMark ? { onMark } : {}) });
      this.#send(message);
    });
  }

  #send(message: HostMessage): void {
    if (this.#child.connected) this.#child.send(message);
  }

  #onMessage(message: LoadMessage): void {
    const pending = this.#pending.get(message.id);
    if (!pending) return;
    if (message.kind === "mark") return pending.onMark?.(message.label);
    this.#pending.delete(message.id);
    if (message.kind === "error") pending.reject(new Error(message.message));
    else pending.resolve(message.result);
  }
}
