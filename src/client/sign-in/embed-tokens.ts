/**
 * Tokens from the page that embeds this one (`/r/<room>?embed=1` in an iframe): the iframe asks its
 * parent with `{type: "edge-chat:token-request"}` whenever it needs a token (each connect, and
 * before the current one expires), and takes `{type: "edge-chat:token", token}` only from an
 * origin listed in ALLOWED_ORIGINS; a message from any other origin is ignored. docs/AUTH.md,
 * "Embedding", has the host's side.
 */

/** The iframe's request for a fresh token, posted to the parent. */
export const TOKEN_REQUEST = "edge-chat:token-request";
/** The parent's answer (or a token it hands over unasked). */
export const TOKEN_MESSAGE = "edge-chat:token";
/** A request the parent leaves unanswered this long fails (the client tries again later). */
const ANSWER_TIMEOUT_MS = 15_000;

/** The token of a message from the embedding page, or undefined when it is not one to take. */
export function embedToken(event: { origin: string; data: unknown }, origins: readonly string[]): string | undefined {
  if (!origins.includes(event.origin)) return undefined;
  const data = event.data as { type?: unknown; token?: unknown } | null;
  if (typeof data !== "object" || data === null || data.type !== TOKEN_MESSAGE || typeof data.token !== "string") return undefined;
  return data.token;
}

/** Asks the embedding page for tokens and takes its answers. */
export class EmbedTokens {
  readonly #origins: readonly string[];
  readonly #parent: Window;
  #waiting: { resolve: (token: string) => void; timer: ReturnType<typeof setTimeout> }[] = [];

  constructor(origins: readonly string[], parent: Window) {
    this.#origins = origins;
    this.#parent = parent;
    window.addEventListener("message", (event) => {
      const token = embedToken(event, this.#origins);
      if (token === undefined) return;
      for (const waiter of this.#waiting.splice(0)) {
        clearTimeout(waiter.timer);
        waiter.resolve(token);
      }
    });
  }

  /** A fresh token: asks the parent, and resolves with the next token a listed origin posts. */
  request(): Promise<string> {
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve,
        timer: setTimeout(() => {
          this.#waiting = this.#waiting.filter((w) => w !== waiter);
          reject(new Error("the embedding page did not hand over a token"));
        }, ANSWER_TIMEOUT_MS),
      };
      this.#waiting.push(waiter);
      // Posted to each listed origin: the browser delivers it only if the parent is one of them.
      for (const origin of this.#origins) this.#parent.postMessage({ type: TOKEN_REQUEST }, origin);
    });
  }
}
