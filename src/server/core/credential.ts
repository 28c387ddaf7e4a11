/**
 * What the object holding a socket found of the credential of a `hello` or an `auth` frame, handed
 * to the core with the frame: verifying a signed token is asynchronous (WebCrypto, maybe a key set
 * fetch), so the object verifies first and the core judges synchronously, in one turn, as it does
 * every frame (docs/AUTH.md, "Where tokens are verified"). An anonymous `token` needs no such step.
 */
import type { SignedIdentity } from "../identity/claims.ts";

/** A verified (or refused) signed credential. */
export type Credential =
  /** The token verified; `mayEnter` is false when its `rooms` leave this room out. */
  | { kind: "signed"; identity: SignedIdentity; mayEnter: boolean }
  /** It did not verify (or none came where one was needed). */
  | { kind: "refused"; message: string };
