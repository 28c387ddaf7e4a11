/**
 * The heartbeat of one open socket: `ping` every `pingIntervalMs` (the runtime answers `pong`
 * without waking the room); `maxMissedPongs` pings in a row with nothing at all arriving in
 * between mean the connection is dead, however open the socket still looks.
 */
import { HEARTBEAT } from "@edge-chat/protocol";

/** Pings and watches one socket at a time. */
export class Heartbeat {
  readonly #intervalMs: number;
  readonly #maxMissed: number;
  #timer: ReturnType<typeof setInterval> | undefined;
  #missed = 0;
  #awaiting = false;

  constructor(intervalMs: number, maxMissed: number) {
    this.#intervalMs = intervalMs;
    this.#maxMissed = maxMissed;
  }

  /** Starts pinging through `send`; `dead` is called once the pongs stop. */
  start(send: (text: string) => void, dead: () => void): void {
    this.stop();
    this.#timer = setInterval(() => {
      if (this.#awaiting && ++this.#missed >= this.#maxMissed) return dead();
      this.#awaiting = true;
      send(HEARTBEAT.ping);
    }, this.#intervalMs);
  }

  /** Something arrived: anything proves the connection alive, not only a pong. */
  alive(): void {
    this.#awaiting = false;
    this.#missed = 0;
  }

  /** The socket is gone. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.alive();
  }
}
