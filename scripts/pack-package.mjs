// Turns a workspace package into what its tarball ships, around `npm pack` / `npm publish`.
//
//   node ../../scripts/pack-package.mjs prepack    (the package's `prepack` script)
//   node ../../scripts/pack-package.mjs postpack   (its `postpack` script)
//
// In the workspace a package's `exports` name its TypeScript sources, so that every tool of the
// repository (wrangler's bundler, the page's esbuild, Vitest in Node and in workerd, tsc, Node's
// type stripping) uses the code as it stands, with no build step and nothing to go stale. A
// tarball cannot ship sources (Node strips no types under node_modules, and other projects'
// tools may not read TypeScript), so `prepack` compiles src/ to ESM with .d.ts files in dist/
// (tsconfig.build.json) and swaps `exports` for `publishConfig.exports`, the map the package
// declares for its tarball (pnpm and yarn apply that field themselves; npm does not, hence this
// script); `postpack` puts the workspace's package.json back. Plain JavaScript: npm runs it with
// whichever node runs npm.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const step = process.argv[2];
const here = process.cwd();
const saved = `${here}/.pack/package.json`;

if (step === "prepack") {
  // A pack that died before its postpack left the workspace's manifest here: it is the original.
  const original = existsSync(saved) ? readFileSync(saved, "utf8") : readFileSync("package.json", "utf8");
  const manifest = JSON.parse(original);
  if (!manifest.publishConfig?.exports) throw new Error(`${manifest.name}: no publishConfig.exports to publish`);
  rmSync("dist", { recursive: true, force: true });
  // The compiler's own bin, found through its package.json (its `exports` hide the file).
  const typescript = createRequire(import.meta.url).resolve("typescript/package.json");
  const tsc = join(dirname(typescript), JSON.parse(readFileSync(typescript, "utf8")).bin.tsc);
  execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { stdio: "inherit" });
  // The compiler rewrites `./x.ts` to `./x.js` in the JavaScript it emits, not in the .d.ts files.
  for (const file of readdirSync("dist").filter((f) => f.endsWith(".d.ts"))) {
    const text = readFileSync(`dist/${file}`, "utf8");
    writeFileSync(`dist/${file}`, text.replace(/(from\s+|import\()(["'])(\.{1,2}\/[^"']+)\.ts\2/g, "$1$2$3.js$2"));
  }
  mkdirSync(".pack", { recursive: true });
  writeFileSync(saved, original);
  const { publishConfig, scripts, devDependencies, ...rest } = manifest;
  const published = { ...rest, exports: publishConfig.exports };
  writeFileSync("package.json", `${JSON.stringify(published, null, 2)}\n`);
} else if (step === "postpack") {
  if (existsSync(saved)) renameSync(saved, "package.json");
  rmSync(".pack", { recursive: true, force: true });
  // Nothing in the workspace reads dist/: leave no copy behind to go stale.
  rmSync("dist", { recursive: true, force: true });
} else {
  throw new Error(`usage: pack-package.mjs prepack|postpack (got ${step})`);
}
