/**
 * How a verifier asks an identity provider for its JSON Web Key Set (jose's `createRemoteJWKSet`
 * calls this instead of `fetch`). jose already keeps the set and asks again for an unknown `kid` at
 * most once per 30 s after a successful fetch; this adds what a room needs when the endpoint is
 * slow or down: a failed try is not repeated for every hello (30 s with a set in hand, 5 s before
 * the first one), the last good set stands in while the endpoint fails, and inside a Durable Object
 * the hellos that arrive during one fetch share it. The time limit is jose's `timeoutDuration`.
 */

/** After a failure, no new try for this long while a set is known (its keys keep working). */
const RETRY_WITH_SET_MS = 30_000;

/** After a failure before any set was fetched, no new try for this long (hellos meanwhile are refused). */
const RETRY_WITHOUT_SET_MS = 5_000;

/** One identity provider's key set endpoint, as one object (or one Worker isolate) asks it. */
export class JwksFetcher {
  readonly #share: boolean;
  readonly #now: () => number;
  /** The last set fetched successfully, as parsed JSON. */
  #good: unknown;
  #failedAt: number | undefined;
  #inflight: Promise<unknown> | undefined;
  /** Fetches made (for tests and the stats). */
  fetches = 0;

  /**
   * `share`: callers during one fetch await it (a Durable Object may; a stateless Worker must not
   * share I/O across requests, so there each caller fetches).
   */
  constructor(share: boolean, now: () => number = Date.now) {
    this.#share = share;
    this.#now = now;
  }

  /** The `fetch` handed to jose: the endpoint's answer, the last good set, or a refusal. */
  readonly fetch = async (url: string, init: RequestInit): Promise<Response> => {
    if (this.#share && this.#inflight) return Response.json(await this.#inflight);
    if (this.#failedAt !== undefined) {
      const wait = this.#good === undefined ? RETRY_WITHOUT_SET_MS : RETRY_WITH_SET_MS;
      if (this.#now() < this.#failedAt + wait) return this.#fallback(new Error("the key set endpoint failed a moment ago"));
    }
    const attempt = this.#attempt(url, init);
    if (this.#share) {
      this.#inflight = attempt;
      attempt.then(
        () => (this.#inflight = undefined),
        () => (this.#inflight = undefined),
      );
    }
    try {
      return Response.json(await attempt);
    } catch (err) {
      return this.#fallback(err);
    }
  };

  async #attempt(url: string, init: RequestInit): Promise<unknown> {
    this.fetches++;
    try {
      const response = await fetch(url, init);
      if (response.status !== 200) throw new Error(`the key set endpoint answered ${response.status}`);
      const set: unknown = await response.json();
      this.#good = set;
      this.#failedAt = undefined;
      return set;
    } catch (err) {
      this.#failedAt = this.#now();
      throw err;
    }
  }

  /** While the endpoint fails, the last good set stands in; with none, the failure is jose's to report. */
  #fallback(err: unknown): Response {
    if (this.#good !== undefined) return Response.json(this.#good);
    throw err;
  }
}
