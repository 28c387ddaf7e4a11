/**
 * The host application's token endpoint (AUTH_TOKEN_URL), fetched with the user's cookies; its
 * answer is read in token-body.ts.
 */
import { TokenUrlError, tokenInBody } from "./token-body.ts";

/** Fetches a fresh token from `url` with the user's cookies (the endpoint must allow this page's origin with credentials). */
export async function fetchToken(url: string): Promise<string> {
  let response: Response;
  try {
    // A simple request (no custom header): no preflight. The endpoint sends its own Cache-Control.
    response = await fetch(url, { credentials: "include" });
  } catch {
    throw new TokenUrlError(0, "the token endpoint could not be reached");
  }
  if (!response.ok) throw new TokenUrlError(response.status, `the token endpoint answered ${response.status}`);
  return tokenInBody(await response.text());
}
