/**
 * The reaction picker: a small dialog (a bottom sheet on touch screens) with common emoji and a
 * field for any other, checked with the protocol's emoji rule (`normalizeEmoji`, the room's own)
 * and, being a person's reaction, for being an emoji at all before anything is sent.
 */
import { LIMITS } from "@edge-chat/protocol";
import { normalizeEmoji } from "@edge-chat/protocol/validate";
import { byId } from "./dom.ts";

/** Every grapheme draws a picture: a pictographic character, a flag, or a keycap ("lol" is not a reaction). */
export function isEmoji(text: string): boolean {
  const graphemes = [...new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(text)].map((g) => g.segment);
  return graphemes.length > 0 && graphemes.every((g) => /\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20E3/u.test(g));
}

/** Picks one emoji for a message. */
export class ReactionPicker {
  readonly #dialog = byId("react-dialog", HTMLDialogElement);
  readonly #input = byId("react-input", HTMLInputElement);
  readonly #error = byId("react-error", HTMLElement);
  #onPick: ((emoji: string) => void) | undefined;
  #opener: HTMLElement | null = null;

  constructor() {
    for (const button of this.#dialog.querySelectorAll<HTMLButtonElement>("button[data-emoji]")) {
      button.addEventListener("click", () => this.#pick(button.dataset.emoji!));
    }
    byId("react-form", HTMLFormElement).addEventListener("submit", (event) => {
      event.preventDefault();
      const emoji = normalizeEmoji(this.#input.value);
      if (emoji === null || !isEmoji(emoji)) {
        this.#error.textContent = `A reaction is an emoji (up to ${LIMITS.emoji} characters): pick one above, or type or paste one.`;
        this.#input.focus();
        return;
      }
      this.#pick(emoji);
    });
    byId("react-cancel", HTMLButtonElement).addEventListener("click", () => this.#dialog.close());
    this.#dialog.addEventListener("close", () => this.#opener?.focus());
  }

  /** Opens the picker; `onPick` gets the chosen emoji. */
  open(onPick: (emoji: string) => void): void {
    this.#opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    this.#onPick = onPick;
    this.#input.value = "";
    this.#error.textContent = "";
    this.#dialog.showModal();
    this.#dialog.querySelector<HTMLButtonElement>("button[data-emoji]")?.focus();
  }

  #pick(emoji: string): void {
    const onPick = this.#onPick;
    this.#onPick = undefined;
    this.#dialog.close();
    onPick?.(emoji);
  }
}
