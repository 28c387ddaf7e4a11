/**
 * A sender that runs the page's real transport (src/client/transport.ts) in Node: the same hello,
 * resume, outbox and resend logic the browser runs. It says something every so often, like a
 * person who stops typing when too many messages are still pending, and records what the room
 * acknowledged, what it refused, and what the transport showed.
 */
import { Transport, type PendingAction, type ReconnectPolicy } from "../../src/client/transport.ts";
import type { MessageFrame } from "../../src/shared/protocol.ts";
import { decodeServerText, type RoomError } from "../../src/shared/server-frames.ts";
import { newToken } from "../../src/client/ids.ts";
import { NodeSockets } from "./node-socket.ts";
import { ClientView } from "./view.ts";

/** What a page client reports as it goes. */
export interface PageClientEvents {
  /** A message the transport passed on live (not in a welcome), at `at` (performance.now()). */
  live?(message: MessageFrame, at: number): void;
}

/** How a page client is set up. */
export interface PageClientOptions {
  events?: PageClientEvents;
  policy?: Partial<ReconnectPolicy>;
  /** This client's own seeded stream: its pace and its transport's backoff jitter draw from it. */
  random: () => number;
}

/** How a page client is made to lose its connection: the network, or the browser going offline. */
export type PageDrop = "cut" | "offline";

/** The text of a soak message: who, which, and when it was sent (for latency on receipt). */
export function messageText(sender: string, n: number, sentAt: number): string {
  return `${sender} #${n} @${sentAt.toFixed(2)}`;
}

/** The send time written into a message's text by `messageText`, or undefined. */
export function sentAtOf(text: string): number | undefined {
  const match = /@(\d+(?:\.\d+)?)$/.exec(text);
  return match ? Number(match[1]) : undefined;
}

type Timer = ReturnType<typeof setTimeout>;

/** One sender driving the real transport. */
export class PageClient {
  readonly name: string;
  readonly view = new ClientView();
  readonly transport: Transport;
  /** Every say made (id → text), resends not counted again. */
  readonly sent = new Map<string, string>();
  /** Says that left the outbox (acknowledged unless also refused), and those the room refused. */
  readonly leftOutbox = new Set<string>();
  readonly refused = new Map<string, RoomError>();
  /** `say` frames put on the wire, first sends and resends together. */
  saysOnWire = 0;
  /** Resends the room answered with the message it had stored (deduplicated by client id). */
  dedupeAnswers = 0;
  /** Says the outbox sent after a reconnect: queued while away, or sent before and never echoed. */
  flushedOnReconnect = 0;
  /** `error` frames the transport passed on without a say they refer to, and frames that failed validation. */
  errors = 0;
  invalidFrames = 0;
  readonly #sockets: NodeSockets;
  readonly #events: PageClientEvents;
  readonly #random: () => number;
  #pending = new Set<string>();
  #sayTimer: Timer | undefined;
  #comeBackTimer: Timer | undefined;
  #count = 0;

  constructor(url: string, name: string, options: PageClientOptions) {
    this.name = name;
    this.#events = options.events ?? {};
    this.#random = options.random;
    this.#sockets = new NodeSockets({
      sent: (text) => {
        if (text.startsWith('{"type":"say"')) this.saysOnWire++;
      },
      received: (text) => this.#tapReceived(text),
    });
    this.transport = new Transport({
      url,
      token: newToken(),
      name: () => name,
      openSocket: this.#sockets.open,
      policy: options.policy ?? {},
      random: options.random,
      events: {
        welcome: (welcome) => {
          const reconnect = this.view.segments.length > 0;
          // Right after this event the transport sends what is left in its outbox.
          if (reconnect) this.flushedOnReconnect += this.transport.outbox.length;
          // The transport sends `since` (its last seq, which the view mirrors) once it has an epoch.
          this.view.welcome(welcome, reconnect ? this.view.lastSeq : undefined);
        },
        frame: (frame) => {
          if (frame.type === "message") {
            this.view.message(frame);
            this.#events.live?.(frame, performance.now());
          } else if (frame.type === "error") {
            this.errors++;
          }
        },
        outbox: (pending) => this.#outboxChanged(pending),
        refused: (say, error) => this.refused.set(say.id, error),
      },
    });
  }

  /** True while the transport is connected and welcomed. */
  get welcomed(): boolean {
    return this.transport.status.state === "open";
  }

  /** Ids the room acknowledged (their echo arrived). */
  acknowledged(): string[] {
    return [...this.leftOutbox].filter((id) => !this.refused.has(id));
  }

  /** Connects. */
  start(): void {
    this.transport.start();
  }

  /** Says something every `everyMs` on average (±50 %), while fewer than `maxPending` are unechoed. */
  startSaying(everyMs: number, maxPending: number): void {
    const next = () => {
      this.#sayTimer = setTimeout(() => {
        if (this.transport.outbox.length < maxPending) this.sayNow();
        next();
      }, everyMs * (0.5 + this.#random()));
    };
    next();
  }

  /** Says one message now (queued by the transport if not connected). */
  sayNow(): void {
    const text = messageText(this.name, ++this.#count, performance.now());
    const say = this.transport.say(text);
    this.sent.set(say.id, text);
  }

  /** Stops saying new things (the outbox still drains). */
  stopSaying(): void {
    clearTimeout(this.#sayTimer);
  }

  /** Loses the connection: `cut` as a network failure; `offline` as the browser's offline event, back after `pauseMs`. */
  drop(kind: PageDrop, pauseMs: number): void {
    if (kind === "cut") return this.#sockets.cut();
    this.transport.goOffline();
    this.#comeBackTimer = setTimeout(() => this.transport.reconnectNow(), pauseMs);
  }

  /**
   * Says something, loses the echo (and all else the room sends) for `deafMs`, then goes offline
   * for `pauseMs`. After a long enough absence the room redraws instead of resuming, its latest 50
   * messages no longer hold that say, and only the outbox's resend and the room's dedupe by client
   * id can settle it.
   */
  dropWithLostEcho(deafMs: number, pauseMs: number): void {
    this.sayNow();
    this.#sockets.deafen();
    this.#comeBackTimer = setTimeout(() => this.drop("offline", pauseMs), deafMs);
  }

  /** Ends an offline pause (or a deaf spell) early. */
  comeBack(): void {
    clearTimeout(this.#comeBackTimer);
    if (this.#sockets.deaf) this.transport.goOffline();
    this.transport.reconnectNow();
  }

  /** Closes for good. */
  stop(): void {
    this.stopSaying();
    clearTimeout(this.#comeBackTimer);
    this.transport.stop();
  }

  #tapReceived(text: string): void {
    const incoming = decodeServerText(text);
    // The transport skips what fails validation without a word; the soak counts it.
    if (incoming.kind === "invalid") this.invalidFrames++;
    if (incoming.kind !== "frames" || !this.welcomed) return;
    for (const frame of incoming.frames) {
      // Our own message at or below the last seq seen: the room answering a resend with the stored copy.
      if (frame.type === "message" && frame.from.id === this.transport.self?.id && frame.seq <= this.transport.lastSeq) this.dedupeAnswers++;
    }
  }

  #outboxChanged(pending: readonly PendingAction[]): void {
    const now = new Set(pending.map((say) => say.id));
    for (const id of this.#pending) if (!now.has(id)) this.leftOutbox.add(id);
    this.#pending = now;
  }
}
