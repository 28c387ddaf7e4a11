/**
 * A `wrangler dev` of a spec's own, for specs that stop the server mid-test (as a deploy does)
 * and start it again on the same port with the same storage.
 */
import { test } from "@playwright/test";
import { startDevServer, type DevServer } from "../../scripts/dev-server.ts";

/** One dev server that a spec can stop and start again. */
export class OwnDevServer {
  readonly #vars: Record<string, string>;
  #server: DevServer | undefined;
  #port: number | undefined;
  #persistDir: string | undefined;

  constructor(vars: Record<string, string> = {}) {
    this.#vars = vars;
  }

  /** http://127.0.0.1:PORT (the same after a restart). */
  get url(): string {
    if (this.#port === undefined) throw new Error("the spec's dev server has not started");
    return `http://127.0.0.1:${this.#port}`;
  }

  /** Starts it: fresh the first time, then on the same port with the same storage. */
  async start(): Promise<void> {
    // E2E_SHARD_CAPACITY spreads rooms over shard objects, as global-setup.ts does for the shared server.
    const capacity = process.env.E2E_SHARD_CAPACITY;
    const vars = { vars: capacity ? { ...this.#vars, SHARD_CAPACITY: capacity } : this.#vars };
    this.#server = await startDevServer(this.#port === undefined ? vars : { ...vars, port: this.#port, persistDir: this.#persistDir });
    this.#port = this.#server.port;
    this.#persistDir = this.#server.persistDir;
  }

  /** Stops it (the whole process group). */
  async stop(): Promise<void> {
    await this.#server?.stop();
    this.#server = undefined;
  }
}

/** A dev server for the specs of this file (with these `--var`s): started before them, stopped after. */
export function ownDevServer(vars: Record<string, string> = {}): OwnDevServer {
  const server = new OwnDevServer(vars);
  test.beforeAll(() => server.start());
  test.afterAll(() => server.stop());
  return server;
}
