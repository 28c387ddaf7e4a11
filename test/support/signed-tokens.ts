/**
 * Signed tokens for the workerd tests, made with `jose` as a host application would: HS256 with a
 * key of the test deployment's AUTH_SECRET, or RS256/ES256/EdDSA with a private key of the test
 * identity provider (test-issuer.ts), whose public set the rooms fetch. Each token carries the
 * issuer and audience the test deployment requires, and lives an hour, unless a test says otherwise.
 */
import { env } from "cloudflare:workers";
import { SignJWT, importJWK, type JWTPayload } from "jose";
import type { TestKeys } from "./test-issuer.ts";

const TEST_SECRETS = "first-hs256-key-of-the-test-deployment,second-hs256-key-of-the-test-deployment".split(",");
const ISSUER = "https://issuer.test/";
const AUDIENCE = "edge-chat-tests";

/** How a test token is signed. */
export interface SignWith {
  /** A key of the test provider's set (default: HS256 with the first key of AUTH_SECRET). */
  key?: keyof TestKeys;
  /** An HS256 key of one's own (a key the deployment does not know, say). */
  secret?: string;
  /** The `kid` to name (default: the key's own); null names none. */
  kid?: string | null;
  /** The header's `alg` when it must differ from the key's. */
  alg?: string;
}

/** The test provider's private keys. */
export function testKeys(): TestKeys {
  return JSON.parse((env as unknown as { TEST_ISSUER_KEYS: string }).TEST_ISSUER_KEYS) as TestKeys;
}

/** Seconds since the epoch, now. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/**
 * A compact JWS over `claims`: `iss`, `aud` and an `exp` an hour away are added unless given (a key
 * given as undefined is left out).
 */
export async function signToken(claims: JWTPayload, how: SignWith = {}): Promise<string> {
  const payload: JWTPayload = { iss: ISSUER, aud: AUDIENCE, exp: nowSeconds() + 3600, ...claims };
  for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
  if (how.key) {
    const jwk = testKeys()[how.key];
    const header: { alg: string; kid?: string } = { alg: how.alg ?? jwk.alg };
    if (how.kid !== null) header.kid = how.kid ?? jwk.kid;
    return new SignJWT(payload).setProtectedHeader(header).sign(await importJWK(jwk, jwk.alg));
  }
  const header: { alg: string; kid?: string } = { alg: how.alg ?? "HS256" };
  if (how.kid) header.kid = how.kid;
  return new SignJWT(payload).setProtectedHeader(header).sign(new TextEncoder().encode(how.secret ?? TEST_SECRETS[0]!));
}

/** The second key of AUTH_SECRET (the one a rotation adds). */
export const SECOND_SECRET = TEST_SECRETS[1]!;

/** An unsecured token (`alg: none`), which no room may accept. */
export function unsecuredToken(claims: JWTPayload): string {
  const part = (value: object) => btoa(JSON.stringify(value)).replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "");
  return `${part({ alg: "none" })}.${part({ iss: ISSUER, aud: AUDIENCE, exp: nowSeconds() + 3600, ...claims })}.`;
}
