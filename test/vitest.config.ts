/**
 * Vitest projects: `workers` runs in workerd with the real Room and its SQLite (via the Cloudflare
 * Vitest plugin); `node` runs what needs a real process (the dev server, the bench smoke run).
 */
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [cloudflareTest({ wrangler: { configPath: "./wrangler.toml" } })],
        test: { name: "workers", include: ["test/*.test.ts"], testTimeout: 20_000 },
      },
      {
        test: { name: "node", environment: "node", include: ["test/node/**/*.test.ts"], testTimeout: 120_000 },
      },
    ],
  },
});
