/**
 * Vitest projects: `workers` runs in workerd with the real Room and its SQLite (via the Cloudflare
 * Vitest plugin); `workers-sharded` runs the same files again with SHARD_CAPACITY=2, so that every
 * room with three sockets or more spreads over shard objects (guarantee 9: size does not change
 * the contract); `address-limits` runs test/address-limits/ with the per-address budgets set low;
 * `unit` runs the pure modules (the protocol package, the page's transport, the room's queue and
 * buckets) once, in Node, since no runtime of ours is involved; `node` runs what needs a real
 * process (the dev server, the bench smoke run).
 */
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";
import { TEST_AUDIENCE, TEST_AUTH_SECRET, TEST_ISSUER, TEST_JWKS_URL, keySetService, makeTestKeys } from "./support/test-issuer.ts";

/** The test identity provider's keys, made once per run and shared by every workerd project. */
const issuer = makeTestKeys();

/** The workerd project, with extra bindings on top of the shared ones, and extra test files. */
function workers(name: string, extra: Record<string, string> = {}, more: string[] = [], exclude: string[] = [], include = ["test/*.test.ts"]) {
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        // Two extra origins for test/origin-limits.test.ts, written loosely (spaces, a trailing
        // slash) to check the list is trimmed; no Origin and the page's own origin stay allowed.
        // The bucket refills one token per 100 s here, so rate-limit tests are exact on a slow
        // machine (the burst of 20 stays the default); the defaults are checked in config.test.ts.
        miniflare: {
          // Every fetch a room makes leaves workerd here: the test identity provider's key set.
          outboundService: keySetService(issuer.publicSet),
          bindings: {
            ALLOWED_ORIGINS: " https://friend.example, https://second.example/ ",
            RATE_PER_SECOND: "0.01",
            // The deployment's owner key of every room (a secret in production).
            ADMIN_KEY: "admin-key-of-the-test-deployment",
            // Requests made inside the pool carry no client address, so a whole suite would spend
            // one address's budgets: here they are off, and test/address-limits/ checks them with
            // low values; the defaults meet a real dev server in test/node/address-budget.test.ts.
            ADDRESS_UPGRADES_PER_MINUTE: "0",
            ADDRESS_CREATIONS_PER_MINUTE: "0",
            ADDRESS_READS_PER_MINUTE: "0",
            ADDRESS_HOOK_POSTS_PER_MINUTE: "0",
            ADDRESS_UPLOADS_PER_MINUTE: "0",
            // Signed identity (docs/AUTH.md): the test provider's HS256 keys and key set, and the
            // private keys for the tests to sign with (not a var the Worker reads).
            AUTH_SECRET: TEST_AUTH_SECRET,
            AUTH_JWKS_URL: TEST_JWKS_URL,
            AUTH_ISSUER: TEST_ISSUER,
            AUTH_AUDIENCE: TEST_AUDIENCE,
            TEST_ISSUER_KEYS: JSON.stringify(issuer.keys),
            // The host application's token endpoint the page would fetch (test/page-config.test.ts).
            AUTH_TOKEN_URL: "https://app.example/chat/token",
            // Uploads up to 256 KiB here, so the size limit is shown without sending 10 MiB per test.
            FILE_MAX_BYTES: "262144",
            ...extra,
          },
        },
      }),
    ],
    // One runtime per worker for all its files (isolate: false), not a fresh one per file: the
    // four workerd projects ran in 160 s instead of 281 s on a calm machine (67 files at ~1.1 s of
    // startup each). Files stay independent because every test makes its own rooms (roomName),
    // tokens and addresses, and every per-address budget is off here (address-limits uses fresh
    // addresses per test).
    test: { name, include: [...include, ...more], exclude, testTimeout: 20_000, isolate: false },
  };
}

export default defineConfig({
  test: {
    // Vitest's own default is one worker less than the cores: on a machine of two, one file at a
    // time. Most files here wait on sockets, servers and alarms more than they compute, so two at
    // once finished the suite in 230 s instead of 420 s there (test files share nothing: each makes
    // its own rooms, and each server its own port).
    maxWorkers: Math.max(2, availableParallelism() - 1),
    projects: [
      workers("workers"),
      // test/sharded/ holds what only a sharded room can show (placement, shard faults); the
      // decoder's fuzz involves no room, so it runs once.
      workers("workers-sharded", { SHARD_CAPACITY: "2" }, ["test/sharded/*.test.ts"], ["test/fuzz-protocol.test.ts"]),
      // AUTH_REQUIRED shuts anonymous tokens out of every room: a project of its own, small.
      workers("auth-required", { AUTH_REQUIRED: "true" }, [], [], ["test/auth-required/*.test.ts"]),
      workers(
        "address-limits",
        { ADDRESS_UPGRADES_PER_MINUTE: "4", ADDRESS_CREATIONS_PER_MINUTE: "3", ADDRESS_READS_PER_MINUTE: "5", ADDRESS_HOOK_POSTS_PER_MINUTE: "3", ADDRESS_UPLOADS_PER_MINUTE: "2" },
        [],
        [],
        ["test/address-limits/*.test.ts"],
      ),
      // Each workspace package's own tests live beside it (packages/*/test) and run here too.
      { test: { name: "unit", environment: "node", include: ["test/unit/**/*.test.ts", "packages/*/test/**/*.test.ts"] } },
      {
        test: { name: "node", environment: "node", include: ["test/node/**/*.test.ts"], testTimeout: 120_000 },
      },
    ],
  },
});
