/**
 * The soak's faults: every second a few random clients lose their connection, each in one of the
 * ways a real one does (the network, the network just as a message goes out, a clean close, the
 * browser going offline, a reload that starts over without `since`), and come back by themselves.
 */
import { ResumingClient } from "./resuming-client.ts";
import { PageClient } from "./page-client.ts";
import { pickSome, randomInt } from "./random.ts";

/** A client the faults can hit. */
export type SoakClient = PageClient | ResumingClient;

/** Drops counted by kind. */
export type DropCounts = Record<"cut" | "cutAfterSay" | "close" | "offline" | "reload" | "longAbsence" | "lostEchoAbsence", number>;

/** Drops one client in a random way; it comes back within about a second (plus its backoff). */
export function dropAtRandom(client: SoakClient, random: () => number, counts: DropCounts): void {
  const roll = random();
  if (client instanceof PageClient) {
    if (roll < 0.3) {
      // The network dies just as a message goes out: its echo is lost, whether or not it was stored.
      client.sayNow();
      client.drop("cut", 0);
      counts.cutAfterSay++;
    } else {
      const kind = roll < 0.7 ? "cut" : "offline";
      client.drop(kind, randomInt(random, 0, 2_000));
      counts[kind]++;
    }
  } else {
    const kind = roll < 0.5 ? "cut" : roll < 0.75 ? "close" : "reload";
    client.drop(kind, randomInt(random, 0, 1_000));
    counts[kind]++;
  }
}

/** Every second, drops `perSecond` random welcomed clients, until the returned function is called. */
export function startDrops(clients: readonly SoakClient[], perSecond: number, random: () => number, counts: DropCounts): () => void {
  const timer = setInterval(() => {
    const connected = clients.filter((client) => client.welcomed);
    for (const client of pickSome(random, connected, perSecond)) dropAtRandom(client, random, counts);
  }, 1_000);
  return () => clearInterval(timer);
}

/** An empty tally. */
export function noDrops(): DropCounts {
  return { cut: 0, cutAfterSay: 0, close: 0, offline: 0, reload: 0, longAbsence: 0, lostEchoAbsence: 0 };
}
