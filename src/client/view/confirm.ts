/** A yes-or-no question in a modal dialog (deleting a message, removing someone). */
import { LIMITS, codePointLength } from "@edge-chat/protocol";
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

/**
 * Asks `question` with an optional reason (moderation): resolves with the reason, trimmed ("" for
 * none), or null when the person cancels. A reason over the room's limit is refused in the dialog.
 */
export function confirmWithReason(question: string, detail: string, confirmLabel: string): Promise<string | null> {
  const field = byId("confirm-reason-field", HTMLElement);
  const input = byId("confirm-reason", HTMLTextAreaElement);
  const error = byId("confirm-reason-error", HTMLElement);
  const form = byId("confirm-dialog", HTMLDialogElement).querySelector("form")!;
  field.hidden = false;
  input.value = "";
  error.textContent = "";
  const check = (event: SubmitEvent) => {
    const submitter = event.submitter as HTMLButtonElement | null;
    if (submitter?.value !== "ok" || codePointLength(input.value.trim()) <= LIMITS.reason) return;
    event.preventDefault();
    error.textContent = `A reason is at most ${LIMITS.reason} characters.`;
    input.focus();
  };
  form.addEventListener("submit", check);
  const answer = confirmAction(question, detail, confirmLabel);
  input.focus();
  return answer.then((ok) => {
    form.removeEventListener("submit", check);
    field.hidden = true;
    return ok ? input.value.trim() : null;
  });
}
