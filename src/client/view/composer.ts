/**
 * The message box: Enter sends, Shift+Enter makes a new line, and nothing is sent while an input
 * method is composing (Chinese, Japanese, Korean). It shows a counter near the length limit, the
 * `@` autocomplete (mentions are public), and sends typing notices in the room (never from a
 * private conversation: the room would tell everyone). In a private conversation it says so above
 * the box and on the send button, before anything goes; `/msg name text` in the room sends one
 * private message. It also edits (↑ in an empty box takes the last own message; Enter saves,
 * Escape cancels) and replies (the quoted message shows above the box; ✕ or Escape cancels). With
 * pictures in the tray (attachments.ts) a message may go without text.
 */
import { LIMITS, TIMINGS, codePointLength, truncateCodePoints } from "@edge-chat/protocol";
import type { MessageFrame, ReplyQuote, User } from "@edge-chat/protocol";
import { isolate } from "./dom.ts";
import { MentionComplete, type Mentionable } from "./mention-complete.ts";

/** `/msg name text`: the name may hold spaces, so the room page matches it against the names it knows. */
const MSG_COMMAND = /^\/msg\s+(.+)$/su;

/** How much of a quoted message the reply chip shows. */
const CHIP_QUOTE = 80;

/** The counter appears when this few characters are left. */
const COUNTER_FROM = 200;

/** The elements the composer works with. */
export interface ComposerElements {
  form: HTMLFormElement;
  input: HTMLTextAreaElement;
  send: HTMLButtonElement;
  counter: HTMLElement;
  /** The "private to …" line of a private conversation. */
  chip: HTMLElement;
  chipName: HTMLElement;
  mentions: HTMLUListElement;
  /** The "replying to …" / "editing" line above the box. */
  mode: HTMLElement;
  modeText: HTMLElement;
  modeClear: HTMLButtonElement;
}

/** What the composer needs from the room page. */
export interface ComposerHooks {
  /**
   * Sends a message (already trimmed and within the limit); `to` makes it private, `replyTo` answers
   * a message. False: it cannot go yet (a picture was refused), the text stays in the box.
   */
  submit(text: string, to: User | undefined, replyTo: ReplyQuote | undefined): boolean;
  /** Saves an edit of one's own message `seq` (trimmed, within the limit, changed). */
  edit(seq: number, text: string): void;
  /** The newest own message that can be edited. */
  lastOwn(): MessageFrame | undefined;
  /** The person is typing in the room (at most once per throttle window). */
  typing(): void;
  /** People for the `@` autocomplete. */
  people: Mentionable;
  /** `/msg` with what followed it: sends it privately and returns null, or returns why it could not. */
  privateMessage(rest: string): string | null;
  /** Shows (or, with null, clears) a problem with what was typed. */
  problem(text: string | null): void;
  /** How many pictures the next message carries (v3: with some, the text may be empty). */
  pictures(): number;
}

/** The message box. */
export class Composer {
  readonly #el: ComposerElements;
  readonly #hooks: ComposerHooks;
  readonly #mentions: MentionComplete;
  #to: User | undefined;
  /** Set between compositionstart and compositionend; some browsers report Enter after the end. */
  #composing = false;
  #lastTypingAt = 0;
  #reply: { quote: ReplyQuote; private: boolean } | undefined;
  #editing: { seq: number; original: string; draft: string } | undefined;

  constructor(elements: ComposerElements, hooks: ComposerHooks) {
    this.#el = elements;
    this.#hooks = hooks;
    this.#mentions = new MentionComplete(elements.input, elements.mentions, hooks.people);
    const input = elements.input;
    input.addEventListener("compositionstart", () => (this.#composing = true));
    input.addEventListener("compositionend", () => (this.#composing = false));
    input.addEventListener("keydown", (event) => this.#keydown(event));
    input.addEventListener("input", () => this.#changed());
    elements.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.#send();
    });
    elements.modeClear.addEventListener("click", () => {
      this.#cancelMode();
      input.focus();
    });
    this.#update();
  }

  /** The recipient of the next message, or undefined for everyone. */
  get privateTo(): User | undefined {
    return this.#to;
  }

  /** The conversation shown: private with `user`, or the room (undefined). Edits and replies of the other one stop. */
  setPrivate(user: User | undefined): void {
    if (user?.id !== this.#to?.id) {
      if (this.#editing) this.#stopEditing();
      this.#setReply(undefined);
    }
    this.#to = user;
    this.#el.chip.hidden = !user || this.#editing !== undefined;
    this.#el.chipName.textContent = user?.name ?? "";
    this.#el.input.placeholder = user ? `Private message to ${user.name}` : "Message";
    this.#el.send.setAttribute("aria-label", user ? `Send privately to ${user.name}` : "Send message");
    this.#el.form.classList.toggle("private", user !== undefined);
  }

  /** Starts a reply to a message; a reply to a private message goes privately to `privateTo`. */
  startReply(quote: ReplyQuote, privateTo: User | undefined): void {
    if (this.#editing) this.#stopEditing();
    if (privateTo) {
      this.#reply = undefined;
      this.setPrivate(privateTo);
    }
    this.#setReply({ quote, private: privateTo !== undefined });
    this.focus();
  }

  /** Puts one's own message in the box to edit it. */
  startEdit(message: MessageFrame): void {
    const draft = this.#editing ? this.#editing.draft : this.#el.input.value;
    this.#setReply(undefined);
    this.#editing = { seq: message.seq, original: message.text, draft };
    this.#el.input.value = message.text;
    this.#el.chip.hidden = true;
    this.#showMode(["Editing your message"], "Cancel editing");
    this.#update();
    this.focus();
    this.#el.input.setSelectionRange(this.#el.input.value.length, this.#el.input.value.length);
  }

  /** The message being edited was deleted, or its reply target: stop what refers to it. */
  forget(seq: number): void {
    if (this.#editing?.seq === seq) this.#stopEditing();
    if (this.#reply?.quote.seq === seq) this.#setReply(undefined);
  }

  /** Keeps the chip's name current when its user renames. */
  renamed(user: User): void {
    if (this.#to?.id === user.id) this.setPrivate(user);
  }

  /** Puts text back (a message the room held back) unless the person has typed something new; true when it did. */
  restore(text: string): boolean {
    if (this.#el.input.value.trim() !== "") return false;
    this.#el.input.value = text;
    this.#update();
    return true;
  }

  /** Inserts `text` at the caret (a mention picked from a person's menu) and focuses the box. */
  insert(text: string): void {
    const input = this.#el.input;
    const at = input.selectionStart ?? input.value.length;
    const before = input.value.slice(0, at);
    const glue = before === "" || /\s$/u.test(before) ? "" : " ";
    input.value = before + glue + text + input.value.slice(input.selectionEnd ?? at);
    const caret = before.length + glue.length + text.length;
    this.focus();
    input.setSelectionRange(caret, caret);
    this.#update();
  }

  /** Moves the keyboard focus to the message box. */
  focus(): void {
    this.#el.input.focus();
  }

  #keydown(event: KeyboardEvent): void {
    // keyCode 229 is what browsers report for keys an input method handles, even after compositionend.
    if (event.isComposing || this.#composing || event.keyCode === 229) return;
    if (this.#mentions.keydown(event)) return;
    const plain = !event.shiftKey && !event.altKey && !event.ctrlKey && !event.metaKey;
    if (event.key === "Enter" && plain) {
      event.preventDefault();
      this.#send();
    } else if (event.key === "Escape" && (this.#editing || this.#reply)) {
      event.preventDefault();
      this.#cancelMode();
    } else if (event.key === "ArrowUp" && plain && this.#el.input.value === "" && !this.#editing) {
      const last = this.#hooks.lastOwn();
      if (!last) return;
      event.preventDefault();
      this.startEdit(last);
    }
  }

  #changed(): void {
    if (!this.#composing) this.#mentions.update();
    this.#update();
    if (this.#el.input.value.trim() === "" || this.#editing || this.#to) return;
    const now = Date.now();
    if (now - this.#lastTypingAt >= TIMINGS.typingThrottleMs) {
      this.#lastTypingAt = now;
      this.#hooks.typing();
    }
  }

  #send(): void {
    const text = this.#el.input.value.trim();
    if ((text === "" && (this.#editing || this.#hooks.pictures() === 0)) || codePointLength(text) > LIMITS.text) return;
    if (this.#editing) {
      if (text !== this.#editing.original.trim()) this.#hooks.edit(this.#editing.seq, text);
      return this.#stopEditing();
    }
    const command = MSG_COMMAND.exec(text);
    if (command) {
      const problem = this.#hooks.privateMessage(command[1]!);
      this.#hooks.problem(problem);
      if (problem !== null) return;
    } else if (!this.#hooks.submit(text, this.#to, this.#reply?.quote)) return;
    this.#setReply(undefined);
    this.#el.input.value = "";
    this.#lastTypingAt = 0;
    this.#update();
  }

  #cancelMode(): void {
    if (this.#editing) this.#stopEditing();
    else this.#setReply(undefined);
  }

  /** Leaves editing and gives back what was typed before it began. */
  #stopEditing(): void {
    const draft = this.#editing?.draft ?? "";
    this.#editing = undefined;
    this.#el.input.value = draft;
    this.#el.chip.hidden = !this.#to;
    this.#hideMode();
    this.#update();
  }

  #setReply(reply: { quote: ReplyQuote; private: boolean } | undefined): void {
    this.#reply = reply;
    if (!reply) return this.#hideMode();
    const text = reply.quote.text === "" ? "a message" : truncateCodePoints(reply.quote.text, CHIP_QUOTE);
    this.#showMode(["Replying to ", isolate(reply.quote.from.name), ": ", isolate(text)], "Cancel reply");
  }

  #showMode(parts: (Node | string)[], clearLabel: string): void {
    this.#el.modeText.replaceChildren(...parts);
    this.#el.modeClear.setAttribute("aria-label", clearLabel);
    this.#el.mode.hidden = false;
    this.#el.mode.dataset.mode = this.#editing ? "edit" : "reply";
  }

  #hideMode(): void {
    if (this.#editing) return;
    this.#el.mode.hidden = true;
    this.#el.modeText.replaceChildren();
  }

  /** Grows the box with its text, and updates the counter and the send button. */
  #update(): void {
    const input = this.#el.input;
    input.style.height = "auto";
    input.style.height = `${input.scrollHeight}px`;
    const length = codePointLength(input.value.trim());
    const left = LIMITS.text - length;
    const counter = this.#el.counter;
    counter.textContent = left <= COUNTER_FROM ? (left >= 0 ? `${left} left` : `${-left} over the limit`) : "";
    counter.classList.toggle("over", left < 0);
    this.#el.send.disabled = (length === 0 && (this.#editing !== undefined || this.#hooks.pictures() === 0)) || left < 0;
  }

  /** The pictures of the next message changed: the send button follows. */
  refresh(): void {
    this.#update();
  }
}
