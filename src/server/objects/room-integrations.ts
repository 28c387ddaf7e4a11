/**
 * The Room's side of integrations (PROTOCOL.md v3): its incoming hooks (made, listed, deleted;
 * a post judged by the core and answered once its message is stored) and its outgoing webhooks
 * (made, listed, deleted; delivered by `webhook-delivery.ts`). The Worker has checked the owner's
 * credential and read every body before calling; each call answers what the Worker sends back
 * (`IntegrationAnswer`). Hook secrets are kept only as SHA-256 hashes and compared in constant
 * time; a webhook's secret is kept as it is (the room signs with it) and shown once.
 */
import type { HookCreated, HookList, HookPost, WebhookCreated, WebhookList, WebhookRequest, WebhookState } from "@edge-chat/protocol/integrations";
import { INTEGRATION_LIMITS } from "@edge-chat/protocol/integrations";
import type { RoomCore } from "../core/room-core.ts";
import { hashOwnerKey, keyMatches, newOwnerKey } from "../identity/owner-keys.ts";
import { HookStore } from "../storage/hooks.ts";
import { WebhookStore } from "../storage/webhooks.ts";
import { WebhookDeliveries, newWebhookSecret } from "./webhook-delivery.ts";

/** What the Worker answers: a status, a JSON body (an error's code and message, or the answer), headers. */
export interface IntegrationAnswer {
  status: number;
  body?: unknown;
  error?: { code: string; message: string; retryAfterMs?: number };
}

/** A hook's or a webhook's id: 12 random bytes as 16 base64url characters. */
function newIntegrationId(): string {
  return btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(12)))).replaceAll("+", "-").replaceAll("/", "_");
}

/** A hook or webhook id as the paths carry it: 16 base64url characters. */
const ID = /^[A-Za-z0-9_-]{16}$/;

/** The Room's hooks and webhooks. */
export class RoomIntegrations {
  readonly #core: RoomCore;
  readonly #room: string;
  readonly #hooks: HookStore;
  readonly #webhooks: WebhookStore;
  readonly deliveries: WebhookDeliveries;
  /** Hook posts waiting for their seq to be stored, by seq. */
  readonly #waiting = new Map<number, ((stored: boolean) => void)[]>();
  /** The seq through which deliveries were last started after a commit. */
  #pumpedThrough: number;

  constructor(sql: SqlStorage, room: string, core: RoomCore, arm: (at: number) => void, log: (what: string, err: unknown) => void) {
    this.#core = core;
    this.#room = room;
    this.#hooks = new HookStore(sql);
    this.#webhooks = new WebhookStore(sql);
    this.#pumpedThrough = core.lastSeq;
    this.deliveries = new WebhookDeliveries(this.#webhooks, room, core.deliverySource(this.#webhooks), arm, log);
  }

  /** Webhook position rows written since the room woke (coalesced: about one a second per busy webhook). */
  get webhookRows(): number {
    return this.#webhooks.rowsWritten;
  }

  /** `POST /hooks`: a new hook; its URL (with the secret) is in this answer only. */
  createHook(name: string): IntegrationAnswer {
    if (this.#hooks.size >= INTEGRATION_LIMITS.hooks) return refusal(409, "too_many", `a room has at most ${INTEGRATION_LIMITS.hooks} hooks`);
    const id = newIntegrationId();
    const secret = newOwnerKey();
    const createdAt = Date.now();
    this.#hooks.add({ id, name, secretHash: hashOwnerKey(secret), createdAt });
    // Its user is seen from now on: it may be muted or banned before it ever posts.
    this.#core.hookCreated(id, name);
    const created: HookCreated = { hook: { id, name, url: `/api/rooms/${this.#room}/hooks/${id}/${secret}` } };
    return { status: 201, body: created };
  }

  /** `GET /hooks`: never a secret. */
  listHooks(): IntegrationAnswer {
    const list: HookList = { hooks: this.#hooks.all().map(({ id, name, createdAt }) => ({ id, name, createdAt })) };
    return { status: 200, body: list };
  }

  /** `DELETE /hooks/:id`: its URL stops working at once (its messages and its user stay). */
  deleteHook(id: string): IntegrationAnswer {
    return ID.test(id) && this.#hooks.delete(id) ? { status: 204 } : refusal(404, "not_found", "no such hook");
  }

  /**
   * A hook's post: the hook and its secret first (404 for either, so a URL reveals nothing), then
   * the body as the Worker read it, then the core's rules. Answered once the message is stored.
   */
  async post(id: string, secret: string, body: { ok: true; value: HookPost } | { ok: false; code: string; message: string }, key: string | undefined): Promise<IntegrationAnswer> {
    const hook = ID.test(id) ? this.#hooks.get(id) : undefined;
    if (!hook || !keyMatches(secret, hook.secretHash)) return refusal(404, "not_found", "no such hook");
    if (!body.ok) return refusal(400, body.code, body.message);
    const outcome = this.#core.postFromHook(hook, body.value, key);
    if (!outcome.ok) return refusal(outcome.status, outcome.code, outcome.message, outcome.retryAfterMs);
    const stored = outcome.seq <= this.#core.lastSeq || (await this.#storedLater(outcome.seq));
    return stored ? { status: 200, body: { seq: outcome.seq } } : refusal(500, "internal", "the room could not store that");
  }

  /** `POST /webhooks`: a new webhook, delivering what is stored from now on; its secret is in this answer only. */
  createWebhook(request: WebhookRequest): IntegrationAnswer {
    if (this.#webhooks.size >= INTEGRATION_LIMITS.webhooks) return refusal(409, "too_many", `a room has at most ${INTEGRATION_LIMITS.webhooks} webhooks`);
    const id = newIntegrationId();
    const secret = newWebhookSecret();
    // Events waiting for the commit are stored after it was made: they count.
    this.#webhooks.add({ id, ...request, secret, createdAt: Date.now(), afterSeq: this.#core.lastSeq, delivered: 0, attempts: 0, failingSince: null, nextTryAt: 0 });
    const created: WebhookCreated = { webhook: { id, url: request.url, events: request.events, secret } };
    return { status: 201, body: created };
  }

  /** `GET /webhooks`: each one's position and, when it fails, since when. */
  listWebhooks(): IntegrationAnswer {
    const list: WebhookList = {
      webhooks: this.#webhooks.all().map((w) => {
        const state: WebhookState = { id: w.id, url: w.url, events: w.events, delivered: w.delivered };
        if (w.failingSince !== null) state.failing = w.failingSince;
        return state;
      }),
    };
    return { status: 200, body: list };
  }

  /** `DELETE /webhooks/:id`: nothing more is sent to it, a try in flight included. */
  deleteWebhook(id: string): IntegrationAnswer {
    if (!ID.test(id) || !this.#webhooks.delete(id)) return refusal(404, "not_found", "no such webhook");
    this.deliveries.forget(id);
    return { status: 204 };
  }

  /**
   * What a turn let out was sent (after a commit, or with nothing to commit): posts whose seq is
   * stored are answered, those a failed commit lost get a 500, and new events start deliveries.
   */
  afterFlush(): void {
    const last = this.#core.lastSeq;
    if (this.#waiting.size > 0) {
      const idle = this.#core.waiting === 0;
      for (const [seq, waiters] of this.#waiting) {
        if (seq > last && !idle) continue;
        this.#waiting.delete(seq);
        for (const done of waiters) done(seq <= last);
      }
    }
    if (last > this.#pumpedThrough) {
      this.#pumpedThrough = last;
      if (this.#webhooks.size > 0) this.deliveries.pump(Date.now());
    }
  }

  #storedLater(seq: number): Promise<boolean> {
    return new Promise((resolve) => {
      const waiters = this.#waiting.get(seq) ?? [];
      waiters.push(resolve);
      this.#waiting.set(seq, waiters);
    });
  }
}

function refusal(status: number, code: string, message: string, retryAfterMs?: number): IntegrationAnswer {
  return { status, error: retryAfterMs === undefined ? { code, message } : { code, message, retryAfterMs } };
}
