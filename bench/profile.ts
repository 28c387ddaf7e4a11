/**
 * `npm run bench:profile`: a CPU profile of the room (or the baseline) under a steady load. Starts
 * the server pinned like `npm run bench` (or uses --url with --inspector-port), drives one load
 * stage from the pinned load process, records the Worker isolate with the inspector during that
 * stage, and prints where the time went: self time per function and total time per function, next
 * to the CPU each server process used. The raw profile is written for DevTools (`.cpuprofile`).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { frameName, inclusiveTimes, Inspector, selfTimes, type CpuProfile, type ProfileRow } from "./inspector.ts";
import { LoadProcess } from "./load-host.ts";
import { planPinning, startServer } from "./servers.ts";
import { TrialRunner } from "./trial-runner.ts";

const { values } = parseArgs({
  options: {
    target: { type: "string", default: "room" },
    url: { type: "string" },
    "inspector-port": { type: "string" },
    "room-config": { type: "string" },
    clients: { type: "string", default: "100" },
    senders: { type: "string", default: "10" },
    rate: { type: "string", default: "40" },
    seconds: { type: "string", default: "5" },
    "raised-limit": { type: "string", default: "100000" },
    interval: { type: "string", default: "100" },
    "text-bytes": { type: "string", default: "64" },
    top: { type: "string", default: "25" },
    out: { type: "string", default: "bench/out/profile.cpuprofile" },
    // Profile the joining of the clients instead of the sending stage.
    connect: { type: "boolean", default: false },
  },
});
const target = values.target === "baseline" ? "baseline" : "room";
const limit = values["raised-limit"]!;
const pinning = planPinning();
const server = await startServer({
  label: target,
  ...(values.url ? { url: values.url } : {}),
  ...(target === "baseline" ? { config: "baseline" } : values["room-config"] ? { config: values["room-config"] } : {}),
  ...(target === "room" ? { vars: { RATE_BURST: limit, RATE_PER_SECOND: limit } } : {}),
  ...(pinning.serverCpus ? { cpus: pinning.serverCpus } : {}),
});
const load = LoadProcess.start(pinning.loadCpus);
try {
  const inspectorPort = Number(values["inspector-port"] ?? server.inspectorPort);
  if (!inspectorPort) throw new Error("--inspector-port is needed with --url");
  const inspector = await Inspector.connect(inspectorPort);
  const runner = new TrialRunner(load, pinning, { textBytes: Number(values["text-bytes"]), connectWindow: 20 });
  let profile: Promise<CpuProfile> | undefined;
  let started: Promise<void> | undefined;
  const senders = Number(values.senders);
  const trial = await runner.run(
    server,
    target,
    1,
    { clients: Number(values.clients), senders, stages: [{ ratePerSender: Number(values.rate) / senders, seconds: Number(values.seconds) }] },
    (label) => {
      const [from, to] = values.connect ? ["connecting", "connected"] : ["start", "end"];
      if (label.startsWith(from)) started = inspector.startProfile(Number(values.interval));
      else if (label.startsWith(to) && started) profile = started.then(() => inspector.stopProfile());
    },
  );
  if (trial.error || !profile) throw new Error(trial.error ?? "the trial never reached its stage");
  const result = await profile;
  inspector.close();
  mkdirSync(dirname(values.out!), { recursive: true });
  writeFileSync(values.out!, JSON.stringify(result));

  const stage = trial.stages[0]!;
  const top = Number(values.top);
  console.log(`${target}, N=${trial.clients}, ${values.rate} msg/s offered: ${stage.deliveriesPerS} deliveries/s, p50 ${stage.latency.p50} ms, p99 ${stage.latency.p99} ms, lost ${stage.lost}, ${stage.messagesPerFrame ?? "n/a"} messages per frame`);
  const roles = stage.server?.byRole;
  console.log(
    `server CPU ${pct(stage.server?.total)} of a core: runtime workerd ${pct(roles?.runtime)}, proxy workerd ${pct(roles?.proxy)}, wrangler ${pct(roles?.wrangler)}` +
      `; ${stage.serverUsPerDelivery ?? "n/a"} µs per delivery; others ${pct(stage.others)}`,
  );
  printRows("Self time in the Worker isolate (by function)", selfTimes(result, frameName), top);
  printRows("Total time (function and its callees)", inclusiveTimes(result), top);
  console.log(`\nprofile written to ${values.out} (open it in Chrome DevTools → Performance)`);
} finally {
  await load.stop();
  await server.stop();
}

function printRows(title: string, rows: ProfileRow[], top: number): void {
  console.log(`\n${title}:`);
  for (const row of rows.slice(0, top)) console.log(`  ${pct(row.share).padStart(4)}  ${row.selfMs.toFixed(1).padStart(8)} ms  ${row.name}`);
}

function pct(share: number | null | undefined): string {
  return share == null ? "n/a" : `${Math.round(share * 100)}%`;
}
