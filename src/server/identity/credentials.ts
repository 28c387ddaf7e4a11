/**
 * Credentials over HTTP (PROTOCOL.md v3), read and judged in one place for every endpoint that
 * takes them: `Authorization: Bearer <credential>`, the credential being an anonymous token (as in
 * `hello.token`) or a signed token (it contains two `.`), or, with no Authorization header, a
 * `Cf-Access-Jwt-Assertion`. The Worker judges them before it calls a room (router.ts), so a bad
 * credential costs no Durable Object. `ownerCredential` is the owner's credential of the hook and
 * webhook endpoints: the room's owner key, ADMIN_KEY, or a signed token with role owner that may
 * enter the room.
 */
import { TOKEN } from "@edge-chat/protocol";
import type { AuthConfig } from "../config.ts";
import { mayEnter, type SignedIdentity } from "./claims.ts";
import { keyMatches } from "./owner-keys.ts";
import type { TokenVerifier } from "./signed-tokens.ts";
import { userIdFromToken } from "./user-id.ts";

/** A credential as a request carries it, before verification. */
export type PresentedCredential =
  | { kind: "none" }
  | { kind: "anonymous"; token: string }
  | { kind: "signed"; token: string }
  /** An Authorization header that is not `Bearer`, or a value neither token-shaped nor signed. */
  | { kind: "malformed" };

/** An HTTP refusal: the status and the error body's code and message. */
export interface CredentialRefusal {
  ok: false;
  status: 401 | 403;
  code: "unauthorized" | "forbidden";
  message: string;
}

/** Whose answer a request gets: `viewer` is the user's id (absent: the public answer of v2). */
export type HttpViewer = { ok: true; viewer?: string; identity?: SignedIdentity } | CredentialRefusal;

/** An owner's credential judged: who is acting, or why not. */
export type OwnerCredential = { ok: true; as: "admin" | "owner-key" | "signed-owner"; id?: string } | CredentialRefusal;

const ACCESS_HEADER = "Cf-Access-Jwt-Assertion";

/** Reads the credential a request presents. */
export function presentedCredential(headers: Headers): PresentedCredential {
  const authorization = headers.get("Authorization");
  if (authorization === null) {
    const access = headers.get(ACCESS_HEADER);
    return access === null ? { kind: "none" } : { kind: "signed", token: access };
  }
  const value = /^Bearer +(\S+)\s*$/.exec(authorization)?.[1];
  if (value === undefined) return { kind: "malformed" };
  if (value.split(".").length === 3) return { kind: "signed", token: value };
  return TOKEN.test(value) ? { kind: "anonymous", token: value } : { kind: "malformed" };
}

/**
 * The user a read endpoint answers for (room info, messages, search): none without a credential
 * (the public answer), the anonymous token's id, or a signed token's `sub`. A credential present and
 * invalid is 401, a signed token whose `rooms` leave the room out 403; under AUTH_REQUIRED anything
 * but a valid signed token is 401.
 */
export async function httpViewer(headers: Headers, room: string, verifier: TokenVerifier, auth: Pick<AuthConfig, "required">): Promise<HttpViewer> {
  const presented = presentedCredential(headers);
  switch (presented.kind) {
    case "none":
      return auth.required ? unauthorized("this deployment answers signed identities only") : { ok: true };
    case "malformed":
      return unauthorized("the Authorization header must be Bearer with a token or a signed token");
    case "anonymous":
      if (auth.required) return unauthorized("this deployment answers signed identities only");
      return { ok: true, viewer: userIdFromToken(presented.token) };
    case "signed": {
      const verified = await verifier.verify(presented.token);
      if (!verified.ok) return unauthorized(`the signed token was refused: ${verified.reason}`);
      if (!mayEnter(verified.identity, room)) return forbidden("the signed token may not enter this room");
      return { ok: true, viewer: verified.identity.sub, identity: verified.identity };
    }
  }
}

/**
 * An owner's credential for `room` (PROTOCOL.md v3, "Owner credentials over HTTP"): ADMIN_KEY, the
 * room's owner key (its hash asked for only when needed: `roomKeyHash` is a call into the room), or
 * a signed token with `role: "owner"` that may enter the room. 401 without a credential, or with one
 * that is neither token-shaped nor a valid signed token; any other valid credential is a member's: 403.
 */
export async function ownerCredential(
  headers: Headers,
  room: string,
  verifier: TokenVerifier,
  adminKeyHash: string | undefined,
  roomKeyHash: () => Promise<string | undefined>,
): Promise<OwnerCredential> {
  const presented = presentedCredential(headers);
  if (presented.kind === "none" || presented.kind === "malformed") {
    // ADMIN_KEY may be any string: it is compared before the shape is judged.
    const raw = /^Bearer +(\S+)\s*$/.exec(headers.get("Authorization") ?? "")?.[1];
    if (raw !== undefined && keyMatches(raw, adminKeyHash)) return { ok: true, as: "admin" };
    return unauthorized("an owner's credential is needed: Authorization: Bearer <owner key, ADMIN_KEY or signed token>");
  }
  if (presented.kind === "signed") {
    const verified = await verifier.verify(presented.token);
    if (!verified.ok) return unauthorized(`the signed token was refused: ${verified.reason}`);
    if (!mayEnter(verified.identity, room) || verified.identity.role !== "owner") return forbidden("that token is not an owner's of this room");
    return { ok: true, as: "signed-owner", id: verified.identity.sub };
  }
  if (keyMatches(presented.token, adminKeyHash)) return { ok: true, as: "admin" };
  if (keyMatches(presented.token, await roomKeyHash())) return { ok: true, as: "owner-key" };
  return forbidden("that credential is not an owner's of this room");
}

function unauthorized(message: string): CredentialRefusal {
  return { ok: false, status: 401, code: "unauthorized", message };
}

function forbidden(message: string): CredentialRefusal {
  return { ok: false, status: 403, code: "forbidden", message };
}
