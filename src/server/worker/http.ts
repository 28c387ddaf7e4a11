/** JSON responses of the HTTP API, errors in the protocol's `{"error": {code, message}}` shape. */
import type { HttpErrorBody } from "@edge-chat/protocol";

/** A JSON response. */
export function json(body: unknown, status = 200, headers?: HeadersInit): Response {
  return Response.json(body, { status, headers: { "Cache-Control": "no-store", ...headers } });
}

/** A JSON error response. */
export function jsonError(status: number, code: string, message: string, headers?: HeadersInit): Response {
  const body: HttpErrorBody = { error: { code, message } };
  return json(body, status, headers);
}
