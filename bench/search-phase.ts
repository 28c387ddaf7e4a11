/**
 * The search phase (`npm run bench -- --phases saturation,heap,search`): in the room the heap phase
 * filled (`--heap-messages`, e.g. 100,000, all kept: the heap server's `HISTORY_LIMIT` is raised to
 * that number when this phase runs), one client sends `search` frames one at a time and
 * times each answer, per kind of query: a rare term of 3+ characters (the trigram index), a term
 * in every message (the index, newest page only), a miss of 3+ characters, short terms of one and
 * two characters (the gram index: a common one and ones found nowhere, which walked every key text
 * before the gram index), and a term in every message with a two-character term found nowhere
 * (the trigram index's matches, bounded by the gram index). The same client's round trip through
 * the bare baseline Durable Object, measured in the same run, gives each figure as a ratio too (the
 * machine is shared and noisy).
 */
import type { MessageFrame } from "@edge-chat/protocol";
import type { RoomError, RoomFrame } from "@edge-chat/protocol/server-frames";
import { LightClient } from "./light/light-client.ts";
import type { BenchServer } from "./servers.ts";

/** Queries per kind; the first few warm the object and are not recorded. */
const ROUNDS = 60;
const WARM = 5;
const STALL_MS = 30_000;

/** One kind of query, timed. */
export interface SearchKind {
  kind: string;
  q: string;
  /** Messages on the first page (the same every round). */
  found: number;
  p50Ms: number;
  p99Ms: number;
  /** p50 over the baseline's round trip. */
  ratioP50: number | null;
}

/** What the phase reports. */
export interface SearchSummary {
  messages: number;
  rounds: number;
  baselineP50Ms: number | null;
  kinds: SearchKind[];
  /** The Room's SQLite size over the messages it stores (with the index), from its stats. */
  bytesPerMessage: number | null;
}

/** Runs the phase on the heap room `room` of `server`; `baseline` for the ratio. */
export async function runSearch(server: BenchServer, room: string, messages: number, baseline: BenchServer | null, adminKey: string, log: (line: string) => void): Promise<SearchSummary> {
  const baselineTimes = baseline ? await baselineRoundTrips(baseline) : null;
  const baselineP50 = baselineTimes ? percentile(baselineTimes, 0.5) : null;
  const queries: [string, string][] = [
    ["rare term, 5 characters (index)", String(Math.floor(messages * 0.37))],
    ["term in every message (index)", "heap"],
    ["miss, 3+ characters (index)", "zqzqz"],
    ["two characters, common (gram index)", "42"],
    ["two characters, nowhere (gram index)", "zq"],
    ["one character, nowhere (gram index)", "z"],
    ["in every message + two characters nowhere", "heap zq"],
  ];
  let answer: ((frame: RoomFrame) => void) | undefined;
  let failure: ((error: RoomError) => void) | undefined;
  const client = new LightClient({
    url: `${server.socketBase}/${room}/ws`,
    pingEveryMs: 25_000,
    events: { other: (frame) => answer?.(frame), error: (e) => failure?.(e), message: (_: MessageFrame) => {} },
  });
  await client.connect(STALL_MS);
  const kinds: SearchKind[] = [];
  try {
    for (const [kind, q] of queries) {
      const times: number[] = [];
      let found = 0;
      for (let i = 0; i < ROUNDS + WARM; i++) {
        const started = performance.now();
        const frame = await new Promise<RoomFrame>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no search answer within ${STALL_MS} ms`)), STALL_MS);
          answer = (f) => {
            if (f.type !== "search") return;
            clearTimeout(timer);
            resolve(f);
          };
          failure = (e) => {
            clearTimeout(timer);
            reject(new Error(`search refused: ${e.code} ${e.message}`));
          };
          client.send({ type: "search", q });
        });
        if (i >= WARM) times.push(performance.now() - started);
        if (frame.type === "search") found = frame.messages.length;
      }
      const p50 = percentile(times, 0.5);
      kinds.push({ kind, q, found, p50Ms: round(p50), p99Ms: round(percentile(times, 0.99)), ratioP50: baselineP50 ? round(p50 / baselineP50) : null });
      log(`search: ${kind} ("${q}", ${found} found): p50 ${round(p50)} ms, p99 ${round(percentile(times, 0.99))} ms`);
    }
  } finally {
    await client.close();
  }
  return { messages, rounds: ROUNDS, baselineP50Ms: baselineP50 === null ? null : round(baselineP50), kinds, bytesPerMessage: await bytesPerMessage(server, room, messages, adminKey) };
}

/** One raw client's round trips through the baseline (it echoes every frame to its sender too). */
async function baselineRoundTrips(baseline: BenchServer): Promise<number[]> {
  let echoed: (() => void) | undefined;
  const client = new LightClient({ url: `${baseline.socketBase}/search-rtt/ws`, dialect: "raw", events: { echo: () => echoed?.() } });
  await client.connect(STALL_MS);
  const times: number[] = [];
  try {
    for (let i = 0; i < ROUNDS + WARM; i++) {
      const started = performance.now();
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("the baseline did not echo")), STALL_MS);
        echoed = () => {
          clearTimeout(timer);
          resolve();
        };
        client.send({ type: "say", id: `rtt-${i}`, text: "x" });
      });
      if (i >= WARM) times.push(performance.now() - started);
    }
  } finally {
    await client.close();
  }
  return times;
}

async function bytesPerMessage(server: BenchServer, room: string, messages: number, adminKey: string): Promise<number | null> {
  try {
    const response = await fetch(`${server.url}/api/rooms/${room}/stats`, { headers: { Authorization: `Bearer ${adminKey}` }, signal: AbortSignal.timeout(10_000) });
    if (!response.ok) return null;
    const { objects } = (await response.json()) as { objects: { storageBytes?: number }[] };
    const bytes = objects[0]?.storageBytes;
    return bytes === undefined ? null : Math.round(bytes / messages);
  } catch {
    return null;
  }
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

/** The phase as text for the report. */
export function searchReport(summary: SearchSummary): string[] {
  const lines = [`Search: one room of ${summary.messages.toLocaleString("en-US")} stored messages, ${summary.rounds} searches per kind, one at a time; baseline round trip p50 ${summary.baselineP50Ms ?? "n/a"} ms`];
  for (const k of summary.kinds) {
    lines.push(`  ${k.kind.padEnd(48)} q="${k.q}" ${String(k.found).padStart(2)} found: p50 ${k.p50Ms} ms, p99 ${k.p99Ms} ms${k.ratioP50 === null ? "" : ` (p50 ${k.ratioP50}× the baseline)`}`);
  }
  lines.push(`  storage with the index: ${summary.bytesPerMessage ?? "n/a"} bytes per stored message (the Room's whole SQLite)`);
  return lines;
}
