/**
 * The identity provider the workerd tests trust, run in Node by the Vitest config: fresh key pairs
 * each run (RS256, two ES256, EdDSA), whose public set the rooms fetch from AUTH_JWKS_URL through
 * the test pool's outbound service (every `fetch` a room makes in the pool leaves workerd there),
 * and whose private keys reach the tests as a binding, so that they can sign tokens with `jose`.
 * Tests that need the endpoint slow, dead or changing put a stub of their own in front of `fetch`
 * in their isolate (test/support/key-set-stub.ts).
 */
import { generateKeyPairSync, type JsonWebKey } from "node:crypto";

/** Where the rooms of the test pool find the key set. */
export const TEST_JWKS_URL = "https://issuer.test/jwks.json";

/** The HS256 keys of the test deployment (two, as during a rotation). */
export const TEST_AUTH_SECRET = "first-hs256-key-of-the-test-deployment,second-hs256-key-of-the-test-deployment";

/** `iss` and `aud` every token of the tests must carry. */
export const TEST_ISSUER = "https://issuer.test/";
export const TEST_AUDIENCE = "edge-chat-tests";

/** The private keys by name, each a JWK with its `kid` and `alg`. */
export type TestKeys = Record<"rsa" | "ec1" | "ec2" | "ed", JsonWebKey & { kid: string; alg: string }>;

/** Makes the run's keys: the private ones for the tests, the public set for the outbound service. */
export function makeTestKeys(): { keys: TestKeys; publicSet: { keys: JsonWebKey[] } } {
  const pair = (kind: "rsa" | "ec" | "ed25519") =>
    kind === "rsa"
      ? generateKeyPairSync("rsa", { modulusLength: 2048 })
      : kind === "ec"
        ? generateKeyPairSync("ec", { namedCurve: "P-256" })
        : generateKeyPairSync("ed25519");
  const made = { rsa: [pair("rsa"), "RS256"], ec1: [pair("ec"), "ES256"], ec2: [pair("ec"), "ES256"], ed: [pair("ed25519"), "EdDSA"] } as const;
  const keys = {} as TestKeys;
  const publicSet: { keys: JsonWebKey[] } = { keys: [] };
  for (const [name, [{ privateKey, publicKey }, alg]] of Object.entries(made)) {
    const kid = `test-${name}`;
    keys[name as keyof TestKeys] = { ...privateKey.export({ format: "jwk" }), kid, alg };
    publicSet.keys.push({ ...publicKey.export({ format: "jwk" }), kid, alg, use: "sig" });
  }
  return { keys, publicSet };
}

/** The outbound service: the key set at TEST_JWKS_URL; anything else the tests fetch is refused. */
export function keySetService(publicSet: { keys: JsonWebKey[] }): (request: Request) => Response {
  return (request) =>
    request.url === TEST_JWKS_URL
      ? Response.json(publicSet)
      : new Response(`the tests reach nothing outside: ${request.url}`, { status: 502 });
}
