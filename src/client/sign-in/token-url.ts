/**
 * The host application's token endpoint (AUTH_TOKEN_URL), fetched with the user's cookies; its
 * answer is read in token-body.ts.
 */
import { TokenUrlError, tokenInBody } from "./token-body.ts";

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
