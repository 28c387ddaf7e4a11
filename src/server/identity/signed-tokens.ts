/**
 * Verification of signed tokens (PROTOCOL.md v3, "Signed identity") with the `jose` library: an
 * HS256 token against the keys of AUTH_SECRET (imported once per verifier), an RS256, ES256 or
 * EdDSA token against the key set of AUTH_JWKS_URL (kept per verifier by `createRemoteJWKSet`,
 * fetched through `jwks-fetch.ts`). Each family is pinned to its own keys: an HS256 token is never
 * checked against a key of the set, nor the reverse, and `none` or any other `alg` is refused.
 * `exp` is required; `exp`, `nbf` and `iat` get 60 s of leeway; `iss` and `aud` must match when
 * AUTH_ISSUER and AUTH_AUDIENCE are set. One verifier lives in each object that holds sockets
 * (the Room and each shard: guarantee 9), and one per Worker isolate for HTTP credentials.
 */
import { LIMITS } from "@edge-chat/protocol";
import { createRemoteJWKSet, customFetch, decodeProtectedHeader, errors, jwtVerify, type JWTVerifyOptions, type JWTPayload } from "jose";
import type { AuthConfig } from "../config.ts";
import { LEEWAY_SECONDS, identityFromClaims, type SignedIdentity } from "./claims.ts";
import { JwksFetcher } from "./jwks-fetch.ts";

/** The outcome of verifying one token. */
export type Verification = { ok: true; identity: SignedIdentity } | { ok: false; reason: string };

/** The algorithms checked against the key set; HS256 is only ever checked against AUTH_SECRET. */
const KEY_SET_ALGORITHMS = ["RS256", "ES256", "EdDSA"];

/** An HS256 key shorter than this many bytes is not used (PROTOCOL.md: each at least 32 bytes). */
const MIN_SECRET_BYTES = 32;

/** How long a hello waits for the key set endpoint before its token is refused. */
const JWKS_TIMEOUT_MS = 3_000;

/** A set is fetched again after this long even when no unknown `kid` asks for it (jose's default). */
const JWKS_MAX_AGE_MS = 600_000;

/** After a successful fetch, an unknown `kid` fetches the set again at most this often. */
const JWKS_COOLDOWN_MS = 30_000;

const encoder = new TextEncoder();

/** Verifies the signed tokens of one deployment. */
export class TokenVerifier {
  readonly #config: AuthConfig;
  readonly #options: JWTVerifyOptions;
  readonly #jwks: ReturnType<typeof createRemoteJWKSet> | undefined;
  readonly #fetcher: JwksFetcher;
  #secrets: Promise<CryptoKey[]> | undefined;
  readonly #log: (what: string) => void;

  /** `shareFetches`: see `JwksFetcher` (true in Durable Objects, false in the Worker). */
  constructor(config: AuthConfig, shareFetches: boolean, log: (what: string) => void = (what) => console.error(what)) {
    this.#config = config;
    this.#log = log;
    this.#fetcher = new JwksFetcher(shareFetches);
    this.#options = { clockTolerance: LEEWAY_SECONDS, requiredClaims: ["exp"] };
    if (config.issuer !== undefined) this.#options.issuer = config.issuer;
    if (config.audience !== undefined) this.#options.audience = config.audience;
    const url = config.jwksUrl === undefined ? undefined : keySetUrl(config.jwksUrl);
    if (config.jwksUrl !== undefined && url === undefined) log(`AUTH_JWKS_URL is not https: (nor http: to a loopback host): no key set is used`);
    this.#jwks = url && createRemoteJWKSet(url, {
      timeoutDuration: JWKS_TIMEOUT_MS,
      cooldownDuration: JWKS_COOLDOWN_MS,
      cacheMaxAge: JWKS_MAX_AGE_MS,
      [customFetch]: this.#fetcher.fetch,
    });
  }

  /** True when some key may sign a token (AUTH_SECRET or AUTH_JWKS_URL is set). */
  get enabled(): boolean {
    return this.#config.secrets.length > 0 || this.#jwks !== undefined;
  }

  /** How often the key set was fetched (tests, the bench). */
  get keySetFetches(): number {
    return this.#fetcher.fetches;
  }

  /** Verifies a compact JWS and reads its claims. */
  async verify(token: string): Promise<Verification> {
    if (token.length > LIMITS.authMax) return refused(`a signed token is at most ${LIMITS.authMax} characters`);
    let alg: unknown;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      return refused("not a signed token");
    }
    let payload: JWTPayload;
    try {
      if (alg === "HS256") {
        const verified = await this.#withSecrets(token);
        if (!verified) return refused("no key of AUTH_SECRET verifies this token");
        payload = verified;
      } else if (typeof alg === "string" && KEY_SET_ALGORITHMS.includes(alg)) {
        if (!this.#jwks) return refused("this deployment has no key set (AUTH_JWKS_URL)");
        payload = await this.#withKeySet(token, alg);
      } else {
        return refused(`alg ${String(alg)} is not accepted`);
      }
    } catch (err) {
      return refused(reasonOf(err));
    }
    const identity = identityFromClaims(payload, Math.floor(Date.now() / 1000));
    return "refused" in identity ? refused(identity.refused) : { ok: true, identity };
  }

  /** The payload when one key of AUTH_SECRET verifies the token; a failed claim throws. */
  async #withSecrets(token: string): Promise<JWTPayload | undefined> {
    for (const key of await this.#secretKeys()) {
      try {
        return (await jwtVerify(token, key, { ...this.#options, algorithms: ["HS256"] })).payload;
      } catch (err) {
        // Another key of the list may have signed it (rotation); anything else is the token's fault.
        if (!(err instanceof errors.JWSSignatureVerificationFailed)) throw err;
      }
    }
    return undefined;
  }

  /** The payload when the key named by `kid` (or, without one, a key of the set of that type) verifies it. */
  async #withKeySet(token: string, alg: string): Promise<JWTPayload> {
    const options = { ...this.#options, algorithms: [alg] };
    try {
      return (await jwtVerify(token, this.#jwks!, options)).payload;
    } catch (err) {
      if (!(err instanceof errors.JWKSMultipleMatchingKeys)) throw err;
      // No `kid`, several keys of that type: the first that verifies it.
      for await (const key of err) {
        try {
          return (await jwtVerify(token, key, options)).payload;
        } catch (inner) {
          if (!(inner instanceof errors.JWSSignatureVerificationFailed)) throw inner;
        }
      }
      throw new errors.JWSSignatureVerificationFailed();
    }
  }

  /** The HS256 keys, imported once; keys under 32 bytes are left out (and logged). */
  #secretKeys(): Promise<CryptoKey[]> {
    this.#secrets ??= Promise.all(
      this.#config.secrets
        .map((secret) => encoder.encode(secret))
        .filter((bytes, i) => {
          if (bytes.byteLength >= MIN_SECRET_BYTES) return true;
          this.#log(`AUTH_SECRET key ${i + 1} is shorter than ${MIN_SECRET_BYTES} bytes: not used`);
          return false;
        })
        .map((bytes) => crypto.subtle.importKey("raw", bytes, { name: "HMAC", hash: "SHA-256" }, false, ["verify"])),
    );
    return this.#secrets;
  }
}

/** AUTH_JWKS_URL as a URL, if it is https:, or http: to a loopback host (local development). */
export function keySetUrl(value: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol === "https:") return url;
  const loopback = url.hostname === "127.0.0.1" || url.hostname === "localhost" || url.hostname === "[::1]";
  return url.protocol === "http:" && loopback ? url : undefined;
}

function refused(reason: string): Verification {
  return { ok: false, reason };
}

/** What a client is told about a refused token: jose's reason, never a stack. */
function reasonOf(err: unknown): string {
  if (err instanceof errors.JWTExpired) return "the token expired";
  if (err instanceof errors.JWKSTimeout) return "the key set could not be fetched in time";
  if (err instanceof errors.JWKSNoMatchingKey) return "no key of the key set matches the token";
  if (err instanceof errors.JOSEError) return err.message;
  return "the token could not be verified";
}
