/**
 * One phase of the flood: people chatting in a fresh room through the page's real transport, with
 * or without a flooder, then checked against the room's stored log: the others' messages complete
 * and in order everywhere, the flooder held to its bucket.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { DevServer } from "../../scripts/dev-server.ts";
import type { MessageFrame } from "../../src/shared/protocol.ts";
import type { FloodOptions } from "./flood.ts";
import { Samples, type Percentiles } from "../stats.ts";
import { Flooder } from "./flooder.ts";
import { makeObservers, observe, observedViolations, type Observed } from "./observers.ts";
import { PageClient, sentAtOf } from "./page-client.ts";
import { streamOf } from "./random.ts";
import { readPublicLog } from "./room-log.ts";
import { checkView } from "./soak-check.ts";
import { sleep, waitUntil } from "./wait.ts";

/** What the flooder did and what the room made of it. */
export interface FlooderOutcome {
  /** Says the flood was to send (rate × duration), and those it sent. */
  planned: number;
  sent: number;
  /** Echoed by the room, and found in its stored log. */
  accepted: number;
  stored: number;
  rateLimited: number;
  /** The most the bucket can have let through in the time the flood took: burst + perSecond × span + 1. */
  bound: number;
  /** From the first say sent to the last answer received, ms. */
  spanMs: number;
  burst: number;
  perSecond: number;
}

/** One phase: the room with or without the flooder. */
export interface FloodPhase {
  room: string;
  withFlooder: boolean;
  /** Latency of the others' messages, as the other people received them. */
  latency: Percentiles;
  /** p99 of this process's event-loop delay while measuring (beyond its 10 ms sampling tick), ms. */
  clientLagP99Ms: number;
  othersSent: number;
  othersStored: number;
  /** What the observers were sent, raw: duplicates by seq show here. */
  observed: Observed;
  flooder: FlooderOutcome | undefined;
  violations: string[];
}

/** Runs one phase in `room` on `server`. */
export async function runPhase(server: DevServer, room: string, withFlooder: boolean, options: FloodOptions): Promise<FloodPhase> {
  const url = `ws://127.0.0.1:${server.port}/api/rooms/${room}/ws`;
  const latencies = new Samples();
  let measureFrom = Infinity;
  const others: PageClient[] = [];
  for (let i = 0; i < options.others; i++) {
    const live = (message: MessageFrame, at: number) => {
      const sentAt = sentAtOf(message.text);
      // Only the others' messages, received by someone else, sent inside the measured window.
      if (sentAt !== undefined && sentAt >= measureFrom && message.from.id !== person.transport.self?.id) latencies.add(at - sentAt);
    };
    // Both phases draw the same paces from the seed: they differ by the flooder alone.
    const person: PageClient = new PageClient(url, `person-${i}`, { events: { live }, policy: options.policy, random: streamOf(options.seed, `person-${i}`) });
    others.push(person);
  }
  const observers = makeObservers(url, options.observers, options.seed);
  const flooder = withFlooder ? new Flooder(url, streamOf(options.seed, "flooder")) : undefined;
  const violations: string[] = [];
  try {
    for (const person of others) {
      person.start();
      await sleep(5);
    }
    for (const observer of observers) observer.connect();
    flooder?.client.connect();
    const everyone = () => others.every((p) => p.welcomed) && observers.every((o) => o.welcomed) && (flooder?.client.welcomed ?? true);
    if (!(await waitUntil(everyone, 30_000))) throw new Error(`${room}: not everyone was welcomed within 30 s`);

    measureFrom = performance.now();
    // How late this process's own event loop runs: latency it adds is not the room's.
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    for (const person of others) person.startSaying(options.othersSayEveryMs, 10);
    await Promise.all([flooder?.flood(options.floodPerSecond, options.durationMs), sleep(options.durationMs)]);
    for (const person of others) person.stopSaying();
    lag.disable();
    // The histogram holds whole timer intervals (ns); what exceeds the 10 ms tick is the delay.
    const clientLagP99Ms = Math.max(0, Math.round((lag.percentile(99) / 1e6 - 10) * 10) / 10);

    const settled = () => others.every((p) => p.transport.outbox.length === 0) && (flooder?.allAnswered ?? true);
    if (!(await waitUntil(settled, 30_000))) violations.push("the room did not answer every say within 30 s");
    const roomLog = await readPublicLog(server.url, room);
    const lastSeq = roomLog.at(-1)?.seq ?? 0;
    await waitUntil(() => [...others, ...observers].every((c) => c.view.lastSeq >= lastSeq), 15_000);

    const bySeq = new Map(roomLog.map((m) => [m.seq, m]));
    let lost = 0, duplicated = 0, reordered = 0, mismatched = 0, refused = 0, errors = 0, othersSent = 0;
    for (const person of others) {
      errors += person.errors + person.invalidFrames;
      const view = checkView(person.view, bySeq, lastSeq);
      lost += view.lost;
      mismatched += view.mismatched;
      duplicated += person.view.duplicated;
      reordered += person.view.reordered;
      refused += person.refused.size;
      othersSent += person.sent.size;
    }
    const flooderId = flooder?.client.selfId;
    const othersStored = roomLog.filter((m) => m.from.id !== flooderId).length;
    for (const [name, value] of Object.entries({ lost, duplicated, reordered, mismatched, "others refused": refused, "others' error or invalid frames": errors })) {
      if (value !== 0) violations.push(`${name}: ${value}`);
    }
    if (othersStored !== othersSent) violations.push(`the others sent ${othersSent} but ${othersStored} are stored`);
    const observed = observe(observers, bySeq, lastSeq);
    violations.push(...observedViolations(observed));
    const planned = Math.round((options.floodPerSecond * options.durationMs) / 1000);
    const outcome = flooder && flooderOutcome(flooder, planned, roomLog.filter((m) => m.from.id === flooderId).length);
    if (outcome) violations.push(...flooderViolations(outcome, flooder));
    return { room, withFlooder, latency: latencies.percentiles(), clientLagP99Ms, othersSent, othersStored, observed, flooder: outcome, violations };
  } finally {
    for (const person of others) person.stop();
    for (const observer of observers) observer.stop();
    flooder?.client.stop();
  }
}

function flooderOutcome(flooder: Flooder, planned: number, stored: number): FlooderOutcome {
  const { burst, perSecond } = flooder.client.limits ?? { burst: 0, perSecond: 0 };
  // The bucket starts full at the first say the room handles and refills until the last: both lie
  // between our first send and our last answer, so this span bounds what it could let through.
  const spanMs = (flooder.lastAnswerAt ?? 0) - (flooder.firstSentAt ?? 0);
  const bound = Math.floor(burst + (perSecond * spanMs) / 1000) + 1;
  return { planned, sent: flooder.sent, accepted: flooder.accepted, stored, rateLimited: flooder.rateLimited, bound, spanMs: Math.round(spanMs), burst, perSecond };
}

function flooderViolations(outcome: FlooderOutcome, flooder: Flooder): string[] {
  const violations: string[] = [];
  if (outcome.sent !== outcome.planned) violations.push(`the flooder could send only ${outcome.sent} of ${outcome.planned} says`);
  if (outcome.rateLimited === 0) violations.push("the flooder was never rate_limited");
  if (flooder.badRetryAfter > 0) violations.push(`${flooder.badRetryAfter} rate_limited errors without a positive retryAfterMs`);
  if (flooder.otherErrors > 0) violations.push(`the flooder got ${flooder.otherErrors} errors other than rate_limited`);
  if (outcome.stored > outcome.bound) violations.push(`the flooder has ${outcome.stored} messages stored, over the bound of ${outcome.bound}`);
  if (outcome.stored < outcome.burst) violations.push(`the flooder has ${outcome.stored} messages stored, fewer than its burst of ${outcome.burst}`);
  if (outcome.stored !== outcome.accepted) violations.push(`the flooder saw ${outcome.accepted} echoes but ${outcome.stored} are stored`);
  if (outcome.accepted + outcome.rateLimited !== outcome.sent) violations.push(`the flooder sent ${outcome.sent} but got ${outcome.accepted} echoes and ${outcome.rateLimited} rate_limited`);
  return violations;
}
