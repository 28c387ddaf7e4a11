/**
 * `npm run bench:lab`: what each slice of the room's per-message work costs on the server, in µs of
 * CPU per incoming frame, split by process (the workerd running the Worker, the proxy workerd, and
 * wrangler's Node). Starts bench/lab (pinned like `npm run bench`), sends thousands of `say` frames
 * on one socket per variant, three rounds in turn, and prints the median of each variant and its
 * cost over `none` (a frame that does nothing). Variants are slice lists joined with `+`.
 */
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import WebSocket from "ws";
import type { Role } from "./cpu.ts";
import { planPinning, serverCpu, startServer } from "./servers.ts";
import { median } from "./stats.ts";

const DEFAULT_VARIANTS = [
  "none",
  "parse",
  "decode",
  "parse+select",
  "parse+insert",
  "parse+select+insert",
  "parse+upsert",
  "parse+defer",
  "decode+select+insert+send1",
  "send1",
  "send10",
];

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    frames: { type: "string", default: "4000" },
    rounds: { type: "string", default: "3" },
    help: { type: "boolean", default: false },
  },
});
if (values.help) {
  console.log(`usage: npm run bench:lab -- [--frames 4000] [--rounds 3] [variant ...]\n  variants: slice lists joined with +, from parse decode select insert upsert defer send1 send10 hs256 es256, or none\n  (hs256, es256: verify a signed token per frame, as a signed hello does)\n  default: ${DEFAULT_VARIANTS.join(" ")}`);
  process.exit(0);
}
const variants = positionals.length ? positionals : DEFAULT_VARIANTS;
const frames = Number(values.frames);
const pinning = planPinning();
const server = await startServer({
  label: "lab",
  config: fileURLToPath(new URL("./lab/wrangler.toml", import.meta.url)),
  ...(pinning.serverCpus ? { cpus: pinning.serverCpus } : {}),
});
console.error(`lab: ${pinning.note}; ${frames} frames per variant, ${values.rounds} rounds`);

type Costs = Record<Role | "wall", number>;
const samples = new Map<string, Costs[]>();
try {
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const variant of variants) {
      const list = samples.get(variant) ?? [];
      list.push(await measure(variant));
      samples.set(variant, list);
    }
  }
} finally {
  await server.stop();
}

const med = (variant: string, key: keyof Costs) => median(samples.get(variant)!.map((c) => c[key])) ?? 0;
const none = variants.includes("none") ? med("none", "runtime") + med("none", "proxy") : 0;
console.log("µs of server CPU per incoming frame (median of rounds)");
console.log(["variant".padEnd(28), "runtime", "  proxy", "wrangler", "   total", "over none", "    wall"].join("  "));
for (const variant of variants) {
  const total = med(variant, "runtime") + med(variant, "proxy");
  const cells = [med(variant, "runtime"), med(variant, "proxy"), med(variant, "wrangler"), total, total - none, med(variant, "wall")];
  console.log([variant.padEnd(28), ...cells.map((c, i) => c.toFixed(0).padStart([7, 7, 8, 8, 9, 8][i]!))].join("  "));
}

/** Sends `frames` pipelined `say`s through one variant and returns per-frame costs in µs. */
async function measure(variant: string): Promise<Costs> {
  const room = `lab-${Math.random().toString(36).slice(2, 10)}`;
  const ws = new WebSocket(`${server.url.replace(/^http/, "ws")}/lab/${variant}/${room}/ws`, { perMessageDeflate: false });
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  const done = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${variant}: no answer within 60 s`)), 60_000);
    ws.on("message", (data: Buffer) => {
      if (data.toString() !== "done") return;
      clearTimeout(timer);
      resolve();
    });
  });
  await new Promise((resolve) => setTimeout(resolve, 300));
  const before = serverCpu(server);
  const started = performance.now();
  const text = "a message of about sixty-four bytes, as the bench sends them....";
  for (let i = 0; i < frames; i++) ws.send(JSON.stringify({ type: "say", id: i === frames - 1 ? `${i}!` : String(i), text }));
  await done;
  const wall = performance.now() - started;
  // The last sends' CPU lands a moment after the answer.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const after = serverCpu(server);
  ws.terminate();
  const per = (seconds: number) => (seconds * 1e6) / frames;
  if (!before || !after) throw new Error("the lab needs /proc to read CPU time");
  return {
    runtime: per(after.byRole.runtime - before.byRole.runtime),
    proxy: per(after.byRole.proxy - before.byRole.proxy),
    wrangler: per(after.byRole.wrangler - before.byRole.wrangler),
    wall: (wall * 1000) / frames,
  };
}
