/**
 * The heap phase (`npm run bench -- --phases heap`): one room, one user with raised limits,
 * `say`s pipelined until the room has stored `--heap-messages` (default 200,000); at each mark
 * (default 20,000, 50,000, 100,000 and 200,000) sending pauses until every say is answered, the
 * Worker isolate's garbage is collected through the inspector (a heap snapshot, which collects
 * first) and `Runtime.getHeapUsage` is read, with the messages the room's rules keep cached.
 * A room whose memory follows what it stored shows a rising heap; a bounded one stays flat.
 * Traffic goes to the phase's own `wrangler dev` on 127.0.0.1 only, and every wait is bounded.
 */
import type { MessageFrame } from "@edge-chat/protocol";
import type { RoomError } from "@edge-chat/protocol/server-frames";
import type { ObjectStats } from "../src/server/objects/object-stats.ts";
import { Inspector } from "./inspector.ts";
import { LightClient } from "./light/light-client.ts";
import type { BenchServer } from "./servers.ts";

/** The admin key the phase's server runs with (a local dev server of this run only). */
export const HEAP_ADMIN_KEY = "bench-heap-admin-key";

/** `say`s kept in flight: enough to keep the room busy, few enough not to flood it. */
const WINDOW = 256;

/** Longest wait for any progress (a stored message). */
const STALL_MS = 30_000;

/** The heap at one mark. */
export interface HeapMark {
  stored: number;
  /** V8's used and total heap of the Worker isolate after a full collection, MiB. */
  usedMiB: number;
  totalMiB: number;
  /** Messages the room's rules keep cached (from its stats), when they could be read. */
  cachedMessages: number | null;
  /** Seconds of sending since the phase began. */
  seconds: number;
}

/** The whole phase. */
export interface HeapSummary {
  /** The room it filled (the search phase searches it). */
  room: string;
  messages: number;
  textBytes: number;
  marks: HeapMark[];
  /** Used heap at the last mark divided by the first. */
  growth: number | null;
}

/** Runs the phase on `server` (started with raised limits, HEAP_ADMIN_KEY and an inspector port). */
export async function runHeap(server: BenchServer, options: { messages: number; marks: number[]; textBytes: number }, log: (line: string) => void): Promise<HeapSummary> {
  if (!server.inspectorPort) throw new Error("the heap phase needs a server it started (an inspector port)");
  const room = `heap-${Date.now().toString(36)}`;
  const marks = [...new Set([...options.marks.filter((m) => m < options.messages), options.messages])].sort((a, b) => a - b);
  const inspector = await Inspector.connect(server.inspectorPort);
  const started = performance.now();
  const results: HeapMark[] = [];
  try {
    await inspector.call("HeapProfiler.enable");
    const on = { message: (_: MessageFrame) => {}, error: (_: RoomError) => {} };
    const client = new LightClient({
      url: `${server.socketBase}/${room}/ws`,
      pingEveryMs: 25_000,
      events: { message: (m) => on.message(m), error: (e) => on.error(e) },
    });
    await client.connect(STALL_MS);
    const text = (id: number) => `heap ${id} `.padEnd(options.textBytes, "x");
    let sent = 0;
    let stored = 0;
    for (const mark of marks) {
      await new Promise<void>((resolve, reject) => {
        let timer = setTimeout(stalled, STALL_MS);
        function stalled() {
          reject(new Error(`storing stalled at ${stored}/${mark}`));
        }
        const sendNext = () => {
          if (sent >= mark) return;
          const id = sent++;
          client.send({ type: "say", id: String(id), text: text(id) });
        };
        on.message = () => {
          stored++;
          clearTimeout(timer);
          if (stored >= mark) return resolve();
          timer = setTimeout(stalled, STALL_MS);
          sendNext();
        };
        on.error = (error) => {
          clearTimeout(timer);
          reject(new Error(`the room refused a say: ${error.code} ${error.message}`));
        };
        for (let i = 0; i < WINDOW; i++) sendNext();
      });
      results.push(await measure(inspector, server, room, stored, (performance.now() - started) / 1000));
      const last = results.at(-1)!;
      log(`heap: ${stored.toLocaleString("en-US")} stored, ${last.usedMiB} MiB used of ${last.totalMiB} MiB, ${last.cachedMessages ?? "?"} messages cached`);
    }
    await client.close();
  } finally {
    inspector.close();
  }
  const first = results[0]?.usedMiB;
  const last = results.at(-1)?.usedMiB;
  return { room, messages: options.messages, textBytes: options.textBytes, marks: results, growth: first && last ? Math.round((last / first) * 100) / 100 : null };
}

/** A full collection, then the heap, and the room's cached messages. */
async function measure(inspector: Inspector, server: BenchServer, room: string, stored: number, seconds: number): Promise<HeapMark> {
  // A heap snapshot collects all garbage first, and takes about a second here; workerd answered
  // HeapProfiler.collectGarbage only after 10–60 s, and its Room was not the same one afterwards.
  await inspector.call("HeapProfiler.takeHeapSnapshot", { reportProgress: false });
  const usage = await inspector.call<{ usedSize: number; totalSize: number }>("Runtime.getHeapUsage");
  const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
  return { stored, usedMiB: mib(usage.usedSize), totalMiB: mib(usage.totalSize), cachedMessages: await cachedMessages(server, room), seconds: Math.round(seconds) };
}

async function cachedMessages(server: BenchServer, room: string): Promise<number | null> {
  try {
    const response = await fetch(`${server.url}/api/rooms/${room}/stats`, { headers: { Authorization: `Bearer ${HEAP_ADMIN_KEY}` }, signal: AbortSignal.timeout(10_000) });
    if (!response.ok) return null;
    const { objects } = (await response.json()) as { objects: ObjectStats[] };
    return objects[0]?.cachedMessages ?? null;
  } catch {
    return null;
  }
}

/** The phase as text for the report. */
export function heapReport(summary: HeapSummary): string[] {
  const lines = [`Heap: one room storing ${summary.messages.toLocaleString("en-US")} messages of ${summary.textBytes} bytes; the Worker isolate's heap after a full collection`];
  for (const m of summary.marks) {
    lines.push(`  ${m.stored.toLocaleString("en-US").padStart(9)} stored: ${String(m.usedMiB).padStart(6)} MiB used (${m.totalMiB} MiB total), ${m.cachedMessages ?? "?"} messages cached, ${m.seconds} s`);
  }
  lines.push(`  HEAP growth from the first mark to the last: ${summary.growth ?? "n/a"}×`);
  return lines;
}
