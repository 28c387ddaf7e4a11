/**
 * `npm pack` of each workspace package gives a tarball that a fresh directory installs and uses
 * with Node 22 and nothing else: both tarballs are installed into an empty temporary directory
 * (valibot, their one dependency, from the local npm cache when it is there), and a plain ESM
 * script there talks to a real `wrangler dev` through them. The types they ship are checked in a
 * NodeNext project too. The packing runs on a copy of the packages (the same files, with this
 * repository's compiler reachable), so that the workspace's package.json files never change
 * under tests running beside this one.
 */
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, expect, it } from "vitest";
import { startDevServer, type DevServer } from "../../scripts/dev-server.ts";

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, "..", "..");
// npm and the scripts it runs use this test's Node 22 first.
const env = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ""}`, npm_config_update_notifier: "false" };
const work = mkdtempSync(join(tmpdir(), "chat-tarballs-"));
let server: DevServer | undefined;
afterAll(async () => {
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** Copies what `npm pack` of a package reads (its folder, the shared tsconfig and the pack script). */
function copyWorkspace(): string {
  const copy = join(work, "repo");
  for (const name of ["protocol", "client"]) {
    cpSync(join(ROOT, "packages", name), join(copy, "packages", name), { recursive: true, filter: (src) => !/\/(dist|\.pack|node_modules)$/.test(src) });
  }
  cpSync(join(ROOT, "tsconfig.base.json"), join(copy, "tsconfig.base.json"));
  cpSync(join(ROOT, "scripts", "pack-package.mjs"), join(copy, "scripts", "pack-package.mjs"));
  symlinkSync(join(ROOT, "node_modules"), join(copy, "node_modules"));
  return copy;
}

it("packs both packages into tarballs that install in an empty directory and chat against wrangler dev", async () => {
  const copy = copyWorkspace();
  const tarballs = join(work, "tarballs");
  mkdirSync(tarballs);
  const listed: Record<string, string[]> = {};
  for (const name of ["protocol", "client"]) {
    const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", tarballs], { cwd: join(copy, "packages", name), env, timeout: 120_000 });
    const [packed] = JSON.parse(stdout.slice(stdout.indexOf("["))) as { files: { path: string }[] }[];
    listed[name] = packed!.files.map((f) => f.path).sort();
  }
  // What ships: the compiled modules with their types, the README and package.json; no sources, tests or configs.
  for (const files of Object.values(listed)) {
    expect(files).toContain("README.md");
    expect(files).toContain("package.json");
    expect(files.every((f) => f === "README.md" || f === "package.json" || /^dist\/[a-z-]+\.(js|d\.ts)$/.test(f))).toBe(true);
  }
  expect(listed.client).toEqual(expect.arrayContaining(["dist/index.js", "dist/index.d.ts", "dist/room.js"]));
  expect(listed.protocol).toEqual(expect.arrayContaining(["dist/protocol.js", "dist/validate.d.ts", "dist/server-frames.js"]));

  const app = join(work, "app");
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "tarball-app", private: true, type: "module" }));
  const files = readdirSync(tarballs).map((f) => join(tarballs, f));
  await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", ...files], { cwd: app, env, timeout: 120_000 });
  expect(readdirSync(join(app, "node_modules")).filter((f) => !f.startsWith(".")).sort()).toEqual(["@edge-chat", "valibot"]);

  // The types: a NodeNext project that uses the API compiles against the shipped .d.ts files.
  writeFileSync(
    join(app, "check.ts"),
    `import { connect, type RoomEvent } from "@edge-chat/client";\n` +
      `import type { MessageFrame } from "@edge-chat/protocol";\n` +
      `const room = await connect({ url: "http://127.0.0.1:1", room: "lobby" });\n` +
      `const said: MessageFrame = await room.say("hi", { replyTo: 1 });\n` +
      `for await (const event of room) if (event.type === "message") { const e: RoomEvent = event; console.log(e.type, event.data.seq + said.seq); }\n`,
  );
  writeFileSync(
    join(app, "tsconfig.json"),
    JSON.stringify({ compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, noEmit: true, lib: ["ES2022", "DOM"], types: [] }, files: ["check.ts"] }),
  );
  await run(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", app], { env, timeout: 60_000 });

  server = await startDevServer();
  cpSync(join(import.meta.dirname, "fixtures", "tarball-consumer.mjs"), join(app, "use.mjs"));
  const { stdout } = await run(process.execPath, ["use.mjs", server.url], { cwd: app, env, timeout: 60_000 });
  const result = JSON.parse(stdout.trim().split("\n").at(-1)!) as Record<string, unknown>;
  expect(result).toMatchObject({
    limit: 2000,
    said: "hello from a tarball",
    seen: { text: "hello from a tarball, edited", from: { name: "alice" } },
    online: 2,
    history: ["hello from a tarball, edited"],
  });
  expect((result.seen as { edited?: number }).edited).toBeGreaterThan(0);
}, 300_000);
