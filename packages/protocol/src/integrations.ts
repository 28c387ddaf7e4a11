/**
 * Integrations over HTTP (PROTOCOL.md v3, "Incoming hooks" and "Outgoing webhooks"): the shapes of
 * the hook and webhook endpoints' answers, the body a webhook receiver gets, and the readers of
 * the request bodies, shared by the Worker, the page and the tests. A hook post's text follows the
 * rules of a `say` exactly: it is judged by the same decoder.
 */
import * as v from "valibot";
import type { EventFrame } from "./protocol.ts";
import { NameSchema, validateClientFrame } from "./validate.ts";

/** The limits of integrations. */
export const INTEGRATION_LIMITS = {
  /** Incoming hooks a room holds at most. */
  hooks: 20,
  /** Outgoing webhooks a room holds at most. */
  webhooks: 10,
  /** An `Idempotency-Key` header: 1–64 characters. */
  idempotencyKeyMax: 64,
  /** A webhook URL's length (our reading: a URL longer than this is a bad body). */
  urlMax: 2_048,
} as const;

/** The kinds of events a webhook may subscribe to, in the order they are listed. */
export const WEBHOOK_EVENTS = ["message", "edit", "delete", "react"] as const;

/** One kind of event a webhook delivers. */
export type WebhookEventKind = (typeof WEBHOOK_EVENTS)[number];

/** A hook's user id: `hook:` and the hook's id. */
export const HOOK_USER_PREFIX = "hook:";

/** `POST /api/rooms/:room/hooks` → 201: the URL carries the secret, shown this once. */
export interface HookCreated {
  hook: { id: string; name: string; url: string };
}

/** `GET /api/rooms/:room/hooks` → 200: never a secret. */
export interface HookList {
  hooks: { id: string; name: string; createdAt: number }[];
}

/** `POST /api/rooms/:room/hooks/:id/:secret` → 200 once the message is stored. */
export interface HookPosted {
  seq: number;
}

/** `POST /api/rooms/:room/webhooks` → 201: the secret is shown this once. */
export interface WebhookCreated {
  webhook: { id: string; url: string; events: WebhookEventKind[]; secret: string };
}

/** One webhook as `GET /api/rooms/:room/webhooks` lists it. */
export interface WebhookState {
  id: string;
  url: string;
  events: WebhookEventKind[];
  /** The last seq delivered (0 at first). */
  delivered: number;
  /** When (ms since the epoch) the first failed try of the event now due was made; absent when none fails. */
  failing?: number;
}

/** `GET /api/rooms/:room/webhooks` → 200. */
export interface WebhookList {
  webhooks: WebhookState[];
}

/** The JSON body of one webhook delivery: the room and the event as a member sees it live. */
export interface WebhookDelivery {
  room: string;
  event: EventFrame;
}

/** A body read: its value, or the HTTP error it deserves. */
export type BodyRead<T> = { ok: true; value: T } | { ok: false; code: "bad_body" | "bad_message" | "too_long"; message: string };

/** A hook post's message: its text (trimmed, as a `say` stores it) and the name to show, if given. */
export interface HookPost {
  text: string;
  username?: string;
}

/** A webhook's registration. */
export interface WebhookRequest {
  url: string;
  events: WebhookEventKind[];
}

const badBody = (message: string): { ok: false; code: "bad_body"; message: string } => ({ ok: false, code: "bad_body", message });

/** Parses a request body as a JSON object, or undefined. */
function jsonObject(text: string): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** Reads `POST /api/rooms/:room/hooks`: `{"name": "<a valid name>"}`; the name comes back trimmed. */
export function readHookCreateBody(text: string): BodyRead<{ name: string }> {
  const body = jsonObject(text);
  if (!body) return badBody("the body must be a JSON object with a name");
  const name = v.safeParse(NameSchema, body.name);
  if (!name.success) return badBody(`name: ${name.issues[0].message}`);
  return { ok: true, value: { name: name.output } };
}

/**
 * Reads a hook post: Slack's `{"text": ...}` or Discord's `{"content": ...}` (text wins when both
 * are there), with an optional `username`. Not JSON, neither field, a field that is not a string,
 * or a username that is not a valid name: `bad_body`; the text itself is judged as a `say`'s
 * (`bad_message` when empty, `too_long` past 2,000 code points).
 */
export function readHookPostBody(text: string): BodyRead<HookPost> {
  const body = jsonObject(text);
  if (!body) return badBody("the body must be a JSON object with text (Slack) or content (Discord)");
  const raw = body.text !== undefined ? body.text : body.content;
  if (raw === undefined) return badBody("the body needs text (Slack) or content (Discord)");
  if (typeof raw !== "string") return badBody("text and content must be strings");
  let username: string | undefined;
  if (body.username !== undefined) {
    const name = v.safeParse(NameSchema, body.username);
    if (!name.success) return badBody(`username: ${name.issues[0].message}`);
    username = name.output;
  }
  // The same decoder as a socket's `say`, so a hook's text can never be judged otherwise.
  const said = validateClientFrame({ type: "say", id: "hook", text: raw });
  if (!said.ok) return { ok: false, code: said.code === "too_long" ? "too_long" : "bad_message", message: said.message };
  if (said.frame.type !== "say") return badBody("unreadable text");
  const post: HookPost = { text: said.frame.text };
  if (username !== undefined) post.username = username;
  return { ok: true, value: post };
}

/** True when an `Idempotency-Key` header value is usable as a message's client id (1–64 characters). */
export function isIdempotencyKey(key: string): boolean {
  return key.length >= 1 && key.length <= INTEGRATION_LIMITS.idempotencyKeyMax && key.isWellFormed();
}
