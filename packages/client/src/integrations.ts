/**
 * A room's integrations over HTTP (protocol v3): its incoming hooks and outgoing webhooks, made,
 * listed and deleted with an owner's credential (the room's owner key, ADMIN_KEY, or a signed
 * owner token), and a post to a hook's URL. Every answer is checked before it is returned: a
 * refusal becomes an `IntegrationError` with the protocol's code and HTTP status.
 */
import { RoomHttpError } from "./http-error.ts";
import type { HookCreated, HookList, HookPosted, WebhookCreated, WebhookEventKind, WebhookList } from "@edge-chat/protocol/integrations";

/** What `fetch` must do for this module (the runtime's own is used when none is given). */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
) => Promise<{ status: number; text(): Promise<string> }>;

/** A refused request: the HTTP status, the protocol's error code, and `retryAfterMs` when it said one. */
export class IntegrationError extends RoomHttpError {
  constructor(status: number, code: string, message: string, retryAfterMs?: number) {
    super(status, code, message, retryAfterMs);
    this.name = "IntegrationError";
  }
}

/** One room's hooks and webhooks, for its owner. `origin` is the chat's origin (https://chat.example.com). */
export class Integrations {
  readonly #base: string;
  readonly #credential: string;
  readonly #fetch: FetchLike;

  constructor(origin: string, room: string, credential: string, fetcher: FetchLike = (url, init) => fetch(url, init)) {
    this.#base = `${origin.replace(/\/+$/, "")}/api/rooms/${room}`;
    this.#credential = credential;
    this.#fetch = fetcher;
  }

  /** Makes a hook; its `url` (a path holding the secret) is shown this once. */
  async createHook(name: string): Promise<HookCreated["hook"]> {
    return (await this.#call<HookCreated>("POST", "/hooks", { name })).hook;
  }

  /** The room's hooks (never a secret). */
  async hooks(): Promise<HookList["hooks"]> {
    return (await this.#call<HookList>("GET", "/hooks")).hooks;
  }

  /** Deletes a hook: its URL stops working at once. */
  async deleteHook(id: string): Promise<void> {
    await this.#call("DELETE", `/hooks/${encodeURIComponent(id)}`);
  }

  /** Registers a webhook (all four kinds when `events` is left out); its `secret` is shown this once. */
  async createWebhook(url: string, events?: WebhookEventKind[]): Promise<WebhookCreated["webhook"]> {
    return (await this.#call<WebhookCreated>("POST", "/webhooks", events === undefined ? { url } : { url, events })).webhook;
  }

  /** The room's webhooks, each with `delivered` and, while it fails, `failing`. */
  async webhooks(): Promise<WebhookList["webhooks"]> {
    return (await this.#call<WebhookList>("GET", "/webhooks")).webhooks;
  }

  /** Deletes a webhook: nothing more is sent to it. */
  async deleteWebhook(id: string): Promise<void> {
    await this.#call("DELETE", `/webhooks/${encodeURIComponent(id)}`);
  }

  async #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Authorization: `Bearer ${this.#credential}` };
    if (body !== undefined) headers["content-type"] = "application/json";
    return answer<T>(await this.#fetch(`${this.#base}${path}`, body === undefined ? { method, headers } : { method, headers, body: JSON.stringify(body) }));
  }
}

/**
 * Posts to a hook's URL (absolute, or a path joined to `origin`): Slack's `text` (with an optional
 * `username`), stored once per `idempotencyKey` when one is given. Resolves with the stored seq.
 */
export async function postToHook(
  url: string,
  post: { text: string; username?: string },
  options: { origin?: string; idempotencyKey?: string; fetcher?: FetchLike } = {},
): Promise<number> {
  const target = url.startsWith("/") && options.origin ? `${options.origin.replace(/\/+$/, "")}${url}` : url;
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (options.idempotencyKey !== undefined) headers["Idempotency-Key"] = options.idempotencyKey;
  const send = options.fetcher ?? ((u, init) => fetch(u, init));
  return (await answer<HookPosted>(await send(target, { method: "POST", headers, body: JSON.stringify(post) }))).seq;
}

/** The JSON of a 2xx answer (undefined for 204), or the refusal as an `IntegrationError`. */
async function answer<T>(response: { status: number; text(): Promise<string> }): Promise<T> {
  const text = await response.text();
  let body: unknown;
  try {
    body = text === "" ? undefined : JSON.parse(text);
  } catch {
    throw new IntegrationError(response.status, "bad_answer", `the server answered ${response.status} with no JSON`);
  }
  if (response.status >= 200 && response.status < 300) return body as T;
  const error = (body as { error?: { code?: unknown; message?: unknown; retryAfterMs?: unknown } } | undefined)?.error;
  throw new IntegrationError(
    response.status,
    typeof error?.code === "string" ? error.code : "http_error",
    typeof error?.message === "string" ? error.message : `the server answered ${response.status}`,
    typeof error?.retryAfterMs === "number" ? error.retryAfterMs : undefined,
  );
}
