/** The room page's header: copy link, the people drawer on narrow screens, and one's own name (rename). */
import type { User } from "@edge-chat/protocol";
import { normalizeName } from "@edge-chat/protocol/validate";
import { saveName } from "../storage.ts";
import { initialOf, paintUser } from "./colors.ts";
import { byId } from "./dom.ts";
import { toast } from "./toast.ts";

/** What the header needs from the room page. */
export interface HeaderHooks {
  /** Sends a rename; false when not connected. */
  rename(name: string): boolean;
  /** The name one goes by now (the rename dialog starts from it). */
  current(): string;
  focusComposer(): void;
}

/** What the room page can do with the header. */
export interface Header {
  openRename(): void;
  closePeople(): void;
}

/** Wires the header of room `room`. */
export function setUpHeader(room: string, page: HTMLElement, hooks: HeaderHooks): Header {
  byId("copy-link", HTMLButtonElement).addEventListener("click", async () => {
    const url = `${location.origin}/r/${room}`;
    try {
      await navigator.clipboard.writeText(url);
      toast("Link copied. Send it to anyone you want in this room.");
    } catch {
      window.prompt("Copy this link:", url);
    }
  });

  const toggle = byId("people-toggle", HTMLButtonElement);
  function setPeopleOpen(open: boolean): void {
    page.classList.toggle("people-open", open);
    toggle.setAttribute("aria-expanded", String(open));
  }
  toggle.addEventListener("click", () => setPeopleOpen(toggle.getAttribute("aria-expanded") !== "true"));
  // The drawer (narrow screens) closes like a menu: Escape, or a tap on the conversation.
  page.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && page.classList.contains("people-open")) {
      setPeopleOpen(false);
      toggle.focus();
    }
  });
  page.querySelector(".conversation")?.addEventListener("click", () => setPeopleOpen(false));

  const dialog = byId("rename-dialog", HTMLDialogElement);
  const renameInput = byId("rename-input", HTMLInputElement);
  const renameError = byId("rename-error", HTMLElement);
  function openRename(): void {
    renameInput.value = hooks.current();
    renameError.textContent = "";
    dialog.showModal();
    renameInput.select();
  }
  byId("rename-button", HTMLButtonElement).addEventListener("click", openRename);
  byId("rename-cancel", HTMLButtonElement).addEventListener("click", () => dialog.close());
  byId("rename-form", HTMLFormElement).addEventListener("submit", (event) => {
    const name = normalizeName(renameInput.value);
    if (name === null) {
      event.preventDefault();
      renameError.textContent = "Names are 1–32 characters, without control characters.";
      return;
    }
    saveName(name);
    if (!hooks.rename(name)) toast("You'll get the new name when you're back online.");
  });
  dialog.addEventListener("close", () => hooks.focusComposer());
  return { openRename, closePeople: () => setPeopleOpen(false) };
}

/** Shows who this page is in the header. */
export function showMe(user: User): void {
  byId("me-name", HTMLElement).textContent = user.name;
  const avatar = byId("me-avatar", HTMLElement);
  avatar.textContent = initialOf(user.name);
  paintUser(avatar, user.id);
}
