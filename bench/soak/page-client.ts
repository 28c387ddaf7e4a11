/**
 * A sender that runs the page's real transport (@edge-chat/client's Transport) in Node: the same hello,
 * resume, outbox and resend logic the browser runs. Now and then it acts, like a person who stops
 * when too many actions are still pending: it says something, or (given a mix stream) replies,
 * edits, deletes or reacts (actions.ts), all through the outbox. It records what it sent, what
 * the room acknowledged or refused, the stored event that answered each action, and what the
 * transport showed.
 */
import { Transport, type PendingAction, type ReconnectPolicy } from "@edge-chat/client";
import type { EventFrame, MessageFrame } from "@edge-chat/protocol";
import { decodeServerText, type RoomError } from "@edge-chat/protocol/server-frames";
import { newToken } from "@edge-chat/client";
import { ownEventId } from "@edge-chat/client";
import { quoteOf } from "@edge-chat/client";
import { chooseTurn, drawTurn, editText, messageText, type TurnWeights } from "./actions.ts";
import { NodeSockets } from "./node-socket.ts";
import { ClientView } from "./view.ts";

export { messageText, sentAtOf } from "./actions.ts";

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
  /** A stream for the mix of actions (actions.ts); without one the client only says things. */
  mix?: () => number;
  /** How often each kind of action comes (default: the full soak's `MIX`). */
  weights?: TurnWeights;
}

/** How a page client is made to lose its connection: the network, or the browser going offline. */
export type PageDrop = "cut" | "offline";

type Timer = ReturnType<typeof setTimeout>;

/** One sender driving the real transport. */
export class PageClient {
  readonly name: string;
  readonly view = new ClientView();
  readonly transport: Transport;
  /** Every action made (id → the action as queued), resends not counted again. */
  readonly sent = new Map<string, PendingAction>();
  /** The stored event that answered each own action (id → event), however it came: live, in a resume, or as a dedupe answer. */
  readonly stored = new Map<string, EventFrame>();
  /** Actions that left the outbox (acknowledged unless also refused), and those the room refused. */
  readonly leftOutbox = new Set<string>();
  readonly refused = new Map<string, RoomError>();
  /** Action frames put on the wire, first sends and resends together. */
  actionsOnWire = 0;
  /** Resends the room answered with the event it had stored (deduplicated by client id). */
  dedupeAnswers = 0;
  /** Actions the outbox sent after a reconnect: queued while away, or sent before and never echoed. */
  flushedOnReconnect = 0;
  /** `error` frames the transport passed on without a say they refer to, and frames that failed validation. */
  errors = 0;
  invalidFrames = 0;
  /** `rate_limited` answers: the transport holds and resends those without telling the page, so they are counted off the wire. */
  rateLimited = 0;
  readonly #sockets: NodeSockets;
  readonly #events: PageClientEvents;
  readonly #random: () => number;
  readonly #mix: (() => number) | undefined;
  readonly #weights: TurnWeights | undefined;
  /** Own messages whose delete is queued: nothing more is done to them. */
  readonly #deleting = new Set<number>();
  /** Own reactions as this client last asked for them ("seq emoji"), so that the next one on it toggles. */
  readonly #reacted = new Set<string>();
  #pending = new Set<string>();
  #sayTimer: Timer | undefined;
  #comeBackTimer: Timer | undefined;
  #count = 0;
  #edits = 0;

  constructor(url: string, name: string, options: PageClientOptions) {
    this.name = name;
    this.#events = options.events ?? {};
    this.#random = options.random;
    this.#mix = options.mix;
    this.#weights = options.weights;
    this.#sockets = new NodeSockets({
      sent: (text) => {
        if (/^\{"type":"(say|edit|delete|react)"/.test(text)) this.actionsOnWire++;
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
          } else if (frame.type === "edit" || frame.type === "delete" || frame.type === "react") {
            this.view.change(frame);
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

  /** The user id the room gave this client (once welcomed). */
  get selfId(): string | undefined {
    return this.transport.self?.id;
  }

  /** Actions still in the outbox. */
  get unanswered(): number {
    return this.transport.outbox.length;
  }

  /** Ids the room acknowledged (their echo arrived). */
  acknowledged(): string[] {
    return [...this.leftOutbox].filter((id) => !this.refused.has(id));
  }

  /** Connects. */
  start(): void {
    this.transport.start();
  }

  /** Acts every `everyMs` on average (±50 %), while fewer than `maxPending` actions are unanswered. */
  startSaying(everyMs: number, maxPending: number): void {
    const next = () => {
      this.#sayTimer = setTimeout(() => {
        if (this.transport.outbox.length < maxPending) this.actNow();
        next();
      }, everyMs * (0.5 + this.#random()));
    };
    next();
  }

  /** Takes one turn of the mix now (queued by the transport if not connected); without a mix, says something. */
  actNow(): void {
    if (!this.#mix) return this.sayNow();
    const shown = this.view.recent(100);
    const turn = chooseTurn(drawTurn(this.#mix), { selfId: this.transport.self?.id, shown, deleting: this.#deleting }, this.#weights);
    switch (turn.kind) {
      case "say":
        return this.sayNow(turn.draft);
      case "reply": {
        const text = messageText(this.name, ++this.#count, performance.now(), turn.draft);
        return this.#record(this.transport.say(text, undefined, quoteOf(turn.target)));
      }
      case "edit":
        return this.#record(this.transport.change({ kind: "edit", target: turn.target.seq, text: editText(turn.target, this.name, ++this.#edits) }));
      case "delete":
        this.#deleting.add(turn.target.seq);
        return this.#record(this.transport.change({ kind: "delete", target: turn.target.seq }));
      case "react": {
        const key = `${turn.target.seq} ${turn.emoji}`;
        const on = !this.#reacted.has(key);
        if (on) this.#reacted.add(key);
        else this.#reacted.delete(key);
        return this.#record(this.transport.change({ kind: "react", target: turn.target.seq, emoji: turn.emoji, on }));
      }
    }
  }

  /** Says one message now (queued by the transport if not connected). */
  sayNow(draft = false): void {
    this.#record(this.transport.say(messageText(this.name, ++this.#count, performance.now(), draft)));
  }

  #record(action: PendingAction): void {
    this.sent.set(action.id, action);
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
    if (incoming.kind !== "frames") return;
    for (const frame of incoming.frames) {
      if (frame.type === "error" && frame.code === "rate_limited") this.rateLimited++;
      if (frame.type === "welcome") {
        for (const event of frame.messages) this.#keepOwn(event, frame.self.id);
        continue;
      }
      if (frame.type !== "message" && frame.type !== "edit" && frame.type !== "delete" && frame.type !== "react") continue;
      this.#keepOwn(frame, this.transport.self?.id);
      // Our own event at or below the last seq seen: the room answering a resend with the stored copy.
      if (this.welcomed && ownEventId(frame, this.transport.self?.id) !== undefined && frame.seq <= this.transport.lastSeq) this.dedupeAnswers++;
    }
  }

  /** Keeps the first stored event seen for each own action: it tells the checker the action's seq. */
  #keepOwn(event: EventFrame, self: string | undefined): void {
    const id = ownEventId(event, self);
    if (id !== undefined && this.sent.has(id) && !this.stored.has(id)) this.stored.set(id, event);
  }

  #outboxChanged(pending: readonly PendingAction[]): void {
    const now = new Set(pending.map((say) => say.id));
    for (const id of this.#pending) if (!now.has(id)) this.leftOutbox.add(id);
    this.#pending = now;
  }
}
