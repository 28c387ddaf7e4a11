/**
 * The servers a bench run talks to: the chat (with its normal rate limits), the chat with raised
 * limits for saturation and seeding, and the baseline. Each is a `wrangler dev` of its own (own
 * port, own persist dir, own process group) pinned to the server core, or a URL given by the user.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startDevServer } from "../scripts/dev-server.ts";
import { groupCpu, type GroupCpu } from "./cpu.ts";
import { groupMembers, listeningPorts, openFileLimit, raiseFileLimit, roleOf, roleRssMiB, type Role } from "./proc.ts";

const BASELINE_CONFIG = fileURLToPath(new URL("./baseline/wrangler.toml", import.meta.url));

/** One server under test. */
export interface BenchServer {
  label: string;
  url: string;
  /** ws://…/api/rooms (a room name and /ws are appended). */
  socketBase: string;
  /** Process group and port, when this run started the server (for CPU accounting). */
  pgid?: number;
  port: number;
  inspectorPort?: number;
  /**
   * The lowest limit of open files among its workerd processes (or those of one role), when this
   * run started it: each WebSocket takes ~4 in the proxy workerd and ~2 in the runtime one.
   */
  fileLimit(role?: Role): number | null;
  stop(): Promise<void>;
}

/** Which cores the server and the load get, and why. */
export interface Pinning {
  serverCpus?: string;
  loadCpus?: string;
  note: string;
}

/** Pins the servers to the first core and the load to the last when `taskset` and two cores exist. */
export function planPinning(serverCpus?: string, loadCpus?: string): Pinning {
  const cores = availableParallelism();
  const taskset = spawnSync("taskset", ["-V"]).status === 0;
  if (!taskset) return { note: `taskset not found: server and load share all ${cores} core(s) unpinned` };
  if (cores < 2 && !serverCpus) return { note: "one core: server and load share it (taskset not used)" };
  const server = serverCpus ?? "0";
  const load = loadCpus ?? String(cores - 1);
  return { serverCpus: server, loadCpus: load, note: `taskset: servers on CPU ${server}, load generator on CPU ${load} (${cores} cores)` };
}

/** Per-address budgets (README's configuration) high enough for any bench crowd from one machine. */
const CROWD_FROM_ONE_ADDRESS: Record<string, string> = {
  ADDRESS_UPGRADES_PER_MINUTE: "1000000",
  ADDRESS_CREATIONS_PER_MINUTE: "1000000",
  ADDRESS_READS_PER_MINUTE: "1000000",
  ADDRESS_UPLOADS_PER_MINUTE: "1000000",
};

/** Options for starting (or adopting) a server. */
export interface ServerOptions {
  label: string;
  /** Use this running server instead of starting one. */
  url?: string;
  /** Wrangler config (the chat's wrangler.toml when left out, or "baseline"). */
  config?: string;
  vars?: Record<string, string>;
  cpus?: string;
  verbose?: boolean;
  /** Open files each of its processes should be allowed (a big room: ~4 per socket in the proxy workerd). */
  fileLimit?: number;
}

/** Starts a `wrangler dev` (or wraps `url`) for the bench. */
export async function startServer(options: ServerOptions): Promise<BenchServer> {
  if (options.url) {
    const url = options.url.replace(/\/+$/, "");
    return { label: options.label, url, socketBase: socketBase(url), port: Number(new URL(url).port), fileLimit: () => null, stop: async () => {} };
  }
  const persistDir = mkdtempSync(join(tmpdir(), "chat-bench-"));
  const config = options.config === "baseline" ? BASELINE_CONFIG : options.config;
  // Every bench client comes from 127.0.0.1, so one address opens the whole crowd (5,000 sockets
  // in a minute): the chat's per-address budgets are raised here, and still checked on each request.
  const vars = options.config === "baseline" ? options.vars : { ...CROWD_FROM_ONE_ADDRESS, ...options.vars };
  const dev = await startDevServer({
    persistDir,
    ...(config ? { config } : {}),
    ...(vars ? { vars } : {}),
    ...(options.cpus ? { cpus: options.cpus } : {}),
    ...(options.verbose ? { verbose: true } : {}),
  });
  // Raised on every process of the group, so that a workerd wrangler starts again inherits it.
  if (options.fileLimit) {
    for (const member of groupMembers(dev.pid)) if ((openFileLimit(Number(member.pid)) ?? Infinity) < options.fileLimit) raiseFileLimit(member.pid, options.fileLimit);
  }
  return {
    label: options.label,
    url: dev.url,
    socketBase: socketBase(dev.url),
    pgid: dev.pid,
    port: dev.port,
    inspectorPort: dev.inspectorPort,
    fileLimit(role) {
      const limits = groupMembers(dev.pid)
        .filter((member) => member.name === "workerd" && (role === undefined || roleOf(member, dev.port) === role))
        .map((member) => openFileLimit(Number(member.pid)) ?? Infinity);
      return limits.length ? Math.min(...limits) : null;
    },
    async stop() {
      await dev.stop();
      rmSync(persistDir, { recursive: true, force: true });
    },
  };
}

/** Resident MiB of the workerd that runs the server's Worker and Durable Objects, when this run started it. */
export function runtimeRss(server: BenchServer): number | null {
  return server.pgid ? roleRssMiB(server.pgid, server.port, "runtime") : null;
}

/**
 * The same server reached past wrangler's proxy: its socket base on the port of the workerd that
 * runs the Worker (the one of its listening ports that answers /api/health), or null.
 */
export async function pastTheProxy(server: BenchServer): Promise<BenchServer | null> {
  const runtime = server.pgid ? groupMembers(server.pgid).find((member) => roleOf(member, server.port) === "runtime") : undefined;
  for (const port of runtime ? listeningPorts(runtime.pid) : []) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/api/health`, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) return { ...server, socketBase: `ws://127.0.0.1:${port}/api/rooms` };
    } catch {
      // another of its sockets
    }
  }
  return null;
}

/** The server's CPU time so far, when this run started it (and /proc exists). */
export function serverCpu(server: BenchServer): GroupCpu | null {
  return server.pgid ? groupCpu(server.pgid, server.port) : null;
}

function socketBase(url: string): string {
  return `${url.replace(/^http/, "ws")}/api/rooms`;
}
