/**
 * What can be done on a message, as DOM: its reaction chips (a click toggles one's own) and its
 * toolbar (Reply, React, and Edit and Delete on one's own; Delete and Moderate on others' for
 * moderators and owners). The toolbar shows on hover, on keyboard focus and after a long press
 * on a touch screen; inside it ←/→ move between buttons (one Tab stop).
 */
import type { FileRef, MessageFrame, Role, User } from "@edge-chat/protocol";
import { el } from "./dom.ts";

/** What the buttons of a message do; the room page provides them. */
export interface MessageActions {
  reply(message: MessageFrame): void;
  /** Opens the reaction picker for a message. */
  react(message: MessageFrame): void;
  /** Adds (`on`) or takes away one's own reaction. */
  toggle(message: MessageFrame, emoji: string, on: boolean): void;
  edit(message: MessageFrame): void;
  remove(message: MessageFrame): void;
  /** Opens the moderation menu for a person (moderators and owners). */
  moderate(user: User): void;
  /** Scrolls to a message (a reply's quote was clicked). */
  jump(seq: number): void;
  /** Opens a message's pictures in the lightbox at `index` (protocol v3 files). */
  picture(files: readonly FileRef[], index: number, opener: HTMLElement): void;
}

/** Holding a finger this long on a message shows its toolbar. */
const LONG_PRESS_MS = 500;
/** A finger moving farther than this during the press is scrolling, not pressing. */
const LONG_PRESS_SLOP_PX = 10;

/** The reaction chips of a message, in the room's order; `pending` ones are not answered yet. */
export function reactionChips(message: MessageFrame, pending: ReadonlySet<string>, actions: MessageActions): HTMLElement | null {
  const reactions = message.reactions ?? [];
  if (reactions.length === 0) return null;
  const chips = reactions.map((reaction) => {
    const mine = reaction.me === true;
    // The label never starts with the emoji: an attribute that begins with user text could pass for a URL.
    const label = `Reaction ${reaction.emoji}: ${reaction.count}${mine ? ", including you. Click to take yours away" : ". Click to react with it too"}`;
    const chip = el(
      "button",
      { class: `reaction${mine ? " mine" : ""}${pending.has(reaction.emoji) ? " pending" : ""}`, attrs: { type: "button", "aria-pressed": String(mine), "aria-label": label, title: label } },
      el("span", { class: "emoji", attrs: { dir: "auto" } }, reaction.emoji),
      el("span", { class: "count" }, String(reaction.count)),
    );
    chip.addEventListener("click", () => actions.toggle(message, reaction.emoji, !mine));
    return chip;
  });
  return el("div", { class: "reactions" }, ...chips);
}

/** The toolbar of a message that is not deleted; `myRole` decides who may delete others' messages. */
export function messageToolbar(message: MessageFrame, me: User, myRole: Role, actions: MessageActions): HTMLElement {
  const own = message.from.id === me.id;
  const staff = myRole === "owner" || myRole === "moderator";
  const buttons: HTMLButtonElement[] = [
    button("Reply", `Reply to ${own ? "your message" : message.from.name}`, () => actions.reply(message)),
    button("React", `React to ${own ? "your message" : `${message.from.name}’s message`}`, () => actions.react(message)),
  ];
  if (own) buttons.push(button("Edit", "Edit your message", () => actions.edit(message)));
  if (own || staff) buttons.push(button("Delete", own ? "Delete your message" : `Delete ${message.from.name}'s message`, () => actions.remove(message)));
  if (!own && staff) buttons.push(button("Moderate", `Moderate ${message.from.name}`, () => actions.moderate(message.from)));
  buttons.forEach((b, i) => (b.tabIndex = i === 0 ? 0 : -1));
  const toolbar = el("div", { class: "actions", attrs: { role: "toolbar", "aria-label": "Message actions" } }, ...buttons);
  toolbar.addEventListener("keydown", (event) => {
    if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") return;
    event.preventDefault();
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    const next = buttons[(at + (event.key === "ArrowRight" ? 1 : buttons.length - 1)) % buttons.length]!;
    for (const b of buttons) b.tabIndex = b === next ? 0 : -1;
    next.focus();
  });
  return toolbar;
}

/** A long press on a touch screen shows the row's toolbar (hover and focus do it elsewhere). */
export function showActionsOnLongPress(row: HTMLElement): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let start = { x: 0, y: 0 };
  const cancel = () => clearTimeout(timer);
  row.addEventListener("pointerdown", (event) => {
    if (event.pointerType !== "touch") return;
    cancel();
    start = { x: event.clientX, y: event.clientY };
    timer = setTimeout(() => {
      for (const open of document.querySelectorAll(".msg.show-actions")) if (open !== row) open.classList.remove("show-actions");
      row.classList.add("show-actions");
      // The next touch anywhere else puts the toolbar away again.
      const away = (e: PointerEvent) => {
        if (row.contains(e.target as Node)) return;
        row.classList.remove("show-actions");
        document.removeEventListener("pointerdown", away, true);
      };
      document.addEventListener("pointerdown", away, true);
    }, LONG_PRESS_MS);
  });
  // A finger always trembles a little: only a real move (a scroll) cancels the press.
  row.addEventListener("pointermove", (event) => {
    if (Math.hypot(event.clientX - start.x, event.clientY - start.y) > LONG_PRESS_SLOP_PX) cancel();
  });
  for (const type of ["pointerup", "pointercancel"]) row.addEventListener(type, cancel);
}

function button(text: string, label: string, action: () => void): HTMLButtonElement {
  const b = el("button", { class: "action", attrs: { type: "button", "aria-label": label, title: label } }, text);
  b.addEventListener("click", (event) => {
    event.stopPropagation();
    action();
  });
  return b;
}
