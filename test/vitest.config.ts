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
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            // Two extra origins for test/origin-limits.test.ts, written loosely (spaces, a trailing
            // slash) to check the list is trimmed; no Origin and the page's own origin stay allowed.
            // The bucket refills one token per 100 s here, so rate-limit tests are exact on a slow
            // machine (the burst of 20 stays the default); the defaults are checked in config.test.ts.
            miniflare: {
              bindings: {
                ALLOWED_ORIGINS: " https://friend.example, https://second.example/ ",
                RATE_PER_SECOND: "0.01",
                // The deployment's owner key of every room (a secret in production).
                ADMIN_KEY: "admin-key-of-the-test-deployment",
              },
            },
          }),
        ],
        test: { name: "workers", include: ["test/*.test.ts"], testTimeout: 20_000 },
      },
      {
        test: { name: "node", environment: "node", include: ["test/node/**/*.test.ts"], testTimeout: 120_000 },
      },
    ],
  },
});
