/**
 * Browser tests: Chromium (browser.ts says which) against `wrangler dev` (started by
 * global-setup.ts on a free port with its own persist dir). Run with `npm test` (after vitest)
 * or `npm run test:e2e`.
 */
import { defineConfig } from "@playwright/test";
import { chromiumLaunchOptions } from "./browser.ts";

export default defineConfig({
  testDir: ".",
  testMatch: "*.spec.ts",
  globalSetup: "./global-setup.ts",
  // Two cores are shared with wrangler, workerd and other people's runs: stay small.
  workers: 2,
  fullyParallel: true,
  forbidOnly: true,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: [["list"]],
  outputDir: "../../test-results",
  use: {
    browserName: "chromium",
    launchOptions: chromiumLaunchOptions(),
    actionTimeout: 15_000,
    navigationTimeout: 30_000,
    // A failed test keeps its trace (actions, DOM snapshots, network, console). No screencast: its
    // frames cost the browser more CPU than anything the tests do, and slowed every test beside them.
    trace: { mode: "retain-on-failure", screenshots: false },
  },
});
