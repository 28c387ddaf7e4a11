// Bundles the chat page's client (src/client/main.ts) into public/app.js with esbuild.
// Wrangler runs this as its [build] command before every `wrangler dev` and `wrangler deploy`.
// Plain JavaScript on purpose: wrangler runs it with the caller's own `node`, which may be older
// than the Node 22 that strips TypeScript types.
import { build } from "esbuild";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { basename } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const outfile = `${root}public/app.js`;

const result = await build({
  entryPoints: [`${root}src/client/main.ts`],
  bundle: true,
  format: "esm",
  target: "es2022",
  minify: true,
  sourcemap: "linked",
  outfile,
  write: false,
  logLevel: "warning",
});

// Several dev servers may build at once (tests run their own): write each file whole, by rename,
// and leave it alone when unchanged so the asset watcher has nothing to reload. The temporary file
// sits outside public/ so that no half-written file is ever served or deployed.
const scratch = `${root}.wrangler/client-build`;
mkdirSync(scratch, { recursive: true });
for (const file of result.outputFiles) {
  if (existsSync(file.path) && readFileSync(file.path).equals(file.contents)) continue;
  const temporary = `${scratch}/${basename(file.path)}.${process.pid}.tmp`;
  writeFileSync(temporary, file.contents);
  renameSync(temporary, file.path);
}
