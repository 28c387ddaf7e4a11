/**
 * Outgoing webhook delivery (PROTOCOL.md v3, "Outgoing webhooks"), run by the Room only (shards
 * hold sockets; the Room holds the log). Per webhook, one event at a time, in seq order: the next
 * public event of a subscribed kind after its position is POSTed, signed the Standard Webhooks way,
 * and only a 2xx moves the position on (in memory at once, in SQLite within `POSITION_WRITE_MS`,
 * so it survives eviction and restart; an eviction in between sends the last events again). A failed
 * try (not 2xx, a redirect, no answer within 10 s) is tried again after 1 s, 2 s, 4 s, … up to
 * 5 min between tries, with no end (so at least 24 h): the owner sees `failing` and may delete it.
 *
 * Never a wait that slows the room: a delivery is started (never awaited) after a commit or from
 * the alarm, with one fetch in flight per webhook, so a receiver that hangs delays only its own
 * deliveries; a try's 10 s limit is the only timer, and only while that try is open. When a fetch ends, the room may have changed meanwhile (the webhook deleted, the
 * event's message deleted, more events stored): the settlement reads the webhook afresh, and each
 * try builds its body from the log as it stands then, so an erased message goes out erased.
 * Timed work goes through the object's one alarm (the `webhooks` duty): retries when due, a
 * watchdog past a fetch's timeout (a fetch lost with an evicted instance is tried again), and
 * whatever a woken room still owes.
 */
import type { EventFrame } from "@edge-chat/protocol";
import type { WebhookDelivery, WebhookEventKind } from "@edge-chat/protocol/integrations";
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import type { WebhookRecord, WebhookStore } from "../storage/webhooks.ts";

/** A try that has no answer within this many ms has failed (the protocol's 10 s). */
export const DELIVERY_TIMEOUT_MS = 10_000;
/** The first retry's delay; each failure doubles it, up to `MAX_RETRY_DELAY_MS`. */
export const FIRST_RETRY_DELAY_MS = 1_000;
/** The longest delay between two tries (the protocol's 5 min). */
export const MAX_RETRY_DELAY_MS = 300_000;
/** The alarm looks again this long after a fetch started, in case the instance that made it is gone. */
const WATCHDOG_MS = DELIVERY_TIMEOUT_MS + 5_000;
/**
 * Delivered positions are written at most this long after they moved: a row a second per webhook
 * instead of a row per event (each write outside a commit's turn is one more storage round the
 * room's outgoing frames wait behind).
 */
export const POSITION_WRITE_MS = 1_000;
/**
 * A webhook's tries start at least this far apart (at most 50 a second). Each try is a request
 * the Room builds, signs and starts on its own thread; a receiver that answers at once (one on
 * the same host) would otherwise take as much of the room's time as it can send, and three such
 * webhooks halved a saturated room's throughput. A real receiver across a network answers slower
 * than this anyway; a room that stores events faster for long lets its webhooks fall behind and
 * catch up when it calms, in order, losing nothing.
 */
export const DELIVERY_SPACING_MS = 20;

/** Where deliveries come from: the log as it stands now. */
export interface DeliverySource {
  /** The next public event of one of `events` after seq `after`, as delivered now, or undefined. */
  next(after: number, events: readonly WebhookEventKind[]): { seq: number; event: EventFrame } | undefined;
  /** The room's latest stored seq. */
  readonly lastSeq: number;
}

/** The delay after `attempts` failed tries of one event (1 s, 2 s, 4 s, … 5 min, then 5 min forever). */
export function retryDelayMs(attempts: number): number {
  if (attempts <= 0) return 0;
  return Math.min(MAX_RETRY_DELAY_MS, FIRST_RETRY_DELAY_MS * 2 ** Math.min(attempts - 1, 30));
}

/**
 * The Standard Webhooks signature: `v1,` and the base64 HMAC-SHA256 of `id.timestamp.body`, keyed
 * with the base64-decoded part of the secret after `whsec_`. Synchronous, so that a try's body, its
 * signature and the start of its fetch happen in one turn, with nothing stored in between.
 */
export function signDelivery(secret: string, id: string, timestamp: number, body: string): string {
  const key = Uint8Array.from(atob(secret.replace(/^whsec_/, "")), (c) => c.charCodeAt(0));
  const mac = hmac(sha256, key, new TextEncoder().encode(`${id}.${timestamp}.${body}`));
  return `v1,${btoa(String.fromCharCode(...mac))}`;
}

/** A new webhook secret: `whsec_` and the base64 of 32 random bytes. */
export function newWebhookSecret(): string {
  return `whsec_${btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))}`;
}

/** The Room's webhook deliveries. */
export class WebhookDeliveries {
  readonly #store: WebhookStore;
  readonly #room: string;
  readonly #source: DeliverySource;
  readonly #arm: (at: number) => void;
  readonly #log: (what: string, err: unknown) => void;
  /** When each webhook's fetch in flight started (in this instance). */
  readonly #inFlight = new Map<string, number>();
  /** Per webhook, the seq through which nothing is owed beyond its position (private or unsubscribed events). */
  readonly #clearThrough = new Map<string, number>();
  /** When the positions moved in memory are due to be written; undefined when none are waiting. */
  #writeDueAt: number | undefined;
  /** When each webhook's last try started (in this instance), for the spacing between tries. */
  readonly #lastStart = new Map<string, number>();
  /** A short timer is set to pump again once the spacing allows (at most `DELIVERY_SPACING_MS`). */
  #pacing = false;

  /** `arm` makes the object's alarm fire no later than a time. */
  constructor(store: WebhookStore, room: string, source: DeliverySource, arm: (at: number) => void, log: (what: string, err: unknown) => void) {
    this.#store = store;
    this.#room = room;
    this.#source = source;
    this.#arm = arm;
    this.#log = log;
  }

  /** When the alarm must next look (the `webhooks` duty), or undefined when nothing is owed. */
  next(now: number): number | undefined {
    let at = this.#writeDueAt ?? Infinity;
    for (const hook of this.#store.all()) {
      const started = this.#inFlight.get(hook.id);
      if (started !== undefined) at = Math.min(at, started + WATCHDOG_MS);
      else if (hook.attempts > 0) at = Math.min(at, hook.nextTryAt);
      else if (this.#position(hook) < this.#source.lastSeq) at = Math.min(at, now);
    }
    return at === Infinity ? undefined : at;
  }

  /**
   * Starts every delivery that is due now (after a commit, from the alarm); never waits for one.
   * Writes the positions when they are due: after a commit that is in the commit's own turn.
   */
  pump(now: number): void {
    if (this.#writeDueAt !== undefined && now >= this.#writeDueAt) {
      this.#writeDueAt = undefined;
      this.#store.writePositions();
    }
    for (const hook of this.#store.all()) {
      try {
        this.#pumpOne(hook, now);
      } catch (err) {
        this.#log(`webhook ${hook.id}: delivery failed to start`, err);
      }
    }
  }

  /** A webhook was deleted: anything in flight to it is forgotten when it ends. */
  forget(id: string): void {
    this.#inFlight.delete(id);
    this.#clearThrough.delete(id);
    this.#lastStart.delete(id);
  }

  /** Everything after the position is handled, except private events and kinds not subscribed. */
  #position(hook: WebhookRecord): number {
    return Math.max(hook.afterSeq, hook.delivered, this.#clearThrough.get(hook.id) ?? 0);
  }

  #pumpOne(hook: WebhookRecord, now: number): void {
    if (this.#inFlight.has(hook.id)) return;
    if (hook.attempts > 0 && hook.nextTryAt > now) return;
    if (hook.attempts === 0 && this.#position(hook) >= this.#source.lastSeq) return;
    const allowedAt = (this.#lastStart.get(hook.id) ?? -Infinity) + DELIVERY_SPACING_MS;
    if (now < allowedAt) {
      this.#pumpLater(allowedAt - now);
      return;
    }
    const due = this.#source.next(this.#position(hook), hook.events);
    if (!due) {
      this.#clearThrough.set(hook.id, this.#source.lastSeq);
      // The event that kept failing is gone (pruned): its failures go with it.
      if (hook.attempts > 0) this.#store.delivered(hook.id, hook.delivered);
      return;
    }
    this.#send(hook, due.seq, due.event, now);
  }

  /**
   * Pumps again in `ms` (a few milliseconds: like the batch window's, the timer is too short to
   * keep the room from hibernating; if the instance goes meanwhile, the alarm's duty finds what
   * is owed).
   */
  #pumpLater(ms: number): void {
    if (this.#pacing) return;
    this.#pacing = true;
    setTimeout(() => {
      this.#pacing = false;
      this.pump(Date.now());
    }, ms);
  }

  /** One try, started in this turn; its end is handled by `#settled`, whatever happened meanwhile. */
  #send(hook: WebhookRecord, seq: number, event: EventFrame, now: number): void {
    const delivery: WebhookDelivery = { room: this.#room, event };
    const body = JSON.stringify(delivery);
    const id = `${this.#room}:${seq}`;
    const timestamp = Math.floor(now / 1_000);
    const headers = {
      "content-type": "application/json",
      "webhook-id": id,
      "webhook-timestamp": String(timestamp),
      "webhook-signature": signDelivery(hook.secret, id, timestamp, body),
    };
    this.#inFlight.set(hook.id, now);
    this.#lastStart.set(hook.id, now);
    this.#arm(now + WATCHDOG_MS);
    let delivered = false;
    // The 10 s limit is a timer cleared as soon as the try ends: `AbortSignal.timeout` would stay
    // pending for the whole 10 s after a prompt answer, and a pending timer keeps the object from
    // hibernating or being evicted (measured: an eviction waited 25 s behind a run of retries).
    const limit = new AbortController();
    const timer = setTimeout(() => limit.abort(new Error("no answer within 10 s")), DELIVERY_TIMEOUT_MS);
    // Looked up at call time, so a test's receiver in this isolate (test/support/webhook-receiver.ts) takes it.
    globalThis
      .fetch(hook.url, { method: "POST", headers, body, redirect: "manual", signal: limit.signal })
      .then(async (answer) => {
        delivered = answer.status >= 200 && answer.status < 300;
        await answer.body?.cancel();
      })
      .catch(() => undefined)
      .finally(() => {
        clearTimeout(timer);
        this.#settled(hook.id, now, seq, delivered);
      });
  }

  #settled(id: string, startedAt: number, seq: number, delivered: boolean): void {
    try {
      // Deleted meanwhile (or deleted and this try forgotten): nothing more goes to it.
      if (this.#inFlight.get(id) !== startedAt) return;
      this.#inFlight.delete(id);
      const hook = this.#store.get(id);
      if (!hook) return;
      const now = Date.now();
      if (delivered) {
        this.#store.delivered(id, seq);
        if (this.#store.positionsUnwritten && this.#writeDueAt === undefined) {
          this.#writeDueAt = now + POSITION_WRITE_MS;
          this.#arm(this.#writeDueAt);
        }
        this.#pumpOne(hook, now);
        return;
      }
      const next = now + retryDelayMs(hook.attempts + 1);
      this.#store.failed(id, startedAt, next);
      this.#arm(next);
    } catch (err) {
      this.#log(`webhook ${id}: settling a delivery failed`, err);
    }
  }
}
