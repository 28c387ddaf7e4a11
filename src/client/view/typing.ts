/** The "alice is typing…" line: who typed lately, forgotten a few seconds after their last notice. */
import type { User } from "@edge-chat/protocol";
import { isolate } from "./dom.ts";

/**
 * A notice stays this long: a typist's page sends one every 2 s while they type (the room passes
 * no more) and none once the box is empty, so a line older than this means they stopped. The
 * protocol has no "stopped typing": this is as soon as the line can honestly go.
 */
export const TYPING_SHOWN_MS = 2_800;

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
    const timer = setTimeout(() => this.stopped(user.id), TYPING_SHOWN_MS);
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
    this.#element.replaceChildren(...typingLine([...this.#typing.values()].map((t) => isolate(t.name))));
  }
}

/** "alice is typing…", "alice and bob are typing…", "alice, bob and 2 others are typing…". */
export function typingLine(names: Node[]): (Node | string)[] {
  const [first, second, third] = names;
  if (!first) return [];
  if (!second) return [first, " is typing…"];
  if (!third) return [first, " and ", second, " are typing…"];
  if (names.length === 3) return [first, ", ", second, " and ", third, " are typing…"];
  return [first, ", ", second, ` and ${names.length - 2} others are typing…`];
}
