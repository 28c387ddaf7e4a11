/**
 * The pictures of a message, large (protocol v3 files): a click on a picture opens it in a modal
 * dialog; ← and → move between the message's pictures, Esc (or ✕, or a click beside the picture)
 * closes it and gives the focus back to the picture that opened it.
 */
import type { FileRef } from "@edge-chat/protocol";
import { el } from "./dom.ts";

/** The name a picture is shown and announced by. */
export function altOf(file: FileRef): string {
  return file.name ?? "picture";
}

/** One dialog for every message's pictures. */
export class Lightbox {
  readonly #dialog: HTMLDialogElement;
  readonly #image: HTMLImageElement;
  readonly #caption: HTMLElement;
  readonly #previous: HTMLButtonElement;
  readonly #next: HTMLButtonElement;
  #files: readonly FileRef[] = [];
  #index = 0;
  #opener: HTMLElement | undefined;

  constructor() {
    this.#image = el("img", { class: "lightbox-image" });
    this.#caption = el("p", { class: "lightbox-caption", attrs: { dir: "auto", "aria-live": "polite" } });
    this.#previous = el("button", { class: "icon-button lightbox-previous", attrs: { type: "button", "aria-label": "Previous picture" } }, "‹");
    this.#next = el("button", { class: "icon-button lightbox-next", attrs: { type: "button", "aria-label": "Next picture" } }, "›");
    const close = el("button", { class: "icon-button lightbox-close", attrs: { type: "button", "aria-label": "Close the picture" } }, "✕");
    this.#dialog = el("dialog", { class: "dialog lightbox", attrs: { id: "lightbox", "aria-label": "Picture" } }, close, this.#previous, this.#image, this.#next, this.#caption);
    document.body.append(this.#dialog);
    close.addEventListener("click", () => this.#dialog.close());
    this.#previous.addEventListener("click", () => this.#show(this.#index - 1));
    this.#next.addEventListener("click", () => this.#show(this.#index + 1));
    // A click on the backdrop (the dialog itself, outside its contents) closes it.
    this.#dialog.addEventListener("click", (event) => event.target === this.#dialog && this.#dialog.close());
    this.#dialog.addEventListener("keydown", (event) => {
      if (event.key === "ArrowLeft") this.#show(this.#index - 1);
      else if (event.key === "ArrowRight") this.#show(this.#index + 1);
      else return;
      event.preventDefault();
    });
    this.#dialog.addEventListener("close", () => {
      this.#image.removeAttribute("src");
      this.#opener?.focus();
    });
  }

  /** Opens the message's pictures at `index`; `opener` gets the focus back on close. */
  open(files: readonly FileRef[], index: number, opener: HTMLElement): void {
    this.#files = files;
    this.#opener = opener;
    this.#show(index);
    if (!this.#dialog.open) this.#dialog.showModal();
  }

  #show(index: number): void {
    if (index < 0 || index >= this.#files.length) return;
    this.#index = index;
    const file = this.#files[index]!;
    this.#image.src = file.url;
    this.#image.alt = altOf(file);
    if (file.width && file.height) {
      this.#image.width = file.width;
      this.#image.height = file.height;
    }
    const count = this.#files.length > 1 ? ` (${index + 1} of ${this.#files.length})` : "";
    this.#caption.textContent = `${altOf(file)}${count}`;
    this.#previous.hidden = this.#files.length < 2;
    this.#next.hidden = this.#files.length < 2;
    this.#previous.disabled = index === 0;
    this.#next.disabled = index === this.#files.length - 1;
  }
}

/** The largest box a picture takes in the conversation, in CSS pixels. */
const BOX = { width: 320, height: 240 };

/**
 * A message's pictures as buttons, each image sized from its recorded width and height (fitted in
 * the box) so its space is kept before it loads; a click opens the lightbox.
 */
export function pictureGrid(files: readonly FileRef[], open: (index: number, opener: HTMLElement) => void): HTMLElement {
  const grid = el("div", { class: "pictures" });
  files.forEach((file, index) => {
    const image = el("img", { attrs: { src: file.url, alt: altOf(file), loading: "lazy", decoding: "async" } });
    if (file.width && file.height) {
      const scale = Math.min(1, BOX.width / file.width, BOX.height / file.height);
      image.width = Math.max(1, Math.round(file.width * scale));
      image.height = Math.max(1, Math.round(file.height * scale));
    }
    const button = el("button", { class: "picture", attrs: { type: "button", title: `Open ${altOf(file)}` } }, image);
    button.addEventListener("click", () => open(index, button));
    grid.append(button);
  });
  return grid;
}
