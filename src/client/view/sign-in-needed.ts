/**
 * What the page says about signing in: the one plain panel of a deployment that lets only signed-in
 * users in while this page has no way to sign anyone in (AUTH_REQUIRED without AUTH_TOKEN_URL,
 * Cloudflare Access or an embedding page). The words for a token endpoint that gave no token are
 * in ../sign-in/sign-in-problem.ts.
 */
import { byId } from "./dom.ts";

/** Shows the sign-in panel in place of any room or start page; nothing connects. */
export function showSignInNeeded(): void {
  byId("signin-needed", HTMLElement).hidden = false;
  document.title = "Sign-in needed · edge-chat";
}
