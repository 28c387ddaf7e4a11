/**
 * The hook and webhook endpoints (PROTOCOL.md v3, "Owner credentials over HTTP", "Incoming hooks",
 * "Outgoing webhooks"), routed by the Worker: the owner's credential judged by `credentials.ts`
 * (the room's key hash asked of the room only when the Bearer could be its key), bodies read here,
 * so that a refused request costs the room as little as possible; everything else is the Room's
 * (`room-integrations.ts`). A hook post spends its address's `hook` budget first.
 */
import { isIdempotencyKey, readHookCreateBody, readHookPostBody } from "@edge-chat/protocol/integrations";
import { readConfig } from "../config.ts";
import { ownerCredential } from "../identity/credentials.ts";
import { hashOwnerKey } from "../identity/owner-keys.ts";
import type { IntegrationAnswer } from "../objects/room-integrations.ts";
import { spendAddressBudget } from "./address-budget.ts";
import { json, jsonError } from "./http.ts";
import { workerVerifier } from "./verifier.ts";
import { readWebhookCreateBody } from "./webhook-body.ts";

/** `/api/rooms/:room/hooks[/:id[/:secret]]` and `/api/rooms/:room/webhooks[/:id]`. */
const INTEGRATION_ROUTE = /^\/api\/rooms\/([^/]*)\/(hooks|webhooks)(?:\/([^/]+))?(?:\/([^/]+))?$/;

/** A body larger than this cannot hold a valid post or registration. */
const BODY_MAX_BYTES = 65_536;

/** A matched integration path: the room (not yet validated), the family, the id and secret if any. */
export interface IntegrationPath {
  room: string;
  family: "hooks" | "webhooks";
  id?: string;
  secret?: string;
}

/** Matches an integration path, or undefined (a secret only follows a hook's id). */
export function matchIntegrationPath(pathname: string): IntegrationPath | undefined {
  const match = INTEGRATION_ROUTE.exec(pathname);
  if (!match) return undefined;
  const [, room = "", family, id, secret] = match;
  if (secret !== undefined && family !== "hooks") return undefined;
  const path: IntegrationPath = { room, family: family as IntegrationPath["family"] };
  if (id !== undefined) path.id = id;
  if (secret !== undefined) path.secret = secret;
  return path;
}

/** Handles an integration request whose room name is valid. */
export async function integrationRequest(request: Request, env: Env, path: IntegrationPath): Promise<Response> {
  const { room, family, id, secret } = path;
  const stub = env.ROOMS.getByName(room);
  if (secret !== undefined) {
    if (request.method !== "POST") return methodNotAllowed("POST");
    const spent = await spendAddressBudget(request, env, "hook");
    if (spent) return spent;
    const key = request.headers.get("Idempotency-Key") ?? undefined;
    const text = await bodyText(request);
    const body =
      key !== undefined && !isIdempotencyKey(key)
        ? { ok: false as const, code: "bad_body", message: "Idempotency-Key must be 1–64 characters" }
        : text === undefined
          ? { ok: false as const, code: "bad_body", message: "the body is over 64 KiB" }
          : readHookPostBody(text);
    return answer(room, () => stub.postFromHook(id!, secret, body, key));
  }

  const allowed = id === undefined ? "GET, POST" : "DELETE";
  if (!allowed.split(", ").includes(request.method)) return methodNotAllowed(allowed);
  const spent = await spendAddressBudget(request, env, "read");
  if (spent) return spent;
  const adminKey = readConfig(env).adminKey;
  let owner;
  try {
    owner = await ownerCredential(request.headers, room, workerVerifier(env), adminKey === undefined ? undefined : hashOwnerKey(adminKey), () => stub.ownerKeyHash());
  } catch (err) {
    console.error(`room ${room}: owner check failed:`, err);
    return jsonError(500, "internal", "the room could not answer");
  }
  if (!owner.ok) return jsonError(owner.status, owner.code, owner.message);

  if (id !== undefined) return answer(room, () => (family === "hooks" ? stub.deleteHook(id) : stub.deleteWebhook(id)));
  if (request.method === "GET") return answer(room, () => (family === "hooks" ? stub.listHooks() : stub.listWebhooks()));
  const text = await bodyText(request);
  if (text === undefined) return jsonError(400, "bad_body", "the body is over 64 KiB");
  if (family === "hooks") {
    const body = readHookCreateBody(text);
    if (!body.ok) return jsonError(400, body.code, body.message);
    return answer(room, () => stub.createHook(body.value.name));
  }
  const body = readWebhookCreateBody(text);
  if (!body.ok) return jsonError(400, body.code, body.message);
  return answer(room, () => stub.createWebhook(body.value));
}

/** The request's body as text, or undefined when it is over the limit. */
async function bodyText(request: Request): Promise<string | undefined> {
  const declared = Number(request.headers.get("Content-Length") ?? "0");
  if (declared > BODY_MAX_BYTES) return undefined;
  const bytes = new Uint8Array(await request.arrayBuffer());
  return bytes.byteLength > BODY_MAX_BYTES ? undefined : new TextDecoder().decode(bytes);
}

/** Calls the room and turns its answer into the response; a failure is a JSON 500 (logged). */
async function answer(room: string, call: () => Promise<IntegrationAnswer> | IntegrationAnswer): Promise<Response> {
  let got: IntegrationAnswer;
  try {
    got = await call();
  } catch (err) {
    console.error(`room ${room}: integration request failed:`, err);
    return jsonError(500, "internal", "the room could not answer");
  }
  if (got.error) {
    const { code, message, retryAfterMs } = got.error;
    if (retryAfterMs === undefined) return jsonError(got.status, code, message);
    // A refusal that says when to come back says it in the body and, for 429, in Retry-After.
    const headers: Record<string, string> = { "Cache-Control": "no-store" };
    if (got.status === 429) headers["Retry-After"] = String(Math.ceil(retryAfterMs / 1_000));
    return Response.json({ error: { code, message, retryAfterMs } }, { status: got.status, headers });
  }
  return got.body === undefined ? new Response(null, { status: got.status }) : json(got.body, got.status);
}

function methodNotAllowed(allow: string): Response {
  return jsonError(405, "method_not_allowed", `use ${allow}`, { Allow: allow });
}
