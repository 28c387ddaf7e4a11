/**
 * What the page says about signing in: the one plain panel of a deployment that lets only signed-in
 * users in while this page has no way to sign anyone in (AUTH_REQUIRED without AUTH_TOKEN_URL,
 * Cloudflare Access or an embedding page), and the words for a token endpoint that gave no token.
 */
import { TokenUrlError } from "../sign-in/token-body.ts";
import { byId } from "./dom.ts";

/** Shows the sign-in panel in place of any room or start page; nothing connects. */
export function showSignInNeeded(): void {
  byId("signin-needed", HTMLElement).hidden = false;
  document.title = "Sign-in needed · edge-chat";
}

/** A sentence for a failure to get a signed token, to show while the page keeps trying. */
export function signInProblem(error: unknown): string {
  if (error instanceof TokenUrlError && (error.status === 401 || error.status === 403)) {
    return "You are not signed in to the application this chat belongs to. Sign in there; this page connects by itself once you are.";
  }
  const detail = error instanceof Error ? error.message : String(error);
  return `Could not get your sign-in (${detail}). Trying again…`;
}
