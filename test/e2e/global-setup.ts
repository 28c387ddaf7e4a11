/** Starts one `wrangler dev` for the browser tests and stops it (the whole process group) after. */
import { startDevServer } from "../../scripts/dev-server.ts";

/** Starts the server; its URL reaches the tests as E2E_BASE_URL. Returns the teardown. */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const server = await startDevServer();
  process.env.E2E_BASE_URL = server.url;
  return () => server.stop();
}
