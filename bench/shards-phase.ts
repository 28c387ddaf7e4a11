/**
 * The shards phase (`npm run bench -- --phases shards`): one room filled with N clients over
 * shards of SHARD_CAPACITY (default 1,000) sockets, 10 senders × 1 message/s for 10 s, and each
 * object's work per second read from the room's admin-only stats (frames in, sends, calls in and
 * out, commits). Under `wrangler dev` every object runs on one workerd thread, so sharding cannot
 * show a speed-up here; what it shows is the shape of the work: the Room's own sends stay at its
 * own sockets' count and its calls grow with the number of shards, not with N (docs/SCALE.md).
 */
import type { ObjectStats } from "../src/server/objects/object-stats.ts";
import type { BenchOptions } from "./options.ts";
import type { TrialRecord } from "./records.ts";
import { pastTheProxy, type BenchServer } from "./servers.ts";
import type { TrialRunner } from "./trial-runner.ts";

/** The admin key the phase's server runs with (a local dev server of this run only). */
export const SHARDS_ADMIN_KEY = "bench-shards-admin-key";

/** One object's counters, as `GET /api/rooms/:room/stats` gives them. */
type ObjectCounts = ObjectStats;

/** One object's work per second during the sending stage. */
export interface ObjectWork {
  name: string;
  sockets: number;
  framesInPerS: number;
  sendsPerS: number;
  callsOutPerS: number;
  callsInPerS: number;
  commitsPerS: number;
}

/** One N: every object's work, and what the Room did per message. */
export interface ShardsRow {
  clients: number;
  objects: number;
  messagesPerS: number;
  deliveriesPerS: number | null;
  p50: number | null;
  p99: number | null;
  lost: number | null;
  work: ObjectWork[];
  /** Per stored message, the Room's: calls to shards, sends to its own sockets, frames it handled. */
  room: { callsOutPerMessage: number; sendsPerMessage: number; framesInPerMessage: number };
  error?: string;
}

/** The whole phase. */
export interface ShardsSummary {
  capacity: number;
  senders: number;
  ratePerSender: number;
  seconds: number;
  rows: ShardsRow[];
}

/** Runs the phase on `server` (started with SHARD_CAPACITY and SHARDS_ADMIN_KEY). */
export async function runShards(
  runner: TrialRunner,
  given: BenchServer,
  options: BenchOptions,
  progress: (trial: TrialRecord) => void,
): Promise<{ summary: ShardsSummary; trials: TrialRecord[] }> {
  // Past wrangler's proxy: it holds 4 open files a socket, and 5,000 sockets need more than this
  // machine allows; the runtime holds 2 (see big-room.ts).
  const server = (await pastTheProxy(given)) ?? given;
  const trials: TrialRecord[] = [];
  const rows: ShardsRow[] = [];
  for (const clients of options.shardsClients) {
    const room = `shards-${clients}-${Date.now().toString(36)}`;
    let before: Promise<ObjectCounts[] | null> = Promise.resolve(null);
    let after: Promise<ObjectCounts[] | null> = Promise.resolve(null);
    let startedAt = 0;
    let endedAt = 0;
    const trial = await runner.run(
      server,
      "room",
      1,
      {
        clients,
        senders: options.bigSenders,
        stages: [{ ratePerSender: options.bigRate, seconds: options.bigSeconds }],
        presence: false,
        connectWindow: options.bigWindow,
        connectDeadlineMs: 30_000 + clients * 25,
        room,
        // Senders on every object, so that shards' frames come up to the Room too.
        spreadSenders: true,
      },
      (label) => {
        if (label.startsWith("start")) {
          startedAt = performance.now();
          before = stats(given, room);
        } else if (label.startsWith("end")) {
          endedAt = performance.now();
          after = stats(given, room);
        }
      },
    );
    trials.push(trial);
    progress(trial);
    rows.push(rowOf(clients, trial, await before, await after, (endedAt - startedAt) / 1000));
  }
  return {
    summary: { capacity: options.shardsCapacity, senders: options.bigSenders, ratePerSender: options.bigRate, seconds: options.bigSeconds, rows },
    trials,
  };
}

async function stats(server: BenchServer, room: string): Promise<ObjectCounts[] | null> {
  try {
    const response = await fetch(`${server.url}/api/rooms/${room}/stats`, { headers: { Authorization: `Bearer ${SHARDS_ADMIN_KEY}` } });
    if (!response.ok) return null;
    return ((await response.json()) as { objects: ObjectCounts[] }).objects;
  } catch {
    return null;
  }
}

function rowOf(clients: number, trial: TrialRecord, before: ObjectCounts[] | null, after: ObjectCounts[] | null, seconds: number): ShardsRow {
  const stage = trial.stages[0];
  const work: ObjectWork[] = [];
  for (const end of after ?? []) {
    const start = before?.find((o) => o.name === end.name);
    const per = (field: keyof ObjectCounts) => (seconds > 0 ? Math.round(((end[field] as number) - ((start?.[field] as number | undefined) ?? 0)) / seconds) : 0);
    work.push({
      name: end.name,
      sockets: end.sockets,
      framesInPerS: per("framesIn"),
      sendsPerS: per("sends"),
      callsOutPerS: per("callsOut"),
      callsInPerS: per("callsIn"),
      commitsPerS: per("commits"),
    });
  }
  const roomStart = before?.[0];
  const roomEnd = after?.[0];
  const messages = roomStart && roomEnd ? roomEnd.events - roomStart.events : 0;
  const perMessage = (field: keyof ObjectCounts) =>
    roomStart && roomEnd && messages > 0 ? Math.round((((roomEnd[field] as number) - (roomStart[field] as number)) / messages) * 100) / 100 : 0;
  const row: ShardsRow = {
    clients,
    objects: work.length,
    messagesPerS: seconds > 0 ? Math.round((messages / seconds) * 10) / 10 : 0,
    deliveriesPerS: stage?.deliveriesPerS ?? null,
    p50: stage?.latency.p50 ?? null,
    p99: stage?.latency.p99 ?? null,
    lost: stage?.lost ?? null,
    work,
    room: { callsOutPerMessage: perMessage("callsOut"), sendsPerMessage: perMessage("sends"), framesInPerMessage: perMessage("framesIn") },
  };
  if (trial.error) row.error = trial.error;
  else if (!after) row.error = "the room's stats could not be read";
  return row;
}

/** The phase as text for the report. */
export function shardsReport(summary: ShardsSummary): string[] {
  const lines = [
    `Shards: one room over objects of ${summary.capacity} sockets, ${summary.senders} senders × ${summary.ratePerSender} msg/s for ${summary.seconds} s; work per object per second during sending`,
  ];
  for (const row of summary.rows) {
    lines.push(
      `  N=${row.clients.toLocaleString("en-US")}: ${row.objects} objects, ${row.messagesPerS} msg/s stored, ${row.deliveriesPerS ?? "–"} deliveries/s, p50 ${row.p50 ?? "–"} ms, p99 ${row.p99 ?? "–"} ms, lost ${row.lost ?? "–"}` +
        (row.error ? ` (${row.error})` : ""),
    );
    for (const o of row.work) {
      lines.push(`    ${o.name.padEnd(40)} sockets ${String(o.sockets).padStart(5)}  frames in ${String(o.framesInPerS).padStart(6)}/s  sends ${String(o.sendsPerS).padStart(7)}/s  calls out ${String(o.callsOutPerS).padStart(5)}/s  calls in ${String(o.callsInPerS).padStart(5)}/s  commits ${o.commitsPerS}/s`);
    }
    lines.push(`    the Room per stored message: ${row.room.callsOutPerMessage} calls out, ${row.room.sendsPerMessage} sends, ${row.room.framesInPerMessage} frames in`);
  }
  return lines;
}
