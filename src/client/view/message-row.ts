/**
 * One chat line as DOM: a message (author in their colour, local time, text with safe links and
 * marked mentions, a private label), a quiet system line, or an own message not yet delivered.
 */
import type { MessageFrame, User } from "../../shared/protocol.ts";
import type { PendingSay } from "../transport.ts";
import { initialOf, paintUser } from "./colors.ts";
import { el, isolate } from "./dom.ts";
import { mentionsMe, renderText } from "./rich-text.ts";

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", hour: "numeric", minute: "2-digit" });
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "medium" });

/** Messages closer together than this from the same person share one header. */
const GROUP_GAP_MS = 5 * 60_000;

/** Builds the row of a stored message as `me` sees it. */
export function messageRow(message: MessageFrame, me: User): HTMLLIElement {
  const own = message.from.id === me.id;
  const mention = !own && mentionsMe(message.text, me.name);
  const classes = ["msg", own ? "own" : "other", message.to ? "private" : "", mention ? "mentioned" : ""];
  const row = el("li", {
    class: classes.filter(Boolean).join(" "),
    attrs: { "data-seq": String(message.seq), "data-from": message.from.id, "data-ts": String(message.ts), "data-to": message.to?.id ?? "" },
  });
  paintUser(row, message.from.id);

  const avatar = el("span", { class: "avatar", attrs: { "aria-hidden": "true" } }, initialOf(message.from.name));
  const author = el("span", { class: "author", attrs: { dir: "auto" } }, own ? "You" : message.from.name);
  const meta = el("div", { class: "meta" }, author);
  if (message.to) meta.append(el("span", { class: "private-label" }, ...privateLabel(message, me)));
  meta.append(timeElement(message.ts));

  const text = el("div", { class: "text", attrs: { dir: "auto" } }, ...renderText(message.text, own ? undefined : me.name));
  const body = el("div", { class: "bubble" }, meta, text);
  row.append(avatar, body);
  return row;
}

/** Builds a quiet system line (join, leave, rename); names in `parts` come `isolate()`d. */
export function systemRow(parts: (Node | string)[], ts = Date.now()): HTMLLIElement {
  return el("li", { class: "system" }, el("span", {}, ...parts), " ", timeElement(ts));
}

/** Builds the row of an own message that the room has not echoed yet. */
export function pendingRow(say: PendingSay): HTMLLIElement {
  const meta = el("div", { class: "meta" }, el("span", { class: "author" }, "You"));
  if (say.to) meta.append(el("span", { class: "private-label" }, "private to ", isolate(say.to.name)));
  meta.append(el("span", { class: "state" }, "Sending…"));
  const row = el(
    "li",
    { class: `msg own pending${say.to ? " private" : ""}`, attrs: { "data-id": say.id } },
    el("span", { class: "avatar", attrs: { "aria-hidden": "true" } }),
    el("div", { class: "bubble" }, meta, el("div", { class: "text", attrs: { dir: "auto" } }, ...renderText(say.text))),
  );
  return row;
}

/** Marks a row as a continuation of the one before it (same author, same audience, close in time). */
export function updateGrouping(row: Element | null): void {
  if (!(row instanceof HTMLElement) || !row.classList.contains("msg") || row.classList.contains("pending")) return;
  const previous = row.previousElementSibling;
  const continued =
    previous instanceof HTMLElement &&
    previous.classList.contains("msg") &&
    previous.dataset.from === row.dataset.from &&
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
