/**
 * One chat line as DOM: a message (author in their colour with a role badge, local time, an
 * "edited" mark, the quote it replies to, text with safe links and marked mentions, a private
 * label, reaction chips and its toolbar), a deleted message's quiet line, a system line, or an own
 * message not yet delivered.
 */
import type { MessageFrame, ReplyQuote, Role, User } from "@edge-chat/protocol";
import { privatePartner, type PendingSay, type ShownMessage } from "@edge-chat/client";
import { initialOf, paintUser } from "./colors.ts";
import { el, isolate } from "./dom.ts";
import { messageToolbar, reactionChips, sheetOnLongPress, type MessageActions } from "./message-actions.ts";
import { pictureGrid } from "./lightbox.ts";
import { botBadge, roleBadge, selfBadge } from "./person-row.ts";
import { mentionsMe, renderText } from "./rich-text.ts";

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", hour: "numeric", minute: "2-digit" });
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "medium" });

/** Messages closer together than this from the same person share one header. */
const GROUP_GAP_MS = 5 * 60_000;

/** What a row needs to know besides its message. */
export interface RowContext {
  me: User;
  myRole: Role;
  /** The role the page knows for a user, for the badge after their name. */
  roleOf(id: string): Role | undefined;
  /** The state shown on a change not answered yet ("Sending…", "Queued: offline"). */
  pendingLabel: string;
  /** Who reacted to message `seq` with `emoji`, as far as the page saw (not the reader). */
  reactors(seq: number, emoji: string): string[];
  actions: MessageActions;
}

/** Builds the row of a stored message as `me` sees it, with the person's pending changes laid over it. */
export function messageRow(shown: ShownMessage, ctx: RowContext): HTMLLIElement {
  const { message } = shown;
  const { me } = ctx;
  const own = message.from.id === me.id;
  const mention = !own && !message.deleted && mentionsMe(message.text, me.name);
  const classes = ["msg", own ? "own" : "other", message.to ? "private" : "", mention ? "mentioned" : "", message.deleted ? "deleted" : "", shown.deletePending ? "pending-delete" : ""];
  const row = el("li", {
    class: classes.filter(Boolean).join(" "),
    attrs: {
      "data-seq": String(message.seq),
      "data-from": message.from.id,
      "data-ts": String(message.ts),
      "data-to": message.to?.id ?? "",
      "data-pair": privatePartner(message, me.id)?.id ?? "",
      tabindex: "-1",
    },
  });
  paintUser(row, message.from.id);

  const avatar = el("span", { class: "avatar", attrs: { "aria-hidden": "true" } }, initialOf(message.from.name));
  // Your own messages carry your name and the self badge, never the word "You" in the name's
  // place: anyone may take the name "You" (selfBadge).
  const author = el("span", { class: "author", attrs: { dir: "auto" } }, message.from.name);
  const meta = el("div", { class: "meta" }, author);
  if (own) meta.append(selfBadge());
  const badge = roleBadge(ctx.roleOf(message.from.id));
  if (badge) meta.append(badge);
  const bot = botBadge(message.from);
  if (bot) meta.append(bot);
  if (message.to) meta.append(el("span", { class: "private-label" }, ...privateLabel(message, me)));
  meta.append(timeElement(message.ts));
  if (message.deleted) {
    row.append(avatar, el("div", { class: "bubble" }, meta, el("div", { class: "deleted-note" }, "message deleted")));
    return row;
  }
  if (message.edited !== undefined) {
    meta.append(el("span", { class: "edited", attrs: { title: `edited ${fullFormat.format(new Date(message.edited))}` } }, "edited"));
  }
  if (shown.editPending || shown.deletePending) {
    meta.append(el("span", { class: "state" }, `${shown.deletePending ? "Deleting" : "Saving edit"}: ${ctx.pendingLabel}`));
  }

  const body = el("div", { class: "bubble" }, meta);
  if (message.replyTo) body.append(quoteButton(message.replyTo, me, ctx.actions));
  if (message.text !== "") body.append(el("div", { class: "text", attrs: { dir: "auto" } }, ...renderText(message.text, own ? undefined : me.name)));
  const files = message.files;
  if (files && files.length > 0) body.append(pictureGrid(files, (index, opener) => ctx.actions.picture(files, index, opener)));
  const chips = reactionChips(message, shown.reactPending, ctx.actions, (emoji) => ctx.reactors(message.seq, emoji));
  if (chips) body.append(chips);
  if (!shown.deletePending) body.append(messageToolbar(message, me, ctx.myRole, ctx.actions));
  row.append(avatar, body);
  if (!shown.deletePending) sheetOnLongPress(row, () => ctx.actions.sheet(message));
  return row;
}

/** The quote of the message a reply answers; a click scrolls to it. */
function quoteButton(quote: ReplyQuote, me: User, actions: MessageActions): HTMLButtonElement {
  const text = quote.deleted ? el("span", { class: "quote-text deleted-note" }, "message deleted") : el("span", { class: "quote-text", attrs: { dir: "auto" } }, quote.text);
  const button = el(
    "button",
    { class: "quote", attrs: { type: "button", title: "Show the message this replies to", "data-seq": String(quote.seq) } },
    el("span", { class: "visually-hidden" }, "In reply to "),
    el("span", { class: "quote-author", attrs: { dir: "auto" } }, quote.from.name),
    ...(quote.from.id === me.id ? [selfBadge()] : []),
    text,
  );
  button.addEventListener("click", () => actions.jump(quote.seq));
  return button;
}

/** Builds a quiet system line (join, leave, rename); names in `parts` come `isolate()`d. */
export function systemRow(parts: (Node | string)[], ts = Date.now()): HTMLLIElement {
  return el("li", { class: "system" }, el("span", {}, ...parts), " ", timeElement(ts));
}

/** Builds the row of an own message that the room has not echoed yet, under `me`'s name and the self badge. */
export function pendingRow(say: PendingSay, me: User): HTMLLIElement {
  const meta = el("div", { class: "meta" }, el("span", { class: "author", attrs: { dir: "auto" } }, me.name), selfBadge());
  if (say.to) meta.append(el("span", { class: "private-label" }, "private to ", isolate(say.to.name)));
  meta.append(el("span", { class: "state" }, "Sending…"));
  const quote = say.replyTo ? [el("div", { class: "quote" }, el("span", { class: "quote-author", attrs: { dir: "auto" } }, say.replyTo.from.name), el("span", { class: "quote-text", attrs: { dir: "auto" } }, say.replyTo.text))] : [];
  const row = el(
    "li",
    { class: `msg own pending${say.to ? " private" : ""}`, attrs: { "data-id": say.id, "data-pair": say.to?.id ?? "" } },
    el("span", { class: "avatar", attrs: { "aria-hidden": "true" } }),
    el("div", { class: "bubble" }, meta, ...quote, el("div", { class: "text", attrs: { dir: "auto" } }, ...renderText(say.text)), ...picturesNote(say)),
  );
  return row;
}

/** A pending message's pictures, as a count (their previews stay in the tray until it is sent). */
function picturesNote(say: PendingSay): HTMLElement[] {
  const count = say.files?.length ?? 0;
  return count === 0 ? [] : [el("div", { class: "hint" }, count === 1 ? "with 1 picture" : `with ${count} pictures`)];
}

/** Marks a row as a continuation of the one before it (same author, same audience, close in time). */
export function updateGrouping(row: Element | null): void {
  if (!(row instanceof HTMLElement) || !row.classList.contains("msg") || row.classList.contains("pending")) return;
  // A reply shows its own quote and author line: it never continues the message before it.
  const previous = row.previousElementSibling;
  const continued =
    !row.querySelector(":scope > .bubble > .quote") &&
    previous instanceof HTMLElement &&
    previous.classList.contains("msg") &&
    previous.dataset.from === row.dataset.from &&
    !previous.hidden &&
    previous.dataset.to === row.dataset.to &&
    Math.abs(Number(row.dataset.ts) - Number(previous.dataset.ts)) < GROUP_GAP_MS;
  row.classList.toggle("continued", continued);
}

function privateLabel(message: MessageFrame, me: User): (Node | string)[] {
  if (message.from.id !== me.id) return ["private to you"];
  if (message.to?.id === me.id) return ["private note to yourself"];
  return ["private to ", isolate(message.to?.name ?? "")];
}

function timeElement(ts: number): HTMLTimeElement {
  const date = new Date(ts);
  const sameDay = date.toDateString() === new Date().toDateString();
  return el(
    "time",
    { attrs: { datetime: date.toISOString(), title: fullFormat.format(date) } },
    (sameDay ? timeFormat : dateTimeFormat).format(date),
  );
}
