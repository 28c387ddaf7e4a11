/**
 * One flood run: people chatting in a fresh room through the page's real transport, observers
 * reading its raw frames, and a flooder that floods in one slice of each pair (flood-slices.ts).
 * Then everything is checked against the room's stored log: the others' messages complete and in
 * order everywhere, once for each observer, and the flooder held to its bucket.
 */
import type { DevServer } from "../../scripts/dev-server.ts";
import type { MessageFrame } from "@edge-chat/protocol";
import type { Percentiles } from "../stats.ts";
import type { FloodOptions } from "./flood-options.ts";
import { SliceClock, sliceOrder, type Condition } from "./flood-slices.ts";
import { Flooder, type FlooderOutcome } from "./flooder.ts";
import { makeObservers, observe, observedViolations, type Observed } from "./observers.ts";
import { PageClient, sentAtOf } from "./page-client.ts";
import { streamOf } from "./random.ts";
import { readPublicLog } from "./room-log.ts";
import { checkView, storedLog } from "./soak-check.ts";
import { sleep, waitUntil } from "./wait.ts";

/** Longest wait between slices for the room to answer everything the flooder sent. */
const CATCH_UP_MS = 10_000;

/** What the others saw in the slices of one condition. */
export interface ConditionFigures {
  slices: number;
  /** Latency of the others' messages sent in these slices, as the other people received them. */
  latency: Percentiles;
  /** The same without the slice whose own p99 is the worst (what the verdict reads). */
  trimmed: Percentiles;
  /** p99 of this process's event-loop delay in these slices (beyond its 10 ms sampling tick), ms. */
  clientLagP99Ms: number;
}

/** One interleaved run and what it found. */
export interface FloodRun {
  room: string;
  without: ConditionFigures;
  with: ConditionFigures;
  othersSent: number;
  othersStored: number;
  /** What the observers were sent, raw: duplicates by seq show here. */
  observed: Observed;
  /** Time spent between slices waiting for the room to answer the flooder, ms. */
  gapMs: number;
  flooder: FlooderOutcome;
  violations: string[];
}

/** Runs the people, the observers and the flooder in `room` on `server`. */
export async function runInterleaved(server: DevServer, room: string, options: FloodOptions): Promise<FloodRun> {
  const url = `ws://127.0.0.1:${server.port}/api/rooms/${room}/ws`;
  const pairs = Math.max(1, Math.round(options.conditionMs / options.sliceMs));
  const order = sliceOrder(streamOf(options.seed, "slices"), pairs);
  const clock = new SliceClock();
  const others: PageClient[] = [];
  for (let i = 0; i < options.others; i++) {
    const live = (message: MessageFrame, at: number) => {
      const sentAt = sentAtOf(message.text);
      // Only the others' messages, received by someone else.
      if (sentAt !== undefined && message.from.id !== person.transport.self?.id) clock.sample(sentAt, at);
    };
    const person: PageClient = new PageClient(url, `person-${i}`, { events: { live }, policy: options.policy, random: streamOf(options.seed, `person-${i}`) });
    others.push(person);
  }
  const observers = makeObservers(url, options.observers, options.seed);
  const flooder = new Flooder(url, streamOf(options.seed, "flooder"));
  const violations: string[] = [];
  try {
    for (const person of others) {
      person.start();
      await sleep(5);
    }
    for (const observer of observers) observer.connect();
    flooder.client.connect();
    const everyone = () => others.every((p) => p.welcomed) && observers.every((o) => o.welcomed) && flooder.client.welcomed;
    if (!(await waitUntil(everyone, 30_000))) throw new Error(`${room}: not everyone was welcomed within 30 s`);

    for (const person of others) person.startSaying(options.othersSayEveryMs, 10);
    // Unmeasured: both paths of the room run warm before the first measured slice.
    await flooder.flood(options.floodPerSecond, options.warmUpMs);
    for (const condition of order) {
      // A backlog the flood left behind must not be counted as "without": wait it out first.
      if (condition === "without" && !(await waitUntil(() => flooder.allAnswered, CATCH_UP_MS, 5))) {
        violations.push(`the room had not answered the flooder ${CATCH_UP_MS / 1000} s after a slice`);
        break;
      }
      const ends = performance.now() + options.sliceMs;
      clock.begin(condition);
      if (condition === "with") await flooder.flood(options.floodPerSecond, options.sliceMs);
      await sleep(Math.max(0, ends - performance.now()));
      clock.end();
    }
    clock.stop();
    for (const person of others) person.stopSaying();

    const settled = () => others.every((p) => p.transport.outbox.length === 0) && flooder.allAnswered;
    if (!(await waitUntil(settled, 30_000))) violations.push("the room did not answer every say within 30 s");
    const roomLog = await readPublicLog(server.url, room);
    const lastSeq = roomLog.at(-1)?.seq ?? 0;
    await waitUntil(() => [...others, ...observers].every((c) => c.view.lastSeq >= lastSeq), 15_000);

    const stored = storedLog(roomLog);
    let lost = 0, duplicated = 0, reordered = 0, mismatched = 0, refused = 0, errors = 0, othersSent = 0;
    for (const person of others) {
      errors += person.errors + person.invalidFrames;
      const view = checkView(person.view, stored);
      lost += view.lost;
      mismatched += view.mismatched;
      duplicated += person.view.duplicated;
      reordered += person.view.reordered;
      refused += person.refused.size;
      othersSent += person.sent.size;
    }
    const flooderId = flooder.client.selfId;
    const othersStored = roomLog.filter((m) => m.from.id !== flooderId).length;
    for (const [name, value] of Object.entries({ lost, duplicated, reordered, mismatched, "others refused": refused, "others' error or invalid frames": errors })) {
      if (value !== 0) violations.push(`${name}: ${value}`);
    }
    if (othersStored !== othersSent) violations.push(`the others sent ${othersSent} but ${othersStored} are stored`);
    const observed = observe(observers, stored);
    violations.push(...observedViolations(observed));
    const outcome = flooder.outcome(roomLog.filter((m) => m.from.id === flooderId).length);
    violations.push(...flooder.violations(outcome));
    const figures = (condition: Condition): ConditionFigures => ({
      slices: clock.slices(condition),
      latency: clock.latency(condition),
      trimmed: clock.latency(condition, 1),
      clientLagP99Ms: clock.lag[condition].percentiles().p99 ?? 0,
    });
    const gapMs = Math.round(clock.gapMs);
    return { room, without: figures("without"), with: figures("with"), othersSent, othersStored, observed, gapMs, flooder: outcome, violations };
  } finally {
    clock.stop();
    for (const person of others) person.stop();
    for (const observer of observers) observer.stop();
    flooder.client.stop();
  }
}
