/** The "alice is typing…" line: who typed lately, forgotten a few seconds after their last notice. */
import type { User } from "../../shared/protocol.ts";

/** A notice stays this long; the room passes at most one per user per 2 s while they type. */
const SHOWN_MS = 4_000;

/** Tracks who is typing and renders the line. */
export class TypingLine {
  readonly #element: HTMLElement;
  readonly #typing = new Map<string, { name: string; timer: ReturnType<typeof setTimeout> }>();

  constructor(element: HTMLElement) {
    this.#element = element;
  }

  /** Someone is typing (a `typing` frame). */
  typing(user: User): void {
    clearTimeout(this.#typing.get(user.id)?.timer);
    const timer = setTimeout(() => this.stopped(user.id), SHOWN_MS);
    this.#typing.set(user.id, { name: user.name, timer });
    this.#render();
  }

  /** Someone stopped: they sent their message, left, or went quiet. */
  stopped(id: string): void {
    const entry = this.#typing.get(id);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.#typing.delete(id);
    this.#render();
  }

  /** Forgets everyone (after a reconnect that did not resume). */
  clear(): void {
    for (const id of [...this.#typing.keys()]) this.stopped(id);
  }

  #render(): void {
    this.#element.textContent = typingText([...this.#typing.values()].map((t) => t.name));
  }
}

/** "alice is typing…", "alice and bob are typing…", "alice, bob and 2 others are typing…". */
export function typingText(names: string[]): string {
  if (names.length === 0) return "";
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  if (names.length === 3) return `${names[0]}, ${names[1]} and ${names[2]} are typing…`;
  return `${names[0]}, ${names[1]} and ${names.length - 2} others are typing…`;
}
