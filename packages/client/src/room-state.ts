/**
 * What a room object knows, kept from the frames the transport passes on: me, the people
 * (roster.ts), the messages (message-store.ts), the settings and my read position. Each frame
 * updates the state first and is then emitted as its event, so a handler sees the room as the
 * frame left it.
 */
import type { MessageFrame, RoomSettings, SelfUser, WelcomeFrame } from "@edge-chat/protocol";
import type { RoomFrame } from "@edge-chat/protocol/server-frames";
import type { RoomEventName, RoomEvents } from "./events.ts";
import { MessageStore } from "./message-store.ts";
import { Roster } from "./roster.ts";
import { UnreadCount } from "./unread.ts";

type Emit = <K extends RoomEventName>(name: K, data: RoomEvents[K]) => void;

/** The state of one room, from its frames. */
export class RoomState {
  readonly roster = new Roster();
  readonly messages: MessageStore;
  self: SelfUser = { id: "", name: "", role: "member" };
  settings: RoomSettings = { slowMs: 0, locked: false };
  read = 0;
  readonly #unread = new UnreadCount();
  readonly #emit: Emit;
  #welcomed = false;
  #resuming = false;
  /** The read position asked for and not yet sent (it goes after the next welcome). */
  #readToSend: number | undefined;

  constructor(maxMessages: number, emit: Emit) {
    this.messages = new MessageStore(maxMessages);
    this.#emit = emit;
  }

  /** An accepted hello: a first welcome, a resume (its events applied in order), or a reset. */
  welcome(welcome: WelcomeFrame): void {
    const reset = this.#welcomed && !welcome.resumed;
    this.#welcomed = true;
    this.self = { ...welcome.self };
    this.settings = { ...welcome.settings };
    if (welcome.read !== undefined) this.read = Math.max(this.read, welcome.read);
    if (welcome.unread !== undefined) this.#unread.welcome(welcome.unread);
    this.roster.reset(welcome);
    if (!welcome.resumed) this.messages.reset(welcome.messages.filter((m): m is MessageFrame => m.type === "message"));
    this.#emit("welcome", welcome);
    this.#emit("presence", welcome);
    if (reset) this.#emit("reset", welcome);
    if (!welcome.resumed) return;
    // The welcome's `unread` counted the resumed messages already.
    this.#resuming = true;
    try {
      for (const event of welcome.messages) this.frame(event);
    } finally {
      this.#resuming = false;
    }
  }

  /** Any later frame. */
  frame(frame: RoomFrame): void {
    switch (frame.type) {
      case "message":
        if (!this.#resuming && this.messages.get(frame.seq) === undefined) this.#unread.arrived(frame, this.self.id, this.read);
        this.messages.add([frame]);
        return this.#emit("message", frame);
      case "delete":
        if (!this.#resuming) this.#unread.deleting(this.messages.get(frame.target), this.self.id, this.read);
        this.messages.apply(frame, this.self.id);
        return this.#emit(frame.type, frame);
      case "edit":
      case "react":
        this.messages.apply(frame, this.self.id);
        return this.#emit(frame.type, frame as never);
      case "join":
        this.roster.join(frame.user, frame.online);
        this.#emit("join", frame);
        return this.#emit("presence", frame);
      case "leave":
        this.roster.leave(frame.user.id, frame.online);
        this.#emit("leave", frame);
        return this.#emit("presence", frame);
      case "occupancy":
        this.roster.occupancy(frame.online);
        this.#emit("occupancy", frame);
        return this.#emit("presence", frame);
      case "rename":
        this.roster.rename(frame.user);
        if (frame.user.id === this.self.id) this.self = { ...this.self, name: frame.user.name };
        this.#emit("rename", frame);
        return this.#emit("presence", frame);
      case "members":
        this.roster.learn(frame.users);
        // A room small enough to list whole: its one page is the whole list.
        if (frame.next === undefined && frame.users.length === this.roster.online) this.roster.replace(frame.users);
        this.#emit("members", frame);
        return this.#emit("presence", frame);
      case "moderation":
        if (frame.action === "grant" && frame.role) {
          this.roster.setRole(frame.user.id, frame.role);
          if (frame.user.id === this.self.id && this.self.role !== "owner") this.self = { ...this.self, role: frame.role };
        }
        this.#emit("moderation", frame);
        if (frame.action === "grant") this.#emit("presence", frame);
        return;
      case "settings":
        this.settings = { slowMs: frame.slowMs, locked: frame.locked };
        return this.#emit("settings", frame);
      case "history":
        this.messages.add(frame.messages);
        return this.#emit("history", frame);
      case "read":
        this.#moveRead(frame.seq);
        return this.#emit("read", frame);
      case "typing":
      case "search":
      case "auth":
      case "error":
        return this.#emit(frame.type, frame as never);
      case "welcome":
        return;
    }
  }

  /** I read up to `seq`: true when that moves my position (then it is to be sent). */
  markRead(seq: number): boolean {
    if (!Number.isSafeInteger(seq) || seq <= this.read) return false;
    this.#moveRead(seq);
    this.#readToSend = seq;
    return true;
  }

  /** Messages above my read position that I may see, not mine, not deleted (live; see unread.ts). */
  get unread(): number {
    return this.#unread.count;
  }

  #moveRead(seq: number): void {
    if (seq <= this.read) return;
    const previous = this.read;
    this.read = seq;
    this.#unread.moved(seq, previous, this.messages.list, this.self.id);
  }

  /** The read position still to send, if any. */
  unsentRead(): number | undefined {
    return this.#readToSend;
  }

  /** The position was sent. */
  readSent(seq: number): void {
    if (this.#readToSend === seq) this.#readToSend = undefined;
  }
}
