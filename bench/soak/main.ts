/**
 * `npm run soak` and `npm run flood`: runs one against its own `wrangler dev`, prints a table and
 * one JSON line, and exits non-zero on any violation.
 *
 *   npm run soak [-- --clients 200 --senders 20 --seconds 60 --drops 3 --restarts 1 --seed 1]
 *   npm run flood [-- --others 50 --seconds 10 --rate 200 --seed 1]
 */
import { parseArgs } from "node:util";
import { FULL_FLOOD, runFlood } from "./flood.ts";
import { floodJson, floodTable } from "./flood-report.ts";
import { FULL_SOAK, runSoak } from "./soak.ts";
import { soakJson, soakTable } from "./soak-report.ts";

const { values } = parseArgs({
  options: {
    flood: { type: "boolean", default: false },
    clients: { type: "string" },
    senders: { type: "string" },
    seconds: { type: "string" },
    drops: { type: "string" },
    restarts: { type: "string" },
    others: { type: "string" },
    rate: { type: "string" },
    seed: { type: "string" },
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
const seed = count("seed", Date.now() % 1_000_000);
let pass: boolean;
if (values.flood) {
  const result = await runFlood(
    { ...FULL_FLOOD, others: count("others", FULL_FLOOD.others), durationMs: count("seconds", FULL_FLOOD.durationMs / 1000) * 1000, floodPerSecond: count("rate", FULL_FLOOD.floodPerSecond), seed },
    log,
  );
  console.log(floodTable(result));
  console.log(floodJson(result));
  pass = result.violations.length === 0;
} else {
  const result = await runSoak(
    {
      ...FULL_SOAK,
      clients: count("clients", FULL_SOAK.clients),
      senders: count("senders", FULL_SOAK.senders),
      durationMs: count("seconds", FULL_SOAK.durationMs / 1000) * 1000,
      dropsPerSecond: count("drops", FULL_SOAK.dropsPerSecond),
      restarts: count("restarts", FULL_SOAK.restarts),
      seed,
    },
    log,
  );
  console.log(soakTable(result));
  console.log(soakJson(result));
  pass = result.violations.length === 0;
}
process.exit(pass ? 0 : 1);
