/**
 * The body of `POST /api/rooms/:room/webhooks` (PROTOCOL.md v3, "Outgoing webhooks"): where a
 * room may send its events, and which kinds. Read in the Worker, so a bad body costs no Durable
 * Object.
 */
import { INTEGRATION_LIMITS, WEBHOOK_EVENTS, type BodyRead, type WebhookEventKind, type WebhookRequest } from "@edge-chat/protocol/integrations";

/** Hosts an `http:` webhook may name: the machine itself, for local development. */
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** True when a webhook may be sent to `url`: `https:`, or `http:` to a loopback host; no user or password in it. */
export function isWebhookUrl(url: string): boolean {
  if (url.length > INTEGRATION_LIMITS.urlMax || !URL.canParse(url)) return false;
  const parsed = new URL(url);
  if (parsed.username !== "" || parsed.password !== "") return false;
  if (parsed.protocol === "https:") return parsed.hostname !== "";
  return parsed.protocol === "http:" && LOOPBACK_HOSTS.has(parsed.hostname);
}

/**
 * Reads the body: a `url` (see `isWebhookUrl`) and optional `events`, a non-empty subset of the
 * four kinds (all four when absent), compared as a set and listed in the order of `WEBHOOK_EVENTS`.
 */
export function readWebhookCreateBody(text: string): BodyRead<WebhookRequest> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return badBody("the body must be a JSON object with a url");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) return badBody("the body must be a JSON object with a url");
  const { url, events } = body as { url?: unknown; events?: unknown };
  if (typeof url !== "string" || !isWebhookUrl(url)) return badBody("url must be https:, or http: to 127.0.0.1, localhost or [::1]");
  if (events === undefined) return { ok: true, value: { url, events: [...WEBHOOK_EVENTS] } };
  if (!Array.isArray(events) || events.length === 0) return badBody("events must be a non-empty list of message, edit, delete, react");
  if (!events.every((e): e is WebhookEventKind => typeof e === "string" && (WEBHOOK_EVENTS as readonly string[]).includes(e))) {
    return badBody("events may name message, edit, delete and react only");
  }
  return { ok: true, value: { url, events: WEBHOOK_EVENTS.filter((kind) => events.includes(kind)) } };
}

function badBody(message: string): { ok: false; code: "bad_body"; message: string } {
  return { ok: false, code: "bad_body", message };
}
