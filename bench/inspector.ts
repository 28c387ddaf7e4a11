/**
 * A minimal Chrome DevTools Protocol client for the Worker's inspector (the port `wrangler dev`
 * opens with --inspector-port): enough to record a CPU profile of the Worker and its Durable Objects.
 */
import WebSocket from "ws";

/** A V8 CPU profile as the Profiler domain returns it. */
export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
    children?: number[];
  }[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** A connection to one inspector target. */
export class Inspector {
  readonly #ws: WebSocket;
  #nextId = 1;
  readonly #pending = new Map<number, { resolve(value: unknown): void; reject(err: Error): void }>();

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on("message", (data: Buffer) => {
      const message = JSON.parse(data.toString()) as { id?: number; result?: unknown; error?: { message: string } };
      const pending = message.id === undefined ? undefined : this.#pending.get(message.id);
      if (!pending) return;
      this.#pending.delete(message.id!);
      if (message.error) pending.reject(new Error(message.error.message));
      else pending.resolve(message.result);
    });
  }

  /** Connects to the first target the inspector at `port` lists. */
  static async connect(port: number): Promise<Inspector> {
    const targets = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as { webSocketDebuggerUrl: string }[];
    const url = targets[0]?.webSocketDebuggerUrl;
    if (!url) throw new Error(`no inspector target on port ${port}`);
    const ws = new WebSocket(url);
    await new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
    return new Inspector(ws);
  }

  /** Sends one command and resolves with its result. */
  call<T = unknown>(method: string, params: object = {}): Promise<T> {
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.#ws.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Starts sampling every `intervalUs` microseconds. */
  async startProfile(intervalUs = 100): Promise<void> {
    await this.call("Profiler.enable");
    await this.call("Profiler.setSamplingInterval", { interval: intervalUs });
    await this.call("Profiler.start");
  }

  /** Stops sampling and returns the profile. */
  async stopProfile(): Promise<CpuProfile> {
    const { profile } = await this.call<{ profile: CpuProfile }>("Profiler.stop");
    return profile;
  }

  close(): void {
    this.#ws.close();
  }
}

/** One row of a profile summary: self time of a function (or a group), in ms and as a share of all samples. */
export interface ProfileRow {
  name: string;
  selfMs: number;
  share: number;
}

/** Self time per function, largest first; `(idle)` is the isolate waiting, `(program)` native work outside JS. */
export function selfTimes(profile: CpuProfile, group: (frame: CpuProfile["nodes"][number]["callFrame"]) => string): ProfileRow[] {
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map<string, number>();
  let all = 0;
  profile.samples.forEach((nodeId, i) => {
    const node = byNode.get(nodeId);
    const us = profile.timeDeltas[i] ?? 0;
    if (!node) return;
    const key = group(node.callFrame);
    totals.set(key, (totals.get(key) ?? 0) + us);
    all += us;
  });
  return [...totals]
    .map(([name, us]) => ({ name, selfMs: Math.round(us / 100) / 10, share: all ? Math.round((us / all) * 1000) / 1000 : 0 }))
    .sort((a, b) => b.selfMs - a.selfMs);
}

/** Total (self + callees) time of every function on the stack, largest first: where whole steps spend their time. */
export function inclusiveTimes(profile: CpuProfile): ProfileRow[] {
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map<string, number>();
  let all = 0;
  profile.samples.forEach((nodeId, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    all += us;
    const seen = new Set<string>();
    for (let id: number | undefined = nodeId; id !== undefined; id = parent.get(id)) {
      const frame = byNode.get(id)?.callFrame;
      if (!frame) break;
      const name = frameName(frame);
      if (seen.has(name)) continue; // recursion counts once
      seen.add(name);
      totals.set(name, (totals.get(name) ?? 0) + us);
    }
  });
  return [...totals]
    .map(([name, us]) => ({ name, selfMs: Math.round(us / 100) / 10, share: all ? Math.round((us / all) * 1000) / 1000 : 0 }))
    .sort((a, b) => b.selfMs - a.selfMs);
}

/** `function (file:line)`, with the file cut to its last two path segments. */
export function frameName(frame: CpuProfile["nodes"][number]["callFrame"]): string {
  const file = frame.url.split("/").slice(-2).join("/");
  const name = frame.functionName || "(anonymous)";
  return file ? `${name} (${file}:${frame.lineNumber + 1})` : name;
}
