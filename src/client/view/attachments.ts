/**
 * Pictures on their way into a message (protocol v3 files): the attach button, paste and
 * drag-and-drop add images to the tray above the message box; each shows a preview with a remove
 * button and its upload's progress, which starts at once. A refused upload says why next to the
 * file (too large, wrong type, muted, rate limited). A message sent before its files are uploaded
 * waits with them (offline, uploads start again when the page is back online), then goes to the
 * outbox like any other.
 */
import { FILE_TYPES, LIMITS, type FileRef, type FileType } from "@edge-chat/protocol";
import { UploadError, uploadFile } from "@edge-chat/client";
import { el } from "./dom.ts";

/** The elements of the tray. */
export interface AttachmentElements {
  /** Where files may be dropped (the composer area). */
  dropZone: HTMLElement;
  input: HTMLTextAreaElement;
  button: HTMLButtonElement;
  picker: HTMLInputElement;
  tray: HTMLUListElement;
  /** The line that says a message waits for its files. */
  status: HTMLElement;
}

/** What the tray needs from the page. */
export interface AttachmentHooks {
  room: string;
  /** The credential of uploads: this browser's token, or the signed one; none behind Cloudflare Access. */
  credential(): Promise<string | undefined>;
  /** The largest upload, as the room's welcome said (the protocol's default until then). */
  maxBytes(): number;
  /** The files changed (the send button may change). */
  changed(): void;
}

/** A message waiting for its files: `send` is called with their ids once all are uploaded. */
export interface QueuedMessage {
  text: string;
  send(ids: string[]): void;
}

type State = "uploading" | "waiting" | "done" | "refused";

interface Item {
  file: File;
  preview: string;
  state: State;
  uploaded?: FileRef;
  row: HTMLLIElement;
  bar: HTMLProgressElement;
  note: HTMLElement;
}

/** Refusals that trying again cannot mend. */
const FINAL = new Set(["too_large", "bad_type", "bad_query", "unauthorized", "forbidden", "banned", "muted"]);

/** The tray of pictures for the next message. */
export class Attachments {
  readonly #el: AttachmentElements;
  readonly #hooks: AttachmentHooks;
  #items: Item[] = [];
  #queued: QueuedMessage | undefined;

  constructor(elements: AttachmentElements, hooks: AttachmentHooks) {
    this.#el = elements;
    this.#hooks = hooks;
    elements.picker.accept = FILE_TYPES.join(",");
    elements.button.addEventListener("click", () => elements.picker.click());
    elements.picker.addEventListener("change", () => {
      this.add([...(elements.picker.files ?? [])]);
      elements.picker.value = "";
    });
    elements.input.addEventListener("paste", (event) => {
      const files = [...(event.clipboardData?.files ?? [])];
      if (files.length === 0) return;
      event.preventDefault();
      this.add(files);
    });
    elements.dropZone.addEventListener("dragover", (event) => {
      if (!event.dataTransfer?.types.includes("Files")) return;
      event.preventDefault();
      elements.dropZone.classList.add("dropping");
    });
    elements.dropZone.addEventListener("dragleave", () => elements.dropZone.classList.remove("dropping"));
    elements.dropZone.addEventListener("drop", (event) => {
      elements.dropZone.classList.remove("dropping");
      const files = [...(event.dataTransfer?.files ?? [])];
      if (files.length === 0) return;
      event.preventDefault();
      this.add(files);
    });
    // Uploads that failed for want of a network start again once it is back.
    addEventListener("online", () => this.#retry());
  }

  /** How many files the next message carries. */
  get count(): number {
    return this.#items.length;
  }

  /** Adds pictures to the tray (at most the protocol's 4) and starts their uploads. */
  add(files: File[]): void {
    for (const file of files) {
      if (this.#items.length >= LIMITS.files) {
        this.#el.status.textContent = `A message carries at most ${LIMITS.files} pictures.`;
        break;
      }
      const item = this.#item(file);
      this.#items.push(item);
      this.#el.tray.append(item.row);
      this.#upload(item);
    }
    this.#el.tray.hidden = this.#items.length === 0;
    this.#hooks.changed();
  }

  /**
   * The message is sent with the tray's files: at once when they are all uploaded, else once
   * they are (a refused one must be removed first: false).
   */
  submit(message: QueuedMessage): boolean {
    if (this.#items.some((i) => i.state === "refused")) {
      this.#el.status.textContent = "Remove the pictures that could not be uploaded, then send.";
      return false;
    }
    this.#queued = message;
    this.#flush();
    return true;
  }

  #flush(): void {
    const message = this.#queued;
    if (!message) return;
    if (this.#items.some((i) => i.state !== "done")) {
      this.#el.status.textContent = "The message is sent once its pictures are uploaded.";
      return;
    }
    const ids = this.#items.map((i) => i.uploaded!.id);
    this.#queued = undefined;
    for (const item of this.#items) URL.revokeObjectURL(item.preview);
    this.#items = [];
    this.#el.tray.replaceChildren();
    this.#el.tray.hidden = true;
    this.#el.status.textContent = "";
    message.send(ids);
    this.#hooks.changed();
  }

  #item(file: File): Item {
    const preview = URL.createObjectURL(file);
    const name = file.name || "pasted image";
    const bar = el("progress", { class: "upload-progress", attrs: { max: "1", value: "0", "aria-label": `Uploading ${name}` } });
    const note = el("span", { class: "upload-note", attrs: { role: "status" } });
    const remove = el("button", { class: "chip-clear", attrs: { type: "button", "aria-label": `Remove ${name}` } }, "✕");
    const row = el("li", { class: "attachment", attrs: { "data-state": "uploading" } }, el("img", { attrs: { src: preview, alt: name } }), bar, note, remove);
    const item: Item = { file, preview, state: "uploading", row, bar, note };
    remove.addEventListener("click", () => this.#remove(item));
    return item;
  }

  #remove(item: Item): void {
    this.#items = this.#items.filter((i) => i !== item);
    URL.revokeObjectURL(item.preview);
    item.row.remove();
    this.#el.tray.hidden = this.#items.length === 0;
    this.#el.status.textContent = "";
    this.#hooks.changed();
    if (this.#queued && this.#items.length === 0) {
      // Every file went: the text goes alone, if there is any.
      const message = this.#queued;
      this.#queued = undefined;
      if (message.text !== "") message.send([]);
      return;
    }
    this.#flush();
  }

  async #upload(item: Item): Promise<void> {
    const type = FILE_TYPES.includes(item.file.type as FileType) ? (item.file.type as FileType) : undefined;
    if (!type) return this.#refuse(item, "Not a picture this chat takes (PNG, JPEG, GIF or WebP).");
    if (item.file.size > this.#hooks.maxBytes()) return this.#refuse(item, `Too large: at most ${megabytes(this.#hooks.maxBytes())}.`);
    this.#set(item, "uploading", "");
    try {
      item.uploaded = await uploadFile({
        room: this.#hooks.room,
        credential: await this.#hooks.credential(),
        body: item.file,
        type,
        ...(item.file.name ? { name: item.file.name.slice(0, 128) } : {}),
        onProgress: (sent, total) => {
          item.bar.value = total > 0 ? sent / total : 0;
          item.row.dataset.sent = String(sent);
        },
      });
    } catch (err) {
      if (!this.#items.includes(item)) return;
      if (err instanceof UploadError && FINAL.has(err.code)) return this.#refuse(item, reasonOf(err));
      // No network, a rate limit, a server hiccup: it goes again (when online, or after the wait).
      this.#set(item, "waiting", err instanceof UploadError && err.code === "rate_limited" ? "Too fast: trying again soon." : "Waiting for the connection…");
      const wait = err instanceof UploadError && err.retryAfterMs !== undefined ? err.retryAfterMs : 3_000;
      if (navigator.onLine) setTimeout(() => item.state === "waiting" && this.#upload(item), wait);
      return;
    }
    if (!this.#items.includes(item)) return;
    item.bar.value = 1;
    this.#set(item, "done", "");
    this.#flush();
  }

  #retry(): void {
    for (const item of this.#items) if (item.state === "waiting") void this.#upload(item);
  }

  #refuse(item: Item, reason: string): void {
    this.#set(item, "refused", reason);
    this.#hooks.changed();
  }

  #set(item: Item, state: State, note: string): void {
    item.state = state;
    item.row.dataset.state = state;
    item.note.textContent = note;
  }
}

function reasonOf(err: UploadError): string {
  switch (err.code) {
    case "too_large":
      return "Too large for this chat.";
    case "bad_type":
      return "Not a picture this chat takes (PNG, JPEG, GIF or WebP).";
    case "muted":
      return "You are muted: no uploads for now.";
    case "banned":
      return "You are banned from this room.";
    default:
      return err.message;
  }
}

function megabytes(bytes: number): string {
  return `${Math.round((bytes / 1_048_576) * 10) / 10} MB`;
}
