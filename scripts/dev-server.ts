/**
 * Starts `wrangler dev` for tests, benchmarks and soak runs: a free port, its own persist dir,
 * no telemetry or outside fetches, in its own process group so that stopping it ends wrangler
 * and workerd together. Used by Playwright's setup, `npm run bench` and `npm run soak`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const WRANGLER = join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");

/** Options for one dev server. */
export interface DevServerOptions {
  /** Port to listen on; a free one when left out. */
  port?: number;
  /** Where the Durable Objects' SQLite lives; a fresh temporary dir when left out. */
  persistDir?: string;
  /** Wrangler config to run (the chat by default; the bench passes its baseline's). */
  config?: string;
  /** Extra `--var NAME:VALUE` settings. */
  vars?: Record<string, string>;
  /** CPU list for `taskset -c` (e.g. "0"), to keep the server off the load generator's core. */
  cpus?: string;
  /** Print wrangler's output (for debugging). */
  verbose?: boolean;
}

/** A running dev server. */
export interface DevServer {
  /** http://127.0.0.1:PORT */
  url: string;
  port: number;
  /** The DevTools inspector port (CPU profiles of the Worker). */
  inspectorPort: number;
  persistDir: string;
  /** The process group's leader pid (for CPU accounting). */
  pid: number;
  /** Stops the whole process group and waits for it to exit. */
  stop(): Promise<void>;
}

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Starts `wrangler dev` and resolves once `/api/health` (or `/`) answers. */
export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const port = options.port ?? (await freePort());
  const inspectorPort = await freePort();
  const persistDir = options.persistDir ?? mkdtempSync(join(tmpdir(), "chat-dev-"));
  const args = [
    WRANGLER, "dev",
    "--ip", "127.0.0.1",
    "--port", String(port),
    "--inspector-port", String(inspectorPort),
    "--persist-to", persistDir,
    "--show-interactive-dev-session=false",
    "--log-level", options.verbose ? "log" : "warn",
  ];
  if (options.config) args.push("--config", options.config);
  for (const [name, value] of Object.entries(options.vars ?? {})) args.push("--var", `${name}:${value}`);
  const command = options.cpus ? "taskset" : process.execPath;
  const commandArgs = options.cpus ? ["-c", options.cpus, process.execPath, ...args] : args;
  const child = spawn(command, commandArgs, {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", options.verbose ? "inherit" : "pipe", options.verbose ? "inherit" : "pipe"],
    env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", CI: "1" },
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  child.stderr?.on("data", (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  // A missing `taskset` (or node) shows up as an error event, not an exit: report it like a failed start.
  child.once("error", (err) => (output += `\n${err.message}`));

  const url = `http://127.0.0.1:${port}`;
  const server: DevServer = { url, port, inspectorPort, persistDir, pid: child.pid ?? 0, stop: () => stopGroup(child, exited) };
  try {
    await waitUntilServing(url, child, 60_000);
  } catch (err) {
    await server.stop();
    throw new Error(`${(err as Error).message}\n--- wrangler output ---\n${output}`);
  }
  return server;
}

async function waitUntilServing(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || !child.pid) throw new Error(`wrangler dev exited with ${child.exitCode ?? "a spawn error"}`);
    try {
      const response = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2_000) });
      if (response.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`wrangler dev did not answer on ${url} within ${timeoutMs} ms`);
}

async function stopGroup(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      // already gone
    }
  };
  signal("SIGTERM");
  const killed = await Promise.race([exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 5_000))]);
  if (!killed) {
    signal("SIGKILL");
    await exited;
  }
}
