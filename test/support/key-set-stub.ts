/**
 * A stand-in for the identity provider's key set endpoint, inside one test file's isolate: the
 * rooms a test file uses live in its isolate, so replacing `fetch` there changes what they fetch
 * from AUTH_JWKS_URL (and nothing of any other file). A test makes the endpoint answer a set of its
 * choice, hang, or fail, and counts the requests; `restore` puts the pool's outbound service back.
 */
import { TEST_JWKS_URL } from "./test-issuer.ts";

/** How the stub answers a request for the key set. */
export type KeySetAnswer = { keys: object[] } | "hang" | "fail";

/** The stub: what it answers, and how often it was asked. */
export interface KeySetStub {
  answer: KeySetAnswer;
  requests: number;
  restore(): void;
}

/** Puts the stub in front of `fetch` for the key set's URL. */
export function stubKeySet(answer: KeySetAnswer): KeySetStub {
  const original = globalThis.fetch;
  const stub: KeySetStub = {
    answer,
    requests: 0,
    restore: () => {
      globalThis.fetch = original;
    },
  };
  globalThis.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = input instanceof Request ? input.url : String(input);
    if (url !== TEST_JWKS_URL) return original(input, init);
    stub.requests++;
    const now = stub.answer;
    if (now === "fail") throw new Error("connection refused");
    if (now === "hang") {
      // Answers nothing until the caller gives up (its signal), as a dead server does.
      return new Promise<Response>((_, reject) => init?.signal?.addEventListener("abort", () => reject(init.signal!.reason)));
    }
    return Response.json(now);
  };
  return stub;
}
