/**
 * The soak's faults: every second a few random connected clients lose their connection, each in
 * one of the ways a real one does (the network, the network just as a message goes out, a clean
 * close, the browser going offline, a reload that starts over without `since`), and come back by
 * themselves. What is drawn each second depends on the seed alone, never on which clients
 * happen to be connected, so a run's seed replays its plan of faults.
 */
import { PageClient } from "./page-client.ts";
import { shuffled } from "./random.ts";
import type { ResumingClient } from "./resuming-client.ts";

/** A client the faults can hit. */
export type SoakClient = PageClient | ResumingClient;

/** Drops counted by kind. */
export type DropCounts = Record<"cut" | "cutAfterSay" | "close" | "offline" | "reload" | "longAbsence" | "lostEchoAbsence", number>;

/** One drop's draws: which kind (`roll`) and how long away (`pause`, a fraction of the kind's longest pause). */
export interface DropDraw {
  roll: number;
  pause: number;
}

/** One second of faults: the order in which clients are tried (indexes), and the draws of each drop. */
export interface FaultTick {
  order: number[];
  drops: DropDraw[];
}

/** Draws each second's faults from one seeded stream: the same draws, in the same number, every run. */
export function faultTicks(random: () => number, clients: number, perSecond: number): () => FaultTick {
  const indexes = Array.from({ length: clients }, (_, i) => i);
  return () => ({
    order: shuffled(random, indexes),
    drops: Array.from({ length: perSecond }, () => ({ roll: random(), pause: random() })),
  });
}

/** Drops one client as `draw` says; it comes back within about a second (plus its backoff). */
export function dropClient(client: SoakClient, draw: DropDraw, counts: DropCounts): void {
  const { roll } = draw;
  if (client instanceof PageClient) {
    if (roll < 0.3) {
      // The network dies just as an action goes out: its answer is lost, whether or not it was stored.
      client.actNow();
      client.drop("cut", 0);
      counts.cutAfterSay++;
    } else {
      const kind = roll < 0.7 ? "cut" : "offline";
      client.drop(kind, Math.floor(draw.pause * 2_001));
      counts[kind]++;
    }
  } else {
    const kind = roll < 0.5 ? "cut" : roll < 0.75 ? "close" : "reload";
    client.drop(kind, Math.floor(draw.pause * 1_001));
    counts[kind]++;
  }
}

/**
 * Every second, drops the first `perSecond` welcomed clients in that second's order, until the
 * returned function is called. A uniform order makes them a uniform pick among those connected.
 */
export function startDrops(clients: readonly SoakClient[], perSecond: number, random: () => number, counts: DropCounts): () => void {
  const next = faultTicks(random, clients.length, perSecond);
  const timer = setInterval(() => {
    const tick = next();
    const hit = tick.order.map((i) => clients[i]!).filter((client) => client.welcomed).slice(0, perSecond);
    hit.forEach((client, k) => dropClient(client, tick.drops[k]!, counts));
  }, 1_000);
  return () => clearInterval(timer);
}

/** An empty tally. */
export function noDrops(): DropCounts {
  return { cut: 0, cutAfterSay: 0, close: 0, offline: 0, reload: 0, longAbsence: 0, lostEchoAbsence: 0 };
}
