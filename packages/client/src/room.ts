/**
 * A room, as an app, a bot or the page uses it: who I am, who is here, the messages in their
 * current state, events, and every action of the protocol as a promise. It runs a transport
 * (transport.ts: connection, resume, outbox, requests) and keeps the room's state from what the
 * transport reports (room-state.ts).
 */
import type {
  DeleteEventFrame,
  EditEventFrame,
  HistoryFrame,
  MembersFrame,
  MessageFrame,
  ModerationFrame,
  ReactEventFrame,
  ReplyQuote,
  RoomSettings,
  SearchFrame,
  SelfUser,
  SettingsFrame,
  User,
} from "@edge-chat/protocol";
import { TIMINGS } from "@edge-chat/protocol";
import type { RoomError } from "@edge-chat/protocol/server-frames";
import { Emitter, type RoomEvent, type RoomEventName, type RoomEvents } from "./events.ts";
import { quoteOf } from "./message-fold.ts";
import { historySpec, membersSpec, moderationSpec, rawSpec, renameSpec, searchSpec, settingsSpec, type ModerationRequest } from "./request-specs.ts";
import type { NetworkSignals } from "./options.ts";
import type { PendingAction } from "./pending.ts";
import { RoomState } from "./room-state.ts";
import type { OutboxWriter } from "./storage.ts";
import { localError } from "./requests.ts";
import { Transport, type ConnectionStatus, type EphemeralFrame, type TransportOptions } from "./transport.ts";

/** A user named in an action: the id, or a user object. */
export type UserRef = string | User;

/** What `say` takes beside the text. */
export interface SayOptions {
  /** A private message to this user. */
  to?: UserRef;
  /** The message this answers: its seq, the message itself, or its quote. */
  replyTo?: number | MessageFrame | ReplyQuote;
  /** Ids of files this user uploaded to the room (protocol v3; 1–4). */
  files?: string[];
}

/** How a room object is wired (made by `openRoom`). */
export interface RoomWiring {
  transport: Omit<TransportOptions, "events">;
  writer: OutboxWriter;
  network: NetworkSignals | undefined;
  maxMessages: number;
}

type Settle = { resolve(event: unknown): void; reject(error: RoomError): void };

const idOf = (user: UserRef) => (typeof user === "string" ? user : user.id);

/** One room, connected until `close()`. */
export class Room implements AsyncIterable<RoomEvent> {
  readonly #events = new Emitter();
  readonly #state: RoomState;
  readonly #transport: Transport;
  readonly #writer: OutboxWriter;
  readonly #actions = new Map<string, Settle>();
  readonly #stopNetwork: (() => void) | undefined;
  #lastTyping = -Infinity;

  constructor(wiring: RoomWiring) {
    this.#writer = wiring.writer;
    this.#state = new RoomState(wiring.maxMessages, (name, data) => this.#events.emit(name, data));
    this.#transport = new Transport({
      ...wiring.transport,
      events: {
        status: (status) => this.#events.emit("state", status),
        welcome: (welcome) => {
          this.#state.welcome(welcome);
          this.#sendRead();
        },
        frame: (frame) => this.#state.frame(frame),
        outbox: (pending) => {
          this.#writer.save(pending);
          this.#events.emit("outbox", pending);
        },
        stored: (action, event) => this.#settle(action.id)?.resolve(event),
        refused: (action, error) => {
          this.#settle(action.id)?.reject(error);
          this.#events.emit("refused", { action, error });
          this.#events.emit("error", error);
        },
        keyRefused: (error) => this.#events.emit("keyRefused", error),
      },
    });
    const network = wiring.network;
    this.#stopNetwork = network?.subscribe((signal) => {
      if (signal === "offline") this.#transport.goOffline();
      else this.#transport.reconnectNow();
    });
    if (network?.online?.() === false) this.#transport.goOffline();
    else this.#transport.start();
  }

  /** Who I am (from the latest welcome and my renames); before the first welcome, an empty id. */
  get self(): SelfUser {
    return this.#state.self;
  }

  /** The users listed (at most 100 in a big room): self first, then by name. */
  get users(): User[] {
    return this.#state.roster.listed();
  }

  /** How many users are online. */
  get online(): number {
    return this.#state.roster.online;
  }

  /** The messages held, ascending seq, each in its current state. */
  get messages(): readonly MessageFrame[] {
    return this.#state.messages.list;
  }

  /** A held message by seq. */
  message(seq: number): MessageFrame | undefined {
    return this.#state.messages.get(seq);
  }

  /** The connection's state. */
  get state(): ConnectionStatus {
    return this.#transport.status;
  }

  /** The room's slow mode and lock, as last told (`settings(...)` changes them). */
  get roomSettings(): RoomSettings {
    return this.#state.settings;
  }

  /** My read position (protocol v3), and how many messages above it I may see are not mine and not deleted (the welcome's count, kept live). */
  get readPosition(): number {
    return this.#state.read;
  }
  get unread(): number {
    return this.#state.unread;
  }

  /** Actions not answered yet, oldest first. */
  get outbox(): readonly PendingAction[] {
    return this.#transport.outbox;
  }

  /** While the room's bucket refills after a `rate_limited` action: when sending goes on (ms since the epoch). */
  get heldUntil(): number | undefined {
    return this.#transport.heldUntil;
  }

  /** The role the client knows for a user (from lists, members pages and grants). */
  roleOf(user: UserRef): "owner" | "moderator" | "member" | undefined {
    return this.#state.roster.roleOf(idOf(user));
  }

  /** The room's presence model (listed users, counts, roles), for views that show more than `users`. */
  get roster() {
    return this.#state.roster;
  }

  /** Calls `handler` with each `name` event (after the room's state was updated); returns the way to stop. */
  on<K extends RoomEventName>(name: K, handler: (data: RoomEvents[K]) => void): () => void {
    return this.#events.on(name, handler);
  }

  /** Every event from now on, in order; ends when the room is closed. */
  [Symbol.asyncIterator](): AsyncIterator<RoomEvent> {
    return this.#events.iterate();
  }

  /** Says `text`; resolves with the stored message, rejects with the room's error. Waits in the outbox while disconnected. */
  say(text: string, options: SayOptions = {}): Promise<MessageFrame> {
    const to = options.to === undefined ? undefined : this.#user(options.to);
    const replyTo = options.replyTo === undefined ? undefined : this.#quote(options.replyTo);
    const action = this.#transport.say(text, to, replyTo, options.files);
    return this.#await<MessageFrame>(action.id);
  }

  /** Replaces the text of my message `seq`. */
  edit(seq: number, text: string): Promise<EditEventFrame> {
    return this.#await(this.#transport.change({ kind: "edit", target: seq, text }).id);
  }

  /** Deletes message `seq` (mine, or anyone's for moderators and owners). */
  delete(seq: number): Promise<DeleteEventFrame> {
    return this.#await(this.#transport.change({ kind: "delete", target: seq }).id);
  }

  /** Adds (`on`) or takes away my reaction `emoji` to message `seq`. */
  react(seq: number, emoji: string, on = true): Promise<ReactEventFrame> {
    return this.#await(this.#transport.change({ kind: "react", target: seq, emoji, on }).id);
  }

  /** A page of older messages (before `before`, or the newest); they join `messages`. */
  history(options: { before?: number; limit?: number } = {}): Promise<HistoryFrame> {
    // The page joins `messages` when its frame arrives (room-state.ts).
    return this.#transport.request(historySpec(options));
  }

  /** A page of the users online, ascending id (after `after`). */
  members(options: { after?: string; limit?: number } = {}): Promise<MembersFrame> {
    return this.#transport.request(membersSpec(options));
  }

  /** The messages whose current text holds every term of `q`, newest first (protocol v3). */
  search(q: string, options: { before?: number; limit?: number } = {}): Promise<SearchFrame> {
    return this.#transport.request(searchSpec(q, options));
  }

  /** Moves my read position to `seq` (protocol v3; never backwards); sent now, or after the next welcome. */
  read(seq: number): void {
    if (!this.#state.markRead(seq)) return;
    this.#sendRead();
  }

  /** Tells the others I am typing (at most once per 2 s, and not in a room of over 100 online); false when nothing was sent. */
  typing(): boolean {
    const now = Date.now();
    if (now - this.#lastTyping < TIMINGS.typingThrottleMs || this.#state.roster.crowded) return false;
    if (!this.#transport.send({ type: "typing" })) return false;
    this.#lastTyping = now;
    return true;
  }

  /** Closes every socket of `user` (moderators and owners). */
  kick(user: UserRef, options: { reason?: string } = {}): Promise<ModerationFrame> {
    return this.#moderate({ type: "kick", user: idOf(user), ...options });
  }

  /** `user` may not post for `ms` (0 lifts it). */
  mute(user: UserRef, ms: number, options: { reason?: string } = {}): Promise<ModerationFrame> {
    return this.#moderate({ type: "mute", user: idOf(user), ms, ...options });
  }

  /** Closes `user`'s sockets and keeps them out for `ms` (0 lifts it). */
  ban(user: UserRef, ms: number, options: { reason?: string } = {}): Promise<ModerationFrame> {
    return this.#moderate({ type: "ban", user: idOf(user), ms, ...options });
  }

  /** Owners: makes `user` a moderator, or a member again. */
  grant(user: UserRef, role: "moderator" | "member"): Promise<ModerationFrame> {
    return this.#moderate({ type: "grant", user: idOf(user), role });
  }

  /** Moderators and owners: slow mode and the lock (a field left out keeps its value). */
  settings(change: { slowMs?: number; locked?: boolean }): Promise<SettingsFrame> {
    return this.#transport.request(settingsSpec(change, this.self.id));
  }

  /** Changes my name; resolves with me as the room then has me (a taken name gets a free variant). */
  rename(name: string): Promise<User> {
    const trimmed = name.trim();
    if (trimmed === this.self.name) return Promise.resolve({ id: this.self.id, name: this.self.name });
    return this.#transport.request(renameSpec(name, () => this.self));
  }

  /**
   * Sends a request frame without waiting for its answer (which comes as an event: `history`,
   * `members`, `search`, `error`, ...), or `typing`/`read`; false when not connected.
   */
  send(frame: EphemeralFrame): boolean {
    if (this.#transport.status.state !== "open") return false;
    if (frame.type === "typing" || frame.type === "read" || frame.type === "auth") return this.#transport.send(frame);
    this.#transport.request(rawSpec(frame)).catch(() => {});
    return true;
  }

  /** Connects again now: after a close, a removal or a ban, or to skip the backoff wait (nothing while connected or connecting). */
  reconnect(): void {
    const state = this.#transport.status.state;
    if (state !== "open" && state !== "connecting") this.#transport.start();
  }

  /** The network is gone: close now and wait for `reconnect()` (or an `online` signal). */
  goOffline(): void {
    this.#transport.goOffline();
  }

  /**
   * Closes the connection for good. Actions not answered yet stay in the storage's outbox for a
   * later client (which sends them with the same ids); their promises here reject with `closed`.
   */
  async close(): Promise<void> {
    this.#stopNetwork?.();
    this.#transport.stop();
    this.#events.end();
    const waiting = [...this.#actions.values()];
    this.#actions.clear();
    for (const settle of waiting) settle.reject(localError("closed", "the room was closed before it answered"));
    await this.#writer.flushed();
  }

  #sendRead(): void {
    const seq = this.#state.unsentRead();
    if (seq !== undefined && this.#transport.send({ type: "read", seq })) this.#state.readSent(seq);
  }

  #moderate(frame: ModerationRequest): Promise<ModerationFrame> {
    return this.#transport.request(moderationSpec(frame, this.self.id));
  }

  /** The promise of an action; a rejection nobody awaits does not crash the process (it is an `error` event too). */
  #await<T>(id: string): Promise<T> {
    const promise = new Promise<T>((resolve, reject) => this.#actions.set(id, { resolve: resolve as (e: unknown) => void, reject }));
    promise.catch(() => {});
    return promise;
  }

  #settle(id: string): Settle | undefined {
    const settle = this.#actions.get(id);
    this.#actions.delete(id);
    return settle;
  }

  #user(user: UserRef): User {
    if (typeof user !== "string") return { id: user.id, name: user.name };
    return { id: user, name: this.#state.roster.get(user)?.name ?? user };
  }

  #quote(replyTo: number | MessageFrame | ReplyQuote): ReplyQuote {
    if (typeof replyTo !== "number") return "type" in replyTo ? quoteOf(replyTo) : replyTo;
    const message = this.#state.messages.get(replyTo);
    return message ? quoteOf(message) : { seq: replyTo, from: { id: "", name: "" }, text: "" };
  }
}
