/**
 * The soak with faults: one room, many clients, some of them saying, replying, editing, deleting
 * and reacting through the page's real transport, random drops every second, a few long
 * absences, `wrangler dev` stopped and started again on the same persist dir mid-run, and a
 * hostile client (hostile.ts) asking for work no bucket charges under identity after identity.
 * Then everything drains and is checked against the room's stored log and current state: the
 * hostile client's stored events with everyone's.
 */
import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { startDevServer, type DevServer } from "../../scripts/dev-server.ts";
import type { ReconnectPolicy } from "@edge-chat/client";
import { noDrops, startDrops, type DropCounts, type SoakClient } from "./faults.ts";
import { HostileClient, type HostileCounts, type HostileOptions } from "./hostile.ts";
import { ResumingClient } from "./resuming-client.ts";
import { PageClient, sentAtOf } from "./page-client.ts";
import type { TurnWeights } from "./actions.ts";
import { Samples, type Percentiles } from "../stats.ts";
import { groupRssMiB } from "../proc.ts";
import { pickSome, streamOf } from "./random.ts";
import { readPublicLog, readRoomSeq } from "./room-log.ts";
import { checkSoak, soakViolations, type SoakCounts } from "./soak-check.ts";
import { SoakIntegrations, integrationViolations, type IntegrationCounts } from "./integrations-soak.ts";
import { sleep, waitUntil } from "./wait.ts";
import type { MessageFrame } from "@edge-chat/protocol";

/** How a soak runs. */
export interface SoakOptions {
  /** Clients in the room, senders included. */
  clients: number;
  senders: number;
  durationMs: number;
  /** Each sender acts (says, replies, edits, deletes or reacts: actions.ts) this often on average; every action takes a token (the bucket refills 5/s). */
  sayEveryMs: number;
  /** A sender waits while this many of its actions are unanswered (a person stops typing). */
  maxPending: number;
  dropsPerSecond: number;
  /** Server restarts, spread evenly over the run. */
  restarts: number;
  /** Readers that stay away `longAbsenceMs`, long enough to miss over 500 messages at full rate. */
  longAbsences: number;
  /** Senders that lose the echo of a say and then stay away `longAbsenceMs` (see `PageClient.dropWithLostEcho`). */
  lostEchoAbsences: number;
  longAbsenceMs: number;
  /** Reconnect policy overrides for every client (the quick variant shortens the backoff cap). */
  policy: Partial<ReconnectPolicy>;
  /** How long the end may take to settle: outboxes empty, everyone reconnected and caught up. */
  drainTimeoutMs: number;
  seed: number;
  /** The room's `SHARD_CAPACITY` (sockets per Durable Object); the server's default when left out. */
  shardCapacity?: number;
  /** How often senders reply, edit, delete and react (default: actions.ts's `MIX`). */
  weights?: TurnWeights;
  /** Hostile clients (hostile.ts) while the others chat, and how hard each pushes. */
  hostile: number;
  hostileOptions: HostileOptions;
  /** A hook posts this often, beside the clients; a webhook receiver hears every event (integrations-soak.ts). */
  hookEveryMs: number;
  /**
   * The share of webhook tries the receiver fails on purpose. Deliveries go one at a time, and
   * each failure holds the webhook back about 2 s (the first retry waits 1 s, and the alarm fires
   * at most once a second), so this is what decides how far the webhook falls behind the room.
   */
  webhookFaultRate: number;
  /** How long the webhook may take to catch up once the clients have, ms (it must keep moving: see `drain`). */
  webhookDrainMs: number;
}

/** The full run of `npm run soak`. */
export const FULL_SOAK: SoakOptions = {
  clients: 200,
  senders: 20,
  durationMs: 60_000,
  sayEveryMs: 500,
  maxPending: 10,
  dropsPerSecond: 3,
  restarts: 1,
  longAbsences: 2,
  lostEchoAbsences: 1,
  // At ~40 messages a second, 20 s away is ~800 missed: over the 500 a resume may hold.
  longAbsenceMs: 20_000,
  policy: {},
  drainTimeoutMs: 60_000,
  seed: 1,
  hostile: 1,
  // Half again its answer budget at once, every round: the room answers 100 and closes it.
  hostileOptions: { floodFrames: 150, roundGapMs: 200 },
  hookEveryMs: 500,
  // ~3,300 events, more than the 50 tries a second a webhook is spaced to, and 1% failed (~35
  // retries of ~2 s): the webhook ends about a minute behind (seed 902547: 39 failed, a drain of 91 s).
  webhookFaultRate: 0.01,
  webhookDrainMs: 180_000,
};

/**
 * The small soak of `npm test` (and `npm run soak -- --quick`): 20 clients, 4 senders, 6 s, one
 * restart, one long absence, and a backoff cap of 2 s instead of the page's 10 s, so that the end
 * comes sooner after the restart.
 */
export const QUICK_SOAK: SoakOptions = {
  ...FULL_SOAK,
  clients: 20,
  senders: 4,
  durationMs: 6_000,
  dropsPerSecond: 2,
  restarts: 1,
  longAbsences: 1,
  longAbsenceMs: 2_000,
  policy: { maxDelayMs: 2_000 },
  drainTimeoutMs: 20_000,
  // ~150 events: 5% failed is ~8 retries (seed 857463: 10 failed, a drain of 17 s).
  webhookFaultRate: 0.05,
  webhookDrainMs: 45_000,
  // About 70 turns in all (a turn per ~300 ms, well inside the bucket's 5/s), with changes and
  // drafts weighed up so that every kind happens in every run (the test checks each): a delete
  // needs an own draft still shown.
  sayEveryMs: 300,
  weights: { reply: 0.15, edit: 0.2, delete: 0.2, react: 0.2, draft: 0.5 },
};

/** What a soak found. */
export interface SoakResult {
  room: string;
  options: SoakOptions;
  counts: SoakCounts;
  drops: DropCounts;
  /** Live delivery latency of senders' messages to other clients (a message queued through an outage counts its wait). */
  latency: Percentiles;
  /** How long each restart kept the server away (stop + start), ms. */
  outagesMs: number[];
  /** From the end of the run until every outbox was empty and every client caught up, ms. */
  drainMs: number;
  /** The dev server's resident memory (MiB) after connecting, and at the end. */
  serverMiB: { start: number | null; end: number | null };
  /** Sockets each of the room's objects held once everyone was back (the Room first), from its stats. */
  socketsPerObject: number[] | null;
  /** The hook poster's and the webhook receiver's counts. */
  integrations: IntegrationCounts;
  /** Frames the readers got of types the decoder does not know (a newer room's, such as v2's `occupancy`): counted, not a fault. */
  unknownFrames: number;
  /** What the hostile clients did, summed. */
  hostile: HostileCounts | null;
  elapsedMs: number;
  violations: string[];
}

/** Sockets per object of the room (the Room first), or null when the stats cannot be read. */
async function readPlacement(baseUrl: string, room: string, adminKey: string): Promise<number[] | null> {
  const answer = await fetch(`${baseUrl}/api/rooms/${room}/stats`, { headers: { Authorization: `Bearer ${adminKey}` } });
  if (!answer.ok) return null;
  const { objects } = (await answer.json()) as { objects: { sockets: number }[] };
  return objects.map((o) => o.sockets);
}

/** Runs one soak against its own `wrangler dev`, which it stops at the end. */
export async function runSoak(options: SoakOptions, log: (line: string) => void = () => {}): Promise<SoakResult> {
  const began = performance.now();
  const room = `soak-${Date.now().toString(36)}-${options.seed}`;
  // Both starts take the same vars: a restart must not change how the room is laid out.
  // An admin key of this run's own lets the soak read how the room's sockets were placed.
  const adminKey = `soak-admin-${randomUUID()}`;
  const vars: Record<string, string> = { ADMIN_KEY: adminKey, ...(options.shardCapacity === undefined ? {} : { SHARD_CAPACITY: String(options.shardCapacity) }) };
  let server: DevServer = await startDevServer({ vars });
  const persistDir = server.persistDir;
  const url = `ws://127.0.0.1:${server.port}/api/rooms/${room}/ws`;
  const latencies = new Samples();
  const live = (self: () => string | undefined) => (message: MessageFrame, at: number) => {
    const sentAt = sentAtOf(message.text);
    if (sentAt !== undefined && message.from.id !== self()) latencies.add(at - sentAt);
  };
  const senders: PageClient[] = [];
  const clients: SoakClient[] = [];
  for (let i = 0; i < options.clients; i++) {
    if (i < options.senders) {
      const sender: PageClient = new PageClient(url, `sender-${i}`, {
        events: { live: live(() => sender.transport.self?.id) },
        policy: options.policy,
        random: streamOf(options.seed, `client-${i}`),
        mix: streamOf(options.seed, `mix-${i}`),
        ...(options.weights ? { weights: options.weights } : {}),
      });
      senders.push(sender);
      clients.push(sender);
    } else {
      const reader: ResumingClient = new ResumingClient(url, `reader-${i}`, {
        events: { live: live(() => reader.selfId) },
        policy: options.policy,
        random: streamOf(options.seed, `client-${i}`),
      });
      clients.push(reader);
    }
  }
  const hostiles = Array.from({ length: options.hostile }, (_, i) => new HostileClient(url, options.hostileOptions, streamOf(options.seed, `hostile-${i}`)));
  const drops = noDrops();
  const outagesMs: number[] = [];
  let integrations: SoakIntegrations | undefined;
  try {
    integrations = await SoakIntegrations.start(server.url, room, adminKey, streamOf(options.seed, "webhook-faults"), options.webhookFaultRate);
    const sharded = options.shardCapacity === undefined ? "" : `, shard capacity ${options.shardCapacity}`;
    log(`soak: ${options.clients} clients (${options.senders} senders) in ${room} on ${server.url}, seed ${options.seed}${sharded}`);
    for (const client of clients) {
      if (client instanceof PageClient) client.start();
      else client.connect();
      await sleep(5); // a gentle arrival instead of one burst of upgrades
    }
    if (!(await waitUntil(() => clients.every((c) => c.welcomed), 60_000))) {
      throw new Error(`only ${clients.filter((c) => c.welcomed).length} of ${clients.length} clients were welcomed within 60 s`);
    }
    const startMiB = groupRssMiB(server.pid);
    log("soak: everyone is in; saying, dropping and restarting");

    for (const sender of senders) sender.startSaying(options.sayEveryMs, options.maxPending);
    for (const hostile of hostiles) hostile.start();
    integrations.startPosting(options.hookEveryMs);
    const stopDrops = startDrops(clients, options.dropsPerSecond, streamOf(options.seed, "faults"), drops);
    const readers = clients.filter((c): c is ResumingClient => c instanceof ResumingClient);
    const absences = streamOf(options.seed, "absences");
    const absenceTimer = setTimeout(() => {
      for (const reader of pickSome(absences, readers, options.longAbsences)) {
        reader.drop("close", options.longAbsenceMs);
        drops.longAbsence++;
      }
      for (const sender of pickSome(absences, senders, options.lostEchoAbsences)) {
        sender.dropWithLostEcho(500, options.longAbsenceMs);
        drops.lostEchoAbsence++;
      }
    }, options.durationMs * 0.15);
    let restarting: Promise<void> = Promise.resolve();
    const restartTimers = Array.from({ length: options.restarts }, (_, i) =>
      setTimeout(() => {
        restarting = restarting.then(async () => {
          const stopped = performance.now();
          log("soak: stopping the server");
          await server.stop();
          server = await startDevServer({ port: server.port, persistDir, vars });
          outagesMs.push(Math.round(performance.now() - stopped));
          log(`soak: server back after ${outagesMs.at(-1)} ms`);
        });
      }, (options.durationMs * (i + 1)) / (options.restarts + 1)),
    );

    await sleep(options.durationMs);
    for (const sender of senders) sender.stopSaying();
    // Before the drain: what a hostile client stored must be answered and in the log the check reads.
    await Promise.all(hostiles.map((h) => h.stop()));
    stopDrops();
    clearTimeout(absenceTimer);
    for (const timer of restartTimers) clearTimeout(timer);
    await restarting;
    await integrations.stopPosting();
    for (const client of clients) client.comeBack();

    const drainStarted = performance.now();
    log("soak: draining");
    await waitUntil(() => clients.every((c) => c.welcomed) && senders.every((s) => s.transport.outbox.length === 0), options.drainTimeoutMs);
    // The room's seq, not the last message's: change events take seqs too, and must reach everyone.
    const lastSeq = await readRoomSeq(server.url, room);
    await waitUntil(() => clients.every((c) => c.view.lastSeq >= lastSeq), Math.max(5_000, options.drainTimeoutMs - (performance.now() - drainStarted)));
    const roomLog = await readPublicLog(server.url, room);
    // Every event of the room (the soak sends no private ones) must reach the webhook receiver.
    // Webhook deliveries go one at a time, at most 50 a second (the room spaces tries 20 ms apart),
    // and wait out their retries (1 s, 2 s, 4 s… after each try the receiver failed on purpose):
    // they may still be well behind, so the wait is for progress (see `drain`), not a fixed time.
    await integrations.drain(lastSeq, options.webhookDrainMs);
    const integrationCounts = integrations.check(roomLog, lastSeq);
    const socketsPerObject = await readPlacement(server.url, room, adminKey);
    const drainMs = Math.round(performance.now() - drainStarted);
    const endMiB = groupRssMiB(server.pid);
    for (const client of clients) client.stop();

    const counts = checkSoak(roomLog, [...senders, ...hostiles.flatMap((h) => h.identities)], clients, lastSeq);
    return {
      room, options, counts, drops, latency: latencies.percentiles(), outagesMs, drainMs,
      serverMiB: { start: startMiB, end: endMiB },
      socketsPerObject,
      unknownFrames: clients.reduce((sum, c) => sum + (c instanceof ResumingClient ? c.unknownFrames : 0), 0),
      hostile: sumHostile(hostiles.map((h) => h.counts)),
      integrations: integrationCounts,
      elapsedMs: Math.round(performance.now() - began),
      violations: [...soakViolations(counts), ...integrationViolations(integrationCounts)],
    };
  } finally {
    for (const hostile of hostiles) hostile.abort();
    for (const client of clients) client.stop();
    await integrations?.stop();
    await server.stop();
    rmSync(persistDir, { recursive: true, force: true });
  }
}

/** The hostile clients' counts added up, or null when there were none. */
function sumHostile(all: HostileCounts[]): HostileCounts | null {
  const [first, ...rest] = all;
  if (!first) return null;
  const sum: HostileCounts = { ...first, errors: { ...first.errors }, closes: { ...first.closes } };
  for (const c of rest) {
    for (const key of ["identities", "sockets", "storable", "uncharged", "duplicateAnswers", "storableRefused", "unchargedBytesIn", "unchargedBytesOut"] as const) sum[key] += c[key];
    for (const [code, n] of Object.entries(c.errors)) sum.errors[code] = (sum.errors[code] ?? 0) + n;
    for (const [code, n] of Object.entries(c.closes)) sum.closes[code] = (sum.closes[code] ?? 0) + n;
  }
  return sum;
}
