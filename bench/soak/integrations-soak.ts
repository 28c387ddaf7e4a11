/**
 * The soak's integrations (issue 23): a hook poster and a webhook receiver beside the clients,
 * through the same drops and server restarts. The poster posts a numbered message every so often
 * with an `Idempotency-Key`, and retries the same key until it gets its seq (a restart refuses
 * connections for a while). The receiver, on 127.0.0.1 in this process (it outlives the server's
 * restarts), answers 204, except that it fails a share of the tries on purpose (the seed says which), and
 * checks every try's signature with the `standardwebhooks` package. At the end every event of the
 * room (the soak sends no private ones) must have reached it once after deduplication by
 * webhook-id, in seq order; every acknowledged post must be in the log once, from the hook.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import type { RoomLog } from "./room-log.ts";
import { sleep } from "./wait.ts";

/**
 * The longest a draining webhook may go without a new event before the drain gives up: longer
 * than the wait after five failed tries of one event in a row (1 + 2 + 4 + 8 + 16 s, and up to
 * 1 s more each for the alarm's spacing), so only a delivery that stopped ends it early.
 */
const STALL_MS = 40_000;

/** What the integrations check counts; every count but the informational ones must be 0. */
export interface IntegrationCounts {
  /** Informational: posts acknowledged, webhook tries, tries failed on purpose, distinct events received. */
  hookPosts: number;
  webhookTries: number;
  webhookFailedOnPurpose: number;
  webhookReceived: number;
  /** Violations. */
  hookPostsMissing: number;
  hookPostsDuplicated: number;
  webhookMissing: number;
  webhookOutOfOrder: number;
  webhookBadSignature: number;
  webhookUnknown: number;
}

/** The poster and the receiver of one soak. */
export class SoakIntegrations {
  readonly #server: Server;
  readonly #verifier: Webhook;
  readonly #hookUrl: string;
  readonly #random: () => number;
  readonly #faultRate: number;
  /** Distinct seqs in the order they first arrived. */
  readonly #firstArrivals: number[] = [];
  readonly #received = new Set<number>();
  #tries = 0;
  #failedOnPurpose = 0;
  #badSignatures = 0;
  /** Post number → the seq the room answered. */
  readonly #posted = new Map<number, number>();
  #posting = false;
  #loop: Promise<void> = Promise.resolve();

  private constructor(server: Server, secret: string, hookUrl: string, random: () => number, faultRate: number) {
    this.#server = server;
    this.#verifier = new Webhook(secret);
    this.#hookUrl = hookUrl;
    this.#random = random;
    this.#faultRate = faultRate;
  }

  /** Starts the receiver (failing `faultRate` of the tries), registers the webhook and makes the hook (with the run's admin key). */
  static async start(baseUrl: string, room: string, adminKey: string, random: () => number, faultRate: number): Promise<SoakIntegrations> {
    let made: SoakIntegrations | undefined;
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => response.writeHead(made ? made.#receive(request.headers, Buffer.concat(chunks).toString("utf8")) : 503).end());
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/soak`;
    const owner = { Authorization: `Bearer ${adminKey}` };
    const webhook = (await post(`${baseUrl}/api/rooms/${room}/webhooks`, { url: receiverUrl }, owner)) as { webhook: { secret: string } };
    const hook = (await post(`${baseUrl}/api/rooms/${room}/hooks`, { name: "soak-hook" }, owner)) as { hook: { url: string } };
    made = new SoakIntegrations(server, webhook.webhook.secret, `${baseUrl}${hook.hook.url}`, random, faultRate);
    return made;
  }

  /** Posts a numbered message every `everyMs`, each retried under its key until the room answers its seq. */
  startPosting(everyMs: number): void {
    this.#posting = true;
    this.#loop = (async () => {
      for (let n = 0; this.#posting; n++) {
        while (this.#posting || !this.#posted.has(n)) {
          const seq = await this.#postOnce(n);
          if (seq !== undefined) {
            this.#posted.set(n, seq);
            break;
          }
          await sleep(200);
        }
        await sleep(everyMs);
      }
    })();
  }

  /** Stops posting once the post under way has its seq. */
  async stopPosting(): Promise<void> {
    this.#posting = false;
    await this.#loop;
  }

  /** How many distinct events the receiver has had so far. */
  get received(): number {
    return this.#received.size;
  }

  /**
   * Waits until every seq up to `lastSeq` has arrived; true when it did. Gives up when no new event
   * came for `STALL_MS` (a delivery that stopped) or after `timeoutMs` in all. A webhook that is
   * far behind but moving is waited for: how far behind it is depends on how the tries it failed
   * on purpose fell, and on the machine.
   */
  async drain(lastSeq: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    let seen = this.#received.size;
    let movedAt = Date.now();
    while (this.#received.size < lastSeq) {
      const now = Date.now();
      if (this.#received.size > seen) {
        seen = this.#received.size;
        movedAt = now;
      }
      if (now >= deadline || now - movedAt >= STALL_MS) return false;
      await sleep(50);
    }
    return true;
  }

  /** The counts against the room's log (public messages) and its latest seq. */
  check(log: RoomLog, lastSeq: number): IntegrationCounts {
    const hookMessages = log.filter((m) => m.from.id.startsWith("hook:"));
    const byKey = new Map<string, number>();
    for (const m of hookMessages) byKey.set(m.id, (byKey.get(m.id) ?? 0) + 1);
    let missing = 0;
    for (const [n, seq] of this.#posted) if (!hookMessages.some((m) => m.id === keyOf(n) && m.seq === seq)) missing++;
    let outOfOrder = 0;
    for (let i = 1; i < this.#firstArrivals.length; i++) if (this.#firstArrivals[i]! < this.#firstArrivals[i - 1]!) outOfOrder++;
    let webhookMissing = 0;
    for (let seq = 1; seq <= lastSeq; seq++) if (!this.#received.has(seq)) webhookMissing++;
    return {
      hookPosts: this.#posted.size,
      webhookTries: this.#tries,
      webhookFailedOnPurpose: this.#failedOnPurpose,
      webhookReceived: this.#received.size,
      hookPostsMissing: missing,
      hookPostsDuplicated: [...byKey.values()].filter((count) => count > 1).length,
      webhookMissing,
      webhookOutOfOrder: outOfOrder,
      webhookBadSignature: this.#badSignatures,
      webhookUnknown: [...this.#received].filter((seq) => seq < 1 || seq > lastSeq).length,
    };
  }

  /** Stops the receiver. */
  async stop(): Promise<void> {
    this.#posting = false;
    await new Promise((resolve) => this.#server.close(resolve));
  }

  /** One try: its signature checked, `faultRate` of them failed on purpose (the seed decides), else 204. */
  #receive(headers: Record<string, string | string[] | undefined>, body: string): number {
    this.#tries++;
    try {
      this.#verifier.verify(body, { "webhook-id": String(headers["webhook-id"]), "webhook-timestamp": String(headers["webhook-timestamp"]), "webhook-signature": String(headers["webhook-signature"]) });
    } catch {
      this.#badSignatures++;
      return 400;
    }
    if (this.#random() < this.#faultRate) {
      this.#failedOnPurpose++;
      return 503;
    }
    const seq = Number(String(headers["webhook-id"]).split(":").at(-1));
    if (!this.#received.has(seq)) {
      this.#received.add(seq);
      this.#firstArrivals.push(seq);
    }
    return 204;
  }

  async #postOnce(n: number): Promise<number | undefined> {
    try {
      const response = await fetch(this.#hookUrl, {
        method: "POST",
        headers: { "content-type": "application/json", "Idempotency-Key": keyOf(n) },
        body: JSON.stringify({ text: `hook post ${n}` }),
      });
      if (response.status !== 200) return undefined;
      return ((await response.json()) as { seq: number }).seq;
    } catch {
      return undefined;
    }
  }
}

/** The violations among the counts. */
export function integrationViolations(counts: IntegrationCounts): string[] {
  const checked = ["hookPostsMissing", "hookPostsDuplicated", "webhookMissing", "webhookOutOfOrder", "webhookBadSignature", "webhookUnknown"] as const;
  return checked.filter((name) => counts[name] > 0).map((name) => `${name}: ${counts[name]}`);
}

function keyOf(n: number): string {
  return `soak-hook-${n}`;
}

async function post(url: string, body: unknown, headers: Record<string, string>): Promise<unknown> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  if (response.status !== 201) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return response.json();
}
