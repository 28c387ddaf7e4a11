/** A yes-or-no question in a modal dialog (deleting a message, removing someone). */
import { byId } from "./dom.ts";

/** Asks `question`; resolves true when the person confirms with `confirmLabel`. */
export function confirmAction(question: string, detail: string, confirmLabel: string): Promise<boolean> {
  const dialog = byId("confirm-dialog", HTMLDialogElement);
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  byId("confirm-heading", HTMLElement).textContent = question;
  byId("confirm-detail", HTMLElement).textContent = detail;
  byId("confirm-ok", HTMLButtonElement).textContent = confirmLabel;
  dialog.returnValue = "";
  dialog.showModal();
  byId("confirm-cancel", HTMLButtonElement).focus();
  return new Promise((resolve) => {
    dialog.addEventListener(
      "close",
      () => {
        // A row redrawn meanwhile is a new element: fall back to the composer's box.
        if (opener?.isConnected) opener.focus();
        resolve(dialog.returnValue === "ok");
      },
      { once: true },
    );
  });
}
