/**
 * The connection banner: connecting, reconnecting in N s (with "Retry now"), offline; hidden when
 * connected. A kick or a ban is not a connection problem: the restriction panel says it
 * (restrictions.ts), so the banner stays away then.
 */
import type { ConnectionStatus } from "@edge-chat/client";

/** How long a first connection may take before the banner says "Connecting…". */
const FIRST_CONNECT_QUIET_MS = 800;

/** The elements the banner works with. */
export interface BannerElements {
  banner: HTMLElement;
  text: HTMLElement;
  retry: HTMLButtonElement;
}

/** Shows the transport's status to people. */
export class Banner {
  readonly #el: BannerElements;
  #countdown: ReturnType<typeof setInterval> | undefined;
  #firstConnectTimer: ReturnType<typeof setTimeout> | undefined;
  #everConnected = false;

  constructor(elements: BannerElements, retryNow: () => void) {
    this.#el = elements;
    elements.retry.addEventListener("click", retryNow);
  }

  /** Reflects a new status. */
  show(status: ConnectionStatus): void {
    clearInterval(this.#countdown);
    clearTimeout(this.#firstConnectTimer);
    const { banner, retry } = this.#el;
    banner.dataset.state = status.state;
    retry.hidden = status.state !== "reconnecting";
    switch (status.state) {
      case "open":
        this.#everConnected = true;
        banner.hidden = true;
        return;
      case "connecting":
        if (this.#everConnected || status.attempt > 0) this.#say("Reconnecting…");
        // A first connection is usually quick: only say so when it is not, so the page does not flash.
        else this.#firstConnectTimer = setTimeout(() => this.#say("Connecting…"), FIRST_CONNECT_QUIET_MS);
        return;
      case "reconnecting": {
        const tick = () => {
          const seconds = Math.max(0, Math.ceil((status.retryAt - Date.now()) / 1000));
          this.#say(seconds > 0 ? `Connection lost. Reconnecting in ${seconds} s…` : "Reconnecting…");
        };
        tick();
        this.#countdown = setInterval(tick, 1000);
        return;
      }
      case "offline":
        this.#say("You're offline. Messages you send now are kept and delivered when you're back.");
        return;
      case "closed":
        if (status.reason === "removed") banner.hidden = true;
        // A signed identity the room will not take: say why (the client does not retry these by itself).
        else if (status.reason === "unauthorized") this.#say("The room did not accept your sign-in. Reload the page to try again.");
        else if (status.reason === "forbidden") this.#say("Your sign-in does not let you into this room.");
        else this.#say("Disconnected.");
        return;
      case "banned":
        banner.hidden = true;
        return;
    }
  }

  #say(...parts: (Node | string)[]): void {
    this.#el.banner.hidden = false;
    this.#el.text.replaceChildren(...parts);
  }
}
