/**
 * The Chromium that the browser tests (playwright.config.ts) and `npm run screenshots` drive.
 *
 * - CHROMIUM_PATH set: that browser (e.g. /usr/bin/chromium), as it is.
 * - Otherwise the headless Chromium inside the `@sparticuz/chromium` dev dependency, so that
 *   `npm install` alone brings a browser (Playwright's own browser download cannot be reached
 *   from every machine, and a system package needs root). The package ships it
 *   brotli-compressed; it is unpacked once per package version into
 *   node_modules/.cache/sparticuz-chromium-VERSION/, with what the package brings beside it:
 *   NSS and expat (lib/, put first on LD_LIBRARY_PATH, so the machine needs no libnss3) and
 *   Open Sans (a fallback for machines without fonts, where text would have no size at all).
 *
 * The package's own recommended `args` are not used: its --single-process makes Playwright's
 * second page fail ("Target page, context or browser has been closed"), and
 * --disable-web-security would switch off what safety.spec.ts checks.
 */
import type { LaunchOptions } from "@playwright/test";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { brotliDecompressSync } from "node:zlib";

/** As root on a closed network: no sandbox, and none of the background fetches that stall. */
const ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

/** Launch options for Playwright's `chromium.launch` (or a config's `use.launchOptions`). */
export function chromiumLaunchOptions(): LaunchOptions {
  const system = process.env.CHROMIUM_PATH;
  if (system) return { executablePath: system, args: ARGS };
  const dir = unpackedChromium();
  const libraryPath = process.env.LD_LIBRARY_PATH;
  return {
    executablePath: join(dir, "chromium"),
    args: ARGS,
    env: {
      ...process.env,
      LD_LIBRARY_PATH: libraryPath ? `${join(dir, "lib")}:${libraryPath}` : join(dir, "lib"),
      FONTCONFIG_FILE: join(dir, "fonts.conf"),
    },
  };
}

/** The folder holding the packaged Chromium, unpacking it first if no earlier run has. */
function unpackedChromium(): string {
  if (process.platform !== "linux" || process.arch !== "x64") {
    throw new Error("@sparticuz/chromium is a Linux x64 build: set CHROMIUM_PATH to a Chromium or Chrome on this machine");
  }
  // The package's exports map hides package.json, but its entry point resolves.
  const pkg = dirname(dirname(createRequire(import.meta.url).resolve("@sparticuz/chromium")));
  const version = (JSON.parse(readFileSync(join(pkg, "package.json"), "utf8")) as { version: string }).version;
  const bin = join(pkg, "bin");
  const dir = join(pkg, "..", "..", ".cache", `sparticuz-chromium-${version}`);
  if (existsSync(join(dir, "chromium"))) return dir;

  // Unpack beside the final folder and rename it into place whole, so that a run stopped
  // half-way, or Playwright's workers loading the config at once, never see a partial browser.
  mkdirSync(dirname(dir), { recursive: true });
  const part = mkdtempSync(`${dir}.part-`);
  try {
    writeFileSync(join(part, "chromium"), brotliDecompressSync(readFileSync(join(bin, "chromium.br"))), { mode: 0o755 });
    untar(join(bin, "al2023.tar.br"), part); // lib/: libnss3.so and the rest
    mkdirSync(join(part, "fonts"));
    untar(join(bin, "fonts.tar.br"), join(part, "fonts"));
    // The machine's fonts first (so pages look as they do elsewhere), the package's as a fallback.
    writeFileSync(
      join(part, "fonts.conf"),
      `<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <dir>${xml(join(dir, "fonts"))}</dir>
  <cachedir>${xml(join(dir, "fontconfig-cache"))}</cachedir>
</fontconfig>
`,
    );
    renameSync(part, dir);
  } catch (error) {
    rmSync(part, { recursive: true, force: true });
    // Another process renamed its copy into place first: use that one.
    if (existsSync(join(dir, "chromium"))) return dir;
    throw error;
  }
  return dir;
}

/** Extracts a brotli-compressed tar into `into` (tar is on every Linux the binary runs on). */
function untar(file: string, into: string): void {
  const result = spawnSync("tar", ["-x", "-C", into], { input: brotliDecompressSync(readFileSync(file)) });
  if (result.status !== 0) throw new Error(`tar -x ${file}: ${result.error?.message ?? result.stderr.toString()}`);
}

function xml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;");
}
