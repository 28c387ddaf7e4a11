/**
 * `GET /api/rooms/:room/search?q=&before=&limit=` (PROTOCOL.md v3 "Search"): the same pages as the
 * `search` frame, for public messages, or for the user of a valid credential (credentials.ts). A
 * missing, empty or bad `q`, `before` or `limit` is 400 `bad_query`, judged before any Durable
 * Object is touched; then the address's read budget, then the credential, as for `/messages`.
 */
import { parseSearchQuery } from "@edge-chat/protocol/search";
import { readConfig } from "../config.ts";
import { httpViewer } from "../identity/credentials.ts";
import { spendAddressBudget } from "./address-budget.ts";
import { json, jsonError } from "./http.ts";
import { workerVerifier } from "./verifier.ts";

/** Answers a search request for `room` (a valid name); `call` wraps the room call (a failure: 500). */
export async function searchRoute(request: Request, env: Env, room: string, call: (fn: () => Promise<Response>) => Promise<Response>): Promise<Response> {
  const query = parseSearchQuery(new URL(request.url).searchParams);
  if (!query.ok) return jsonError(400, "bad_query", query.message);
  const spent = await spendAddressBudget(request, env, "read");
  if (spent) return spent;
  const who = await httpViewer(request.headers, room, workerVerifier(env), readConfig(env).auth);
  if (!who.ok) return jsonError(who.status, who.code, who.message);
  return call(async () => json(await env.ROOMS.getByName(room).searchPage(who.viewer ?? null, query.terms, query.limit, query.before)));
}
