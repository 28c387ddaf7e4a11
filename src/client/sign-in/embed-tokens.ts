/**
 * Tokens from the page that embeds this one, by postMessage (the messages: embed-message.ts).
 */
import { TOKEN_REQUEST, embedToken } from "./embed-message.ts";

/** A request the parent leaves unanswered this long fails (the client tries again later). */
const ANSWER_TIMEOUT_MS = 15_000;

/** Asks the embedding page for tokens and takes its answers. */
export class EmbedTokens {
  readonly #origins: readonly string[];
  readonly #parent: Window;
  #waiting: { resolve: (token: string) => void; timer: ReturnType<typeof setTimeout> }[] = [];

  constructor(origins: readonly string[], parent: Window) {
    this.#origins = origins;
    this.#parent = parent;
    window.addEventListener("message", (event) => {
      // Only the page that frames this one hands it tokens: a listed origin in another window
      // (a tab that opened this one, say) is not asked and not heard.
      if (event.source !== this.#parent) return;
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
