/**
 * Hooks and webhooks for the workerd tests: a room with an owner, its hooks and webhooks made over
 * the real Worker, and posts to a hook's URL, each answer's status and JSON body returned together.
 */
import type { HookCreated, WebhookCreated, WebhookList } from "@edge-chat/protocol/integrations";
import { expect } from "vitest";
import { roomName, workerFetch } from "./room-client.ts";

/** A status and its JSON body (undefined when there is none). */
export interface Answer<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

/** Sends a request to the Worker and reads its answer. */
export async function call<T = Record<string, unknown>>(path: string, init: RequestInit = {}): Promise<Answer<T>> {
  const response = await workerFetch(path, init);
  const text = await response.text();
  return { status: response.status, body: (text === "" ? undefined : JSON.parse(text)) as T, headers: response.headers };
}

/** A named room made by `POST /api/rooms`, with its owner key. */
export async function ownedRoom(label: string): Promise<{ room: string; ownerKey: string }> {
  const made = await call<{ room: string; ownerKey: string }>("/api/rooms", { method: "POST", body: JSON.stringify({ name: roomName(label) }) });
  expect(made.status).toBe(201);
  return made.body;
}

/** The Authorization header of a Bearer credential. */
export function bearer(credential: string): Record<string, string> {
  return { Authorization: `Bearer ${credential}` };
}

/** Makes a hook with the owner's key; returns it with its secret URL. */
export async function makeHook(room: string, ownerKey: string, name = "alerts"): Promise<HookCreated["hook"]> {
  const made = await call<HookCreated>(`/api/rooms/${room}/hooks`, { method: "POST", headers: bearer(ownerKey), body: JSON.stringify({ name }) });
  expect(made.status).toBe(201);
  return made.body.hook;
}

/** POSTs a body (an object is JSON-encoded) to a hook's URL. */
export function postToHook(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  return call(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) });
}

/** Makes a webhook with the owner's key. */
export async function makeWebhook(room: string, ownerKey: string, url: string, events?: string[]): Promise<WebhookCreated["webhook"]> {
  const made = await call<WebhookCreated>(`/api/rooms/${room}/webhooks`, {
    method: "POST",
    headers: bearer(ownerKey),
    body: JSON.stringify(events === undefined ? { url } : { url, events }),
  });
  expect(made.status).toBe(201);
  return made.body.webhook;
}

/** The room's webhooks as `GET /webhooks` lists them. */
export async function webhooksOf(room: string, ownerKey: string): Promise<WebhookList["webhooks"]> {
  const listed = await call<WebhookList>(`/api/rooms/${room}/webhooks`, { headers: bearer(ownerKey) });
  expect(listed.status).toBe(200);
  return listed.body.webhooks;
}
