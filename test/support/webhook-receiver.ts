/**
 * A webhook receiver inside one test file's isolate: the rooms a test file uses live in its
 * isolate, so replacing `fetch` there catches what they POST to `https://<name>.receiver.test/`
 * (anything else goes to the pool's outbound service as before). Each receiver records every try
 * (headers and the exact body) and answers as the test says: a status, a hang (until the caller's
 * signal gives up, as a dead server does), or a failed connection. A try runs in the room's I/O
 * context, where nothing of the test may be touched (not even a promise the test awaits), so the
 * test waits for what the receiver recorded with `vi.waitFor`, which looks from the test's own
 * context, with a timeout.
 */
import { Webhook } from "standardwebhooks";
import { vi } from "vitest";

/** How a receiver answers a try. */
export type ReceiverAnswer = number | "hang" | "refuse";

/** One try as the receiver saw it. */
export interface ReceivedTry {
  url: string;
  id: string;
  timestamp: string;
  signature: string;
  contentType: string;
  body: string;
  at: number;
}

/** A receiver at one URL. */
export interface Receiver {
  readonly url: string;
  readonly tries: ReceivedTry[];
  /** What the next tries get (a function decides per try). */
  answer: ReceiverAnswer | ((received: ReceivedTry) => ReceiverAnswer);
  /** Resolves once `predicate` holds for the tries so far; rejects after `timeoutMs`. */
  until(predicate: (tries: readonly ReceivedTry[]) => boolean, timeoutMs?: number): Promise<ReceivedTry[]>;
  /** The bodies of the 2xx-answered tries, parsed, in the order they came. */
  accepted(): { id: string; body: { room: string; event: Record<string, unknown> & { type: string; seq: number } } }[];
}

const receivers = new Map<string, Receiver & { acceptedIds: Set<number> }>();
let installed = false;

/** A new receiver with its own URL; `fetch` is caught for it in this isolate. */
export function receiver(name: string, answer: ReceiverAnswer = 200): Receiver {
  install();
  const url = `https://${name}-${crypto.randomUUID().slice(0, 8)}.receiver.test/hook`;
  const acceptedIds = new Set<number>();
  const made: Receiver & { acceptedIds: Set<number> } = {
    url,
    tries: [],
    answer,
    acceptedIds,
    until(predicate, timeoutMs = 15_000) {
      return vi.waitFor(
        () => {
          if (!predicate(made.tries)) throw new Error(`receiver ${name}: not met within ${timeoutMs} ms; ${made.tries.length} tries: ${made.tries.map((t) => t.id).join(" ")}`);
          return [...made.tries];
        },
        { timeout: timeoutMs, interval: 20 },
      );
    },
    accepted() {
      return made.tries.filter((_, i) => acceptedIds.has(i)).map((t) => ({ id: t.id, body: JSON.parse(t.body) }));
    },
  };
  receivers.set(url, made);
  return made;
}

/** Checks a try's signature with the `standardwebhooks` package (a library that is not ours); throws when it does not verify. */
export function verifyTry(secret: string, received: ReceivedTry): unknown {
  return new Webhook(secret).verify(received.body, {
    "webhook-id": received.id,
    "webhook-timestamp": received.timestamp,
    "webhook-signature": received.signature,
  });
}

function install(): void {
  if (installed) return;
  installed = true;
  const original = globalThis.fetch;
  globalThis.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    // Read before any await: as near as the receiver gets to the time the room started the try
    // (webhooks.test.ts's pacing test says how near).
    const at = Date.now();
    const request = new Request(input, init);
    const target = receivers.get(request.url);
    if (!target) return original(input, init);
    const received: ReceivedTry = {
      url: request.url,
      id: request.headers.get("webhook-id") ?? "",
      timestamp: request.headers.get("webhook-timestamp") ?? "",
      signature: request.headers.get("webhook-signature") ?? "",
      contentType: request.headers.get("content-type") ?? "",
      body: await request.text(),
      at,
    };
    const index = target.tries.push(received) - 1;
    const answer = typeof target.answer === "function" ? target.answer(received) : target.answer;
    if (typeof answer === "number" && answer >= 200 && answer < 300) target.acceptedIds.add(index);
    if (answer === "refuse") throw new Error("connection refused");
    if (answer === "hang") {
      const signal = init?.signal ?? request.signal;
      return new Promise<Response>((_, reject) => signal?.addEventListener("abort", () => reject(signal.reason)));
    }
    const bodyless = answer === 204 || answer === 205 || (answer >= 300 && answer < 400);
    return new Response(bodyless ? null : "ok", { status: answer, headers: answer >= 300 && answer < 400 ? { Location: "https://elsewhere.test/" } : {} });
  };
}
