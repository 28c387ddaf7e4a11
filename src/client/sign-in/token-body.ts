/**
 * The answer of the host application's token endpoint (AUTH_TOKEN_URL): the signed-in user's signed
 * token, as the body itself or as JSON `{"token": "..."}`; and why there was none. No DOM here.
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
