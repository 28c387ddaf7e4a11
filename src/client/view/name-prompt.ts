/**
 * A visitor who came by a link and never chose a name here is asked for one before joining, with
 * a guest name already filled in (the room's own shape, `guest-` and hex), so that one press of
 * Enter joins as a guest and typing a name joins under it.
 */
import { LIMITS } from "@edge-chat/protocol";
import { normalizeName } from "@edge-chat/protocol/validate";
import { saveName } from "../storage.ts";
import { byId } from "./dom.ts";

/** Asks for a name and keeps it; resolves once there is one. */
export function askName(): Promise<void> {
  const dialog = byId("name-dialog", HTMLDialogElement);
  const input = byId("name-input", HTMLInputElement);
  const error = byId("name-error", HTMLElement);
  const guest = `guest-${Array.from(crypto.getRandomValues(new Uint8Array(3)), (b) => b.toString(16).padStart(2, "0")).join("")}`;
  input.value = guest;
  return new Promise((resolve) => {
    byId("name-form", HTMLFormElement).addEventListener("submit", (event) => {
      const name = normalizeName(input.value);
      if (name === null) {
        event.preventDefault();
        error.textContent = `Names are 1–${LIMITS.name} characters, without control characters.`;
        input.focus();
        return;
      }
      saveName(name);
      resolve();
    });
    // Escape keeps the guest name rather than leaving the visitor nowhere.
    dialog.addEventListener("cancel", (event) => {
      event.preventDefault();
      saveName(guest);
      dialog.close();
      resolve();
    });
    dialog.showModal();
    input.select();
  });
}
