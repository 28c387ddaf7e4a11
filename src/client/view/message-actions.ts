/**
 * What can be done on a message, as DOM: its reaction chips (a click toggles one's own; hover, or
 * a long press on a touch screen, tells who reacted as far as the page saw) and its toolbar
 * (three recent reactions one click away, Reply, React, and Edit and Delete on one's own; Delete
 * and Moderate on others' for moderators and owners). The toolbar sits at the message's top
 * corner, off its text, and shows on hover and on keyboard focus; inside it ←/→ move between
 * buttons (one Tab stop). On a touch screen a long press opens the same actions as a bottom sheet.
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
  /** The emoji offered one click away (the person's recent reactions). */
  recent(): string[];
  /** Opens the message's actions as a bottom sheet (touch screens). */
  sheet(message: MessageFrame): void;
  /** Opens a message's pictures in the lightbox at `index` (protocol v3 files). */
  picture(files: readonly FileRef[], index: number, opener: HTMLElement): void;
}

/** One action on a message: its button text, what it says to people who cannot see it, what it does. */
export interface MessageAction {
  text: string;
  label: string;
  run: () => void;
}

/** Holding a finger this long on a message shows its toolbar. */
const LONG_PRESS_MS = 500;
/** A finger moving farther than this during the press is scrolling, not pressing. */
const LONG_PRESS_SLOP_PX = 10;

/** The reaction chips of a message, in the room's order; `pending` ones are not answered yet. */
export function reactionChips(message: MessageFrame, pending: ReadonlySet<string>, actions: MessageActions, reactors: (emoji: string) => string[]): HTMLElement | null {
  const reactions = message.reactions ?? [];
  if (reactions.length === 0) return null;
  const chips = reactions.map((reaction) => {
    const mine = reaction.me === true;
    // The label never starts with the emoji: an attribute that begins with user text could pass for a URL.
    const label = `Reaction ${reaction.emoji}: ${reaction.count}${whoReacted(reactors(reaction.emoji), reaction.count, mine)}${mine ? ". Click to take yours away" : ". Click to react with it too"}`;
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

/** " (you, bob and 2 others)": who reacted, as far as the page saw the reactions come. */
function whoReacted(names: string[], count: number, mine: boolean): string {
  const people = [...(mine ? ["you"] : []), ...names];
  if (people.length === 0) return "";
  const rest = count - people.length;
  return `, by ${people.join(", ")}${rest > 0 ? ` and ${rest} other${rest === 1 ? "" : "s"}` : ""}`;
}

/** What can be done on a message that is not deleted; `myRole` decides who may delete others' messages. */
export function messageActions(message: MessageFrame, me: User, myRole: Role, actions: MessageActions): MessageAction[] {
  const own = message.from.id === me.id;
  const staff = myRole === "owner" || myRole === "moderator";
  const list: MessageAction[] = [
    { text: "Reply", label: `Reply to ${own ? "your message" : message.from.name}`, run: () => actions.reply(message) },
    { text: "React", label: `React to ${own ? "your message" : `${message.from.name}’s message`}`, run: () => actions.react(message) },
  ];
  if (own) list.push({ text: "Edit", label: "Edit your message", run: () => actions.edit(message) });
  if (own || staff) list.push({ text: "Delete", label: own ? "Delete your message" : `Delete ${message.from.name}'s message`, run: () => actions.remove(message) });
  if (!own && staff) list.push({ text: "Moderate", label: `Moderate ${message.from.name}`, run: () => actions.moderate(message.from) });
  return list;
}

/** The toolbar of a message that is not deleted: recent reactions, then its actions. */
export function messageToolbar(message: MessageFrame, me: User, myRole: Role, actions: MessageActions): HTMLElement {
  const mine = new Set((message.reactions ?? []).filter((r) => r.me).map((r) => r.emoji));
  const buttons: HTMLButtonElement[] = [
    ...actions.recent().map((emoji) => {
      const quick = button(emoji, `React with ${emoji}`, () => actions.toggle(message, emoji, !mine.has(emoji)));
      quick.classList.add("quick-react");
      return quick;
    }),
    ...messageActions(message, me, myRole, actions).map((a) => button(a.text, a.label, a.run)),
  ];
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

/** A long press on a touch screen opens the message's actions as a bottom sheet (hover and focus show the toolbar elsewhere). */
export function sheetOnLongPress(row: HTMLElement, open: () => void): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let start = { x: 0, y: 0 };
  /** Set when the press opened the sheet: lifting that finger must not click the sheet's backdrop. */
  let opened = false;
  const cancel = () => clearTimeout(timer);
  row.addEventListener("pointerdown", (event) => {
    if (event.pointerType !== "touch") return;
    cancel();
    opened = false;
    start = { x: event.clientX, y: event.clientY };
    timer = setTimeout(() => {
      opened = true;
      open();
    }, LONG_PRESS_MS);
  });
  // The click a browser makes from the lifted finger would land on the sheet just opened and close it.
  row.addEventListener(
    "touchend",
    (event) => {
      if (opened) event.preventDefault();
      opened = false;
    },
    { passive: false },
  );
  // The long press is the touch screen's way in: the browser's own menu would cover the sheet.
  row.addEventListener("contextmenu", (event) => {
    if (matchMedia("(pointer: coarse)").matches) event.preventDefault();
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
