/**
 * A message's actions as a bottom sheet, for touch screens (a long press opens it): the recent
 * reactions one tap away, every action of the toolbar as a big button, and who reacted as far as
 * the page saw. Closed by Close, Escape, or a tap outside.
 */
import type { MessageFrame } from "@edge-chat/protocol";
import { byId, el } from "./dom.ts";
import type { MessageAction } from "./message-actions.ts";

/** Opens the sheet for `message`; `react` toggles one of the recent emoji. */
export function openActionSheet(message: MessageFrame, actions: MessageAction[], recent: string[], react: (emoji: string) => void, reactors: string): void {
  const sheet = byId("actions-sheet", HTMLDialogElement);
  const close = () => sheet.close();
  const mine = new Set((message.reactions ?? []).filter((r) => r.me).map((r) => r.emoji));
  byId("actions-heading", HTMLElement).replaceChildren(`Message from `, el("bdi", {}, message.from.name));
  byId("actions-recent", HTMLElement).replaceChildren(
    ...recent.map((emoji) => {
      const b = el("button", { class: `emoji-choice${mine.has(emoji) ? " mine" : ""}`, attrs: { type: "button", "aria-label": `React with ${emoji}`, "aria-pressed": String(mine.has(emoji)) } }, emoji);
      b.addEventListener("click", () => {
        close();
        react(emoji);
      });
      return b;
    }),
  );
  byId("actions-list", HTMLElement).replaceChildren(
    ...actions.map((action) => {
      const b = el("button", { class: "button", attrs: { type: "button", "aria-label": action.label } }, action.text);
      b.addEventListener("click", () => {
        close();
        action.run();
      });
      return b;
    }),
  );
  byId("actions-reactors", HTMLElement).textContent = reactors;
  byId("actions-close", HTMLButtonElement).onclick = close;
  // A tap on the backdrop (the dialog element itself, outside its box) closes it.
  sheet.onclick = (event) => {
    if (event.target === sheet) close();
  };
  sheet.showModal();
}
