/** How a soak's result is printed: a table of counts, the run's shape, then one JSON line. */
import { table } from "./report.ts";
import type { SoakResult } from "./soak.ts";

/** The human-readable report of a soak. */
export function soakTable(result: SoakResult): string {
  const { counts, drops, latency, options } = result;
  const k = counts.kinds;
  const kind = (name: keyof typeof k) => `${k[name].sent} / ${k[name].stored}`;
  const rows: [string, number | string][] = [
    ["actions sent", counts.sent],
    ["acknowledged", counts.acknowledged],
    ["events stored (messages and changes)", counts.stored],
    ["  says sent / stored", kind("say")],
    ["  replies sent / stored", kind("reply")],
    ["  edits sent / stored", kind("edit")],
    ["  deletes sent / stored", kind("delete")],
    ["  reactions sent / stored", kind("react")],
    ["delivered (messages shown, all clients)", counts.delivered],
    ["change events received, all clients", counts.changesDelivered],
    ["lost", counts.lost],
    ["duplicated", counts.duplicated],
    ["reordered", counts.reordered],
    ["mismatched", counts.mismatched],
    ["stale at the end: text / deleted / reply / reactions", `${counts.staleText} / ${counts.staleDeleted} / ${counts.staleReplies} / ${counts.staleReactions}`],
    ["seq gaps in the log", counts.seqGaps],
    ["stored but never sent", counts.unknownStored],
    ["stored state not what the senders did", counts.storedMismatched],
    ["unacknowledged at the end", counts.unacknowledged],
    ["rate_limited", counts.rateLimited],
    ["other refusals", counts.otherRefusals],
    ["reconnects that should have resumed but did not", counts.missedResumes],
    ["epoch changes", counts.epochChanges],
    ["invalid frames / error frames", counts.invalidFrames + counts.errors],
    ["actions sent by the outbox after a reconnect", counts.flushedOnReconnect],
    ["  of which resent (on the wire before, echo lost)", counts.resent],
    ["  answered with the stored copy (deduplicated)", counts.dedupeAnswers],
    ["reconnects resumed / redrawn", `${counts.resumes} / ${counts.redraws}`],
    ["hook posts acknowledged / missing / duplicated", `${result.integrations.hookPosts} / ${result.integrations.hookPostsMissing} / ${result.integrations.hookPostsDuplicated}`],
    ["webhook tries / failed on purpose / events received", `${result.integrations.webhookTries} / ${result.integrations.webhookFailedOnPurpose} / ${result.integrations.webhookReceived}`],
    ["webhook events missing / out of order / bad signature / unknown", `${result.integrations.webhookMissing} / ${result.integrations.webhookOutOfOrder} / ${result.integrations.webhookBadSignature} / ${result.integrations.webhookUnknown}`],
  ];
  return [
    table(["count", "value"], rows),
    "",
    `${options.clients} clients (${options.senders} senders, one action per ~${options.sayEveryMs} ms each) for ${options.durationMs / 1000} s, seed ${options.seed}${options.shardCapacity === undefined ? "" : `, shard capacity ${options.shardCapacity}`}`,
    `drops: ${drops.cut} cut, ${drops.cutAfterSay} cut just after a say, ${drops.close} closed, ${drops.offline} offline, ${drops.reload} reloads, ${drops.longAbsence} long absences of readers, ${drops.lostEchoAbsence} of senders after a lost echo`,
    `restarts: ${result.outagesMs.length} (outage ${result.outagesMs.join(", ") || "–"} ms); drain ${result.drainMs} ms; total ${Math.round(result.elapsedMs / 1000)} s`,
    `live delivery latency ms: p50 ${latency.p50}, p99 ${latency.p99}, max ${latency.max} (${latency.count} deliveries)`,
    `server memory (MiB, process group): ${result.serverMiB.start ?? "–"} after joining, ${result.serverMiB.end ?? "–"} at the end`,
    `sockets per object once everyone was back (the Room first): ${result.socketsPerObject?.join(", ") ?? "–"}`,
    `frames of types the decoder does not know (counted, not a fault): ${result.unknownFrames}`,
    hostileLine(result),
    result.violations.length === 0 ? "PASS" : `FAIL: ${result.violations.join("; ")}`,
  ].join("\n");
}

/** The one-line JSON summary of a soak. */
export function soakJson(result: SoakResult): string {
  return JSON.stringify({
    run: "soak",
    room: result.room,
    seed: result.options.seed,
    clients: result.options.clients,
    senders: result.options.senders,
    durationMs: result.options.durationMs,
    shardCapacity: result.options.shardCapacity ?? null,
    ...result.counts,
    drops: result.drops,
    latencyMs: result.latency,
    outagesMs: result.outagesMs,
    drainMs: result.drainMs,
    serverMiB: result.serverMiB,
    socketsPerObject: result.socketsPerObject,
    unknownFrames: result.unknownFrames,
    hostile: result.hostile,
    elapsedMs: result.elapsedMs,
    pass: result.violations.length === 0,
    violations: result.violations,
  });
}

/** What the hostile clients did, in one line. */
function hostileLine(result: SoakResult): string {
  const h = result.hostile;
  if (!h) return "hostile clients: none";
  const list = (r: Record<string, number>) => Object.entries(r).map(([k, v]) => `${k} ${v}`).join(", ") || "none";
  return [
    `hostile (${result.options.hostile}): ${h.identities} identities on ${h.sockets} sockets; ${h.storable} frames to store (${h.storableRefused} refused),`,
    `${h.uncharged} uncharged frames (${h.unchargedBytesOut} B) answered by ${h.duplicateAnswers} stored copies and errors: ${list(h.errors)} (${h.unchargedBytesIn} B back); closes: ${list(h.closes)}`,
  ].join(" ");
}
