/**
 * The host application's token endpoint (AUTH_TOKEN_URL): fetched with the user's cookies, it
 * answers the signed-in user's signed token, as the body itself or as JSON `{"token": "..."}`.
 */

/** A compact JWS: three base64url parts (the room verifies it; this only keeps other answers out). */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** Why the endpoint gave no token: its HTTP status (401 or 403: the user is not signed in there), or 0 when unreachable. */
export class TokenUrlError extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.name = "TokenUrlError";
    this.status = status;
  }
}

/** The token in an answer's body: plain text, or JSON with a string `token`; throws when there is none. */
export function tokenInBody(body: string): string {
  const text = body.trim();
  let token = text;
  if (text.startsWith("{")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new TokenUrlError(200, "the token endpoint answered malformed JSON");
    }
    const field = (parsed as { token?: unknown }).token;
    if (typeof field !== "string") throw new TokenUrlError(200, 'the token endpoint answered JSON without a string "token"');
    token = field.trim();
  }
  if (!COMPACT_JWS.test(token)) throw new TokenUrlError(200, "the token endpoint answered something that is not a signed token");
  return token;
}

/** Fetches a fresh token from `url` with the user's cookies (the endpoint must allow this page's origin with credentials). */
export async function fetchToken(url: string): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, { credentials: "include", cache: "no-store", headers: { Accept: "application/json, text/plain" } });
  } catch {
    throw new TokenUrlError(0, "the token endpoint could not be reached");
  }
  if (!response.ok) throw new TokenUrlError(response.status, `the token endpoint answered ${response.status}`);
  return tokenInBody(await response.text());
}
