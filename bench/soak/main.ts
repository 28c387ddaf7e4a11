/**
 * `npm run soak` and `npm run flood`: runs one against its own `wrangler dev`, prints a table and
 * one JSON line, and exits non-zero on any violation. The seed comes first on stderr: the same
 * options with `--seed N` replay the run's random choices (its timing still varies).
 *
 *   npm run soak [-- --quick] [-- --clients 200 --senders 20 --seconds 60 --drops 3 --restarts 1 --absences 2 --hostile 1 --seed 1 --shard-capacity 20]
 *   (`--drops 0 --restarts 0 --absences 0`: nothing delays a say but the room, for comparing latencies)
 *   npm run flood [-- --quick] [-- --others 50 --seconds 10 --rate 200 --seed 1]   (seconds per condition)
 */
import { randomInt } from "node:crypto";
import { parseArgs } from "node:util";
import { FULL_FLOOD, QUICK_FLOOD, runFlood } from "./flood.ts";
import { floodJson, floodTable } from "./flood-report.ts";
import { FULL_SOAK, QUICK_SOAK, runSoak } from "./soak.ts";
import { soakJson, soakTable } from "./soak-report.ts";

const argv = process.argv.slice(2);
const { values } = parseArgs({
  args: argv,
  options: {
    flood: { type: "boolean", default: false },
    quick: { type: "boolean", default: false },
    clients: { type: "string" },
    senders: { type: "string" },
    seconds: { type: "string" },
    drops: { type: "string" },
    restarts: { type: "string" },
    hostile: { type: "string" },
    absences: { type: "string" },
    others: { type: "string" },
    rate: { type: "string" },
    seed: { type: "string" },
    "shard-capacity": { type: "string" },
  },
});

/** A whole-number option, or the default; anything else stops the run. */
function count(name: keyof typeof values, fallback: number): number {
  const raw = values[name];
  if (raw === undefined || typeof raw === "boolean") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number`);
  return n;
}

const log = (line: string) => console.error(line);
const seed = count("seed", randomInt(1_000_000));
const run = values.flood ? "flood" : "soak";
const others = argv.filter((arg, i) => arg !== "--flood" && arg !== "--seed" && argv[i - 1] !== "--seed" && !arg.startsWith("--seed="));
log(`${run}: seed ${seed} (replay: npm run ${run} -- ${[...others, "--seed", String(seed)].join(" ")})`);
let pass: boolean;
if (values.flood) {
  const preset = values.quick ? QUICK_FLOOD : FULL_FLOOD;
  const result = await runFlood(
    { ...preset, others: count("others", preset.others), conditionMs: count("seconds", preset.conditionMs / 1000) * 1000, floodPerSecond: count("rate", preset.floodPerSecond), seed },
    log,
  );
  console.log(floodTable(result));
  console.log(floodJson(result));
  pass = result.violations.length === 0;
} else {
  const preset = values.quick ? QUICK_SOAK : FULL_SOAK;
  const result = await runSoak(
    {
      ...preset,
      clients: count("clients", preset.clients),
      senders: count("senders", preset.senders),
      durationMs: count("seconds", preset.durationMs / 1000) * 1000,
      dropsPerSecond: count("drops", preset.dropsPerSecond),
      restarts: count("restarts", preset.restarts),
      hostile: count("hostile", preset.hostile),
      // Long absences of readers; with 0, no sender's lost echo either (its says wait 20 s).
      longAbsences: count("absences", preset.longAbsences),
      lostEchoAbsences: count("absences", preset.longAbsences) === 0 ? 0 : preset.lostEchoAbsences,
      seed,
      ...(values["shard-capacity"] === undefined ? {} : { shardCapacity: count("shard-capacity", 0) }),
    },
    log,
  );
  console.log(soakTable(result));
  console.log(soakJson(result));
  pass = result.violations.length === 0;
}
process.exit(pass ? 0 : 1);
