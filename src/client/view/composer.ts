/**
 * The message box: Enter sends, Shift+Enter makes a new line, and nothing is sent while an input
 * method is composing (Chinese, Japanese, Korean). It shows a counter near the length limit, the
 * "private to …" chip (set by picking a name or by typing `@name ` first), and sends typing notices.
 */
import { LIMITS, TIMINGS, codePointLength } from "../../shared/protocol.ts";
import type { User } from "../../shared/protocol.ts";

/** The counter appears when this few characters are left. */
const COUNTER_FROM = 200;

/** The elements the composer works with. */
export interface ComposerElements {
  form: HTMLFormElement;
  input: HTMLTextAreaElement;
  send: HTMLButtonElement;
  counter: HTMLElement;
  chip: HTMLElement;
  chipName: HTMLElement;
  chipClear: HTMLButtonElement;
}

/** What the composer needs from the room page. */
export interface ComposerHooks {
  /** Sends a message (already trimmed and within the limit); `to` makes it private. */
  submit(text: string, to: User | undefined): void;
  /** The person is typing (at most once per throttle window). */
  typing(): void;
  /** Online users, for `@name ` at the start of a message. */
  users(): User[];
}

/** The message box and its private-message chip. */
export class Composer {
  readonly #el: ComposerElements;
  readonly #hooks: ComposerHooks;
  #to: User | undefined;
  /** Set between compositionstart and compositionend; some browsers report Enter after the end. */
  #composing = false;
  #lastTypingAt = 0;

  constructor(elements: ComposerElements, hooks: ComposerHooks) {
    this.#el = elements;
    this.#hooks = hooks;
    const input = elements.input;
    input.addEventListener("compositionstart", () => (this.#composing = true));
    input.addEventListener("compositionend", () => (this.#composing = false));
    input.addEventListener("keydown", (event) => this.#keydown(event));
    input.addEventListener("input", () => this.#changed());
    elements.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.#send();
    });
    elements.chipClear.addEventListener("click", () => {
      this.setPrivate(undefined);
      input.focus();
    });
    this.#update();
  }

  /** The recipient of the next message, or undefined for everyone. */
  get privateTo(): User | undefined {
    return this.#to;
  }

  /** Sets (or clears) the private recipient and shows the chip. */
  setPrivate(user: User | undefined): void {
    this.#to = user;
    this.#el.chip.hidden = !user;
    this.#el.chipName.textContent = user?.name ?? "";
    this.#el.input.placeholder = user ? `Private message to ${user.name}` : "Message";
  }

  /** Keeps the chip's name current when its user renames. */
  renamed(user: User): void {
    if (this.#to?.id === user.id) this.setPrivate(user);
  }

  /** Puts text back (a message that could not be sent) unless the person has typed something new. */
  restore(text: string): void {
    if (this.#el.input.value.trim() !== "") return;
    this.#el.input.value = text;
    this.#update();
  }

  /** Moves the keyboard focus to the message box. */
  focus(): void {
    this.#el.input.focus();
  }

  #keydown(event: KeyboardEvent): void {
    // keyCode 229 is what browsers report for keys an input method handles, even after compositionend.
    if (event.isComposing || this.#composing || event.keyCode === 229) return;
    if (event.key === "Enter" && !event.shiftKey && !event.altKey && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      this.#send();
    } else if (event.key === "Escape" && this.#to) {
      event.preventDefault();
      this.setPrivate(undefined);
    } else if (event.key === "Backspace" && this.#to && this.#el.input.selectionEnd === 0) {
      // Backspace at the very start takes the chip away, like deleting a token.
      event.preventDefault();
      this.setPrivate(undefined);
    }
  }

  #changed(): void {
    if (!this.#composing) this.#takeMention();
    this.#update();
    if (this.#el.input.value.trim() === "") return;
    const now = Date.now();
    if (now - this.#lastTypingAt >= TIMINGS.typingThrottleMs) {
      this.#lastTypingAt = now;
      this.#hooks.typing();
    }
  }

  /** `@name ` typed at the very start turns into the private chip (longest matching name wins). */
  #takeMention(): void {
    const value = this.#el.input.value;
    if (!value.startsWith("@")) return;
    const lower = value.toLocaleLowerCase();
    let best: User | undefined;
    for (const user of this.#hooks.users()) {
      const prefix = `@${user.name.toLocaleLowerCase()} `;
      if (lower.startsWith(prefix) && (!best || user.name.length > best.name.length)) best = user;
    }
    if (!best) return;
    this.#el.input.value = value.slice(best.name.length + 2);
    this.setPrivate(best);
  }

  #send(): void {
    const text = this.#el.input.value.trim();
    if (text === "" || codePointLength(text) > LIMITS.text) return;
    this.#hooks.submit(text, this.#to);
    this.#el.input.value = "";
    this.#lastTypingAt = 0;
    this.#update();
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
    this.#el.send.disabled = length === 0 || left < 0;
  }
}
