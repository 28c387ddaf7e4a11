/** Starts one `wrangler dev` for the browser tests and stops it (the whole process group) after. */
import { startDevServer } from "../../scripts/dev-server.ts";

/** Starts the server; its URL reaches the tests as E2E_BASE_URL. Returns the teardown. */
export default async function globalSetup(): Promise<() => Promise<void>> {
  // E2E_SHARD_CAPACITY=2 runs the whole browser suite against rooms spread over shard objects.
  const capacity = process.env.E2E_SHARD_CAPACITY;
  const server = await startDevServer(capacity ? { vars: { SHARD_CAPACITY: capacity } } : {});
  process.env.E2E_BASE_URL = server.url;
  return () => server.stop();
}
