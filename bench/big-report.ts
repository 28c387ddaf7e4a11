/**
 * How the big-room phase is reported: lines for the text report (a table, room ÷ baseline, and
 * the targets as PASS/FAIL lines), and a Markdown table for docs/BENCHMARKS.md.
 */
import type { BigComparison, BigRoomSummary, BigSide } from "./big-types.ts";
import { align, num, pct } from "./format.ts";

/** The phase's part of the text report. */
export function formatBigRoom(big: BigRoomSummary): string[] {
  const lines = [
    `Big room: N clients join one room (at most ${big.connectWindow} waiting for their welcome at once; connect = until every ` +
      `client has its welcome, the baseline: until every socket is open), then ${big.senders} senders × ${big.ratePerSender} msg/s for ${big.seconds} s` +
      (big.direct ? "; clients connected past wrangler's proxy workerd (--big-direct)" : ""),
  ];
  const header = ["N", "server", "connect ms", "offered/s", "deliv/s", "p50 ms", "p99 ms", "lost", "dup seq/snd", "RSS MiB", "+joined", "welcome B p50/max", "load CPU", "others"];
  const rows: string[][] = [];
  for (const row of big.rows) {
    rows.push(sideRow(row.room), sideRow(row.baseline));
    const r = row.ratio;
    rows.push(["", "room÷base", num(r.connectMs, 2), "", "", num(r.p50, 2), num(r.p99, 2), "", "", num(r.rssMiB, 2), num(r.rssGrowthMiB, 2), "", "", ""]);
  }
  lines.push(...align([header, ...rows]).map((l) => `  ${l}`));
  for (const measured of big.rounds ?? []) {
    if (measured.length < 2) continue;
    const each = measured.map((r, i) => `round ${i + 1}: connect ${num(r.ratio.connectMs, 2)}, p50 ${num(r.ratio.p50, 2)}, p99 ${num(r.ratio.p99, 2)}`);
    lines.push(`  N=${measured[0]!.clients.toLocaleString("en-US")}, medians of ${measured.length} rounds above; room÷base per ${each.join("; ")}`);
  }
  for (const row of big.rows) {
    for (const side of [row.room, row.baseline]) {
      if (side.error) lines.push(`  ! ${side.target} N=${side.clients}: ${side.error}`);
      const unknown = Object.entries(side.unknownFrames);
      if (unknown.length) lines.push(`  ${side.target} N=${side.clients} got frames the decoder does not know: ${unknown.map(([t, n]) => `${t} ×${n}`).join(", ")}`);
    }
  }
  lines.push(`  Targets for protocol v2's presence (ratios to the bare DO in this run${(big.rounds?.[0]?.length ?? 1) > 1 ? ", medians of the rounds" : ""}):`);
  for (const check of big.targets) {
    lines.push(`  ${check.pass === null ? "N/A " : check.pass ? "PASS" : "FAIL"} N=${check.clients.toLocaleString("en-US")}: ${check.what}: ${check.detail}`);
  }
  if (!big.rows.some((r) => r.clients === 1_000)) lines.push("  (the N=1,000 targets, connect time, p99 and losses, need --big-clients 1000)");
  if (!big.rows.some((r) => r.clients === 5_000)) lines.push("  (the N=5,000 targets, memory and welcome size, need --big-5000)");
  return lines;
}

/** The phase as a Markdown table, room and baseline per N and their ratio, for docs/BENCHMARKS.md. */
export function bigRoomMarkdown(big: BigRoomSummary, title: string): string {
  const out = [
    `<!-- ${title} -->`,
    "| N | server | connect ms | deliveries/s (offered) | p50 ms | p99 ms | lost | duplicated | RSS MiB (+ joining) | welcome bytes p50 / max | others |",
    "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  const cells = (side: BigSide) => [
    num(side.connectMs, 0),
    `${num(side.deliveriesPerS, 0)} (${num(side.offeredDeliveriesPerS, 0)})`,
    num(side.p50, 1),
    num(side.p99, 1),
    num(side.lost, 0),
    side.duplicated ? num((side.duplicated.bySeq ?? 0) + side.duplicated.bySender, 0) : "n/a",
    `${num(side.rssMiB.connected, 0)} (+${num(side.rssMiB.growth, 0)})`,
    side.welcomeBytes ? `${num(side.welcomeBytes.p50, 0)} / ${num(side.welcomeBytes.max, 0)}` : "–",
    pct(side.others),
  ];
  for (const row of big.rows) {
    out.push(`| ${row.clients.toLocaleString("en-US")} | room | ${cells(row.room).join(" | ")} |`);
    out.push(`| | bare DO | ${cells(row.baseline).join(" | ")} |`);
    out.push(`| | room ÷ bare DO | ${ratioCells(row).join(" | ")} |`);
  }
  const notes = big.rows.flatMap((row) => [row.room, row.baseline].filter((side) => side.error).map((side) => `- ${side.target} at N = ${side.clients.toLocaleString("en-US")} failed: ${side.error}`));
  if (big.direct) notes.unshift("- The clients connected past wrangler's proxy workerd (`--big-direct`).");
  out.push("", ...notes, ...big.targets.map((c) => `- ${c.pass === null ? "N/A" : c.pass ? "PASS" : "FAIL"} N = ${c.clients.toLocaleString("en-US")}: ${c.what}: ${c.detail}`));
  return out.join("\n") + "\n";
}

function ratioCells(row: BigComparison): string[] {
  const r = row.ratio;
  return [num(r.connectMs, 2), "", num(r.p50, 2), num(r.p99, 2), "", "", `${num(r.rssMiB, 2)} (${num(r.rssGrowthMiB, 2)})`, "", ""];
}

function sideRow(side: BigSide): string[] {
  return [
    side.clients.toLocaleString("en-US"),
    side.target,
    num(side.connectMs, 0),
    num(side.offeredDeliveriesPerS, 0),
    num(side.deliveriesPerS, 0),
    num(side.p50, 1),
    num(side.p99, 1),
    num(side.lost, 0),
    side.duplicated ? `${side.duplicated.bySeq ?? "–"}/${side.duplicated.bySender}` : "n/a",
    num(side.rssMiB.connected, 0),
    num(side.rssMiB.growth, 0),
    side.welcomeBytes ? `${num(side.welcomeBytes.p50, 0)}/${num(side.welcomeBytes.max, 0)}` : "–",
    pct(side.loadCpuShare),
    pct(side.others),
  ];
}
