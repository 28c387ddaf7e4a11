/**
 * The connection banner: connecting, reconnecting in N s (with "Retry now"), offline, removed by a
 * moderator (with "Rejoin"), banned (with the time left); hidden when connected.
 */
import type { ConnectionStatus } from "@edge-chat/client";
import { isolate } from "./dom.ts";
import { countdown } from "./restrictions.ts";

/** Why this person's sockets were closed, as far as the page heard it (the moderation frame before the close). */
export interface Removal {
  by?: string;
  /** A ban, until then (ms since epoch). */
  bannedUntil?: number;
}

/** How long a first connection may take before the banner says "Connecting…". */
const FIRST_CONNECT_QUIET_MS = 800;

/** The elements the banner works with. */
export interface BannerElements {
  banner: HTMLElement;
  text: HTMLElement;
  retry: HTMLButtonElement;
  rejoin: HTMLButtonElement;
}

/** Shows the transport's status to people. */
export class Banner {
  readonly #el: BannerElements;
  #countdown: ReturnType<typeof setInterval> | undefined;
  #firstConnectTimer: ReturnType<typeof setTimeout> | undefined;
  #everConnected = false;

  readonly #removal: () => Removal | undefined;

  constructor(elements: BannerElements, retryNow: () => void, rejoin: () => void, removal: () => Removal | undefined) {
    this.#el = elements;
    this.#removal = removal;
    elements.retry.addEventListener("click", retryNow);
    elements.rejoin.addEventListener("click", rejoin);
  }

  /** Reflects a new status. */
  show(status: ConnectionStatus): void {
    clearInterval(this.#countdown);
    clearTimeout(this.#firstConnectTimer);
    const { banner, retry, rejoin } = this.#el;
    banner.dataset.state = status.state;
    retry.hidden = status.state !== "reconnecting";
    rejoin.hidden = true;
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
        if (status.reason === "removed") return this.#removed();
        this.#say("Disconnected.");
        return;
      case "banned":
        return this.#tick(() => {
          const left = status.until - Date.now();
          this.#say(left > 0 ? `You are banned from this room: ${countdown(left)} left. The page joins again when it ends.` : "Your ban is over: joining…");
        });
    }
  }

  /** Closed by a moderator: kicked (rejoin at once) or banned (rejoin once the ban is over). */
  #removed(): void {
    const removal = this.#removal();
    const by = removal?.by === undefined ? ["a moderator"] : [isolate(removal.by)];
    const until = removal?.bannedUntil;
    if (until === undefined) {
      this.#say("You were removed from the room by ", ...by, ". You may join again.");
      this.#el.rejoin.hidden = false;
      return;
    }
    this.#tick(() => {
      const left = until - Date.now();
      this.#el.rejoin.hidden = left > 0;
      if (left > 0) this.#say("You were banned from this room by ", ...by, `: ${countdown(left)} left.`);
      else {
        clearInterval(this.#countdown);
        this.#say("Your ban is over. You may join again.");
      }
    });
  }

  #tick(render: () => void): void {
    render();
    this.#countdown = setInterval(render, 1000);
  }

  #say(...parts: (Node | string)[]): void {
    this.#el.banner.hidden = false;
    this.#el.text.replaceChildren(...parts);
  }
}
