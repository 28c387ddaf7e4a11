/** What the page says when the host application's token endpoint gives it no token. */
import { TokenUrlError } from "./token-body.ts";

/** A sentence for a failure to get a signed token, to show while the page keeps trying. */
export function signInProblem(error: unknown): string {
  if (error instanceof TokenUrlError && (error.status === 401 || error.status === 403)) {
    return "You are not signed in to the application this chat belongs to. Sign in there; this page connects by itself once you are.";
  }
  const detail = error instanceof Error ? error.message : String(error);
  return `Could not get your sign-in (${detail}). Trying again…`;
}
