/**
 * The reaction picker: a small dialog with common emoji and a field for any other, checked with
 * the protocol's emoji rule (`normalizeEmoji`, the room's own) before anything is sent.
 */
import { LIMITS } from "@edge-chat/protocol";
import { normalizeEmoji } from "@edge-chat/protocol/validate";
import { byId } from "./dom.ts";

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
      if (emoji === null) {
        this.#error.textContent = `A reaction is 1–${LIMITS.emoji} characters, without spaces or control characters.`;
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
