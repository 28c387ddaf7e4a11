/**
 * The quiet timeline's presence: joins and leaves never get a line each. Those that come one
 * after the other, with nothing else said in between, share one collapsed line ("ana, ben and 12
 * others joined · carl left"), which a click expands into every name. A leave is only told once it
 * has lasted a grace period: someone who reloads or whose network drops comes back within it, and
 * the timeline says nothing about them at all. Who is online right now is the people list's job.
 */
import type { User } from "@edge-chat/protocol";
import { el, isolate } from "./dom.ts";
import { systemRow } from "./message-row.ts";

/** A leave followed by a join of the same person within this time is a reconnect: nothing is shown. */
export const RECONNECT_GRACE_MS = 15_000;
/** Names a collapsed line shows before "and N others". */
const NAMED = 2;

/** Where the lines go. */
export interface PresenceLineHooks {
  /** Appends a row to the room's timeline. */
  append(row: HTMLElement): void;
  /** True while `row` is still the newest row (nothing was said since). */
  isLast(row: HTMLElement): boolean;
}

interface Burst {
  row: HTMLElement;
  joined: Map<string, string>;
  left: Map<string, string>;
  expanded: boolean;
}

/** Collapses joins and leaves into one line per burst, and hides reconnects. */
export class PresenceLines {
  readonly #hooks: PresenceLineHooks;
  /** Leaves not told yet, by user id: told when the grace period ends, forgotten if they come back. */
  readonly #leaving = new Map<string, { name: string; timer: ReturnType<typeof setTimeout> }>();
  #burst: Burst | undefined;

  constructor(hooks: PresenceLineHooks) {
    this.#hooks = hooks;
  }

  /** Someone came online (a `join`). */
  joined(user: User): void {
    const leaving = this.#leaving.get(user.id);
    if (leaving) {
      // Back within the grace period: a reconnect, not news.
      clearTimeout(leaving.timer);
      this.#leaving.delete(user.id);
      return;
    }
    const burst = this.#current();
    if (burst.left.delete(user.id)) return this.#draw(burst);
    burst.joined.set(user.id, user.name);
    this.#draw(burst);
  }

  /** Someone went offline (a `leave`): told after the grace period unless they return. */
  left(user: User): void {
    clearTimeout(this.#leaving.get(user.id)?.timer);
    const timer = setTimeout(() => {
      this.#leaving.delete(user.id);
      const burst = this.#current();
      if (burst.joined.delete(user.id)) return this.#draw(burst);
      burst.left.set(user.id, user.name);
      this.#draw(burst);
    }, RECONNECT_GRACE_MS);
    this.#leaving.set(user.id, { name: user.name, timer });
  }

  /** This page's own connection started over: what was pending is no longer known. */
  reset(): void {
    for (const { timer } of this.#leaving.values()) clearTimeout(timer);
    this.#leaving.clear();
    this.#burst = undefined;
  }

  /** The open burst line, or a new one when anything was said since the last. */
  #current(): Burst {
    if (this.#burst && this.#burst.row.isConnected && this.#hooks.isLast(this.#burst.row)) return this.#burst;
    const row = systemRow([]);
    row.classList.add("presence-line");
    const burst: Burst = { row, joined: new Map(), left: new Map(), expanded: false };
    this.#burst = burst;
    this.#hooks.append(row);
    return burst;
  }

  #draw(burst: Burst): void {
    const parts: (Node | string)[] = [];
    if (burst.joined.size > 0) parts.push(...names([...burst.joined.values()], burst.expanded), " joined");
    if (burst.left.size > 0) parts.push(...(parts.length > 0 ? [" · "] : []), ...names([...burst.left.values()], burst.expanded), " left");
    if (parts.length === 0) {
      burst.row.remove();
      this.#burst = undefined;
      return;
    }
    const total = burst.joined.size + burst.left.size;
    const text = el("span", {}, ...parts);
    const content: (Node | string)[] = [text];
    if (total > NAMED + 1 || burst.joined.size > NAMED || burst.left.size > NAMED) {
      const toggle = el("button", { class: "link-button", attrs: { type: "button", "aria-expanded": String(burst.expanded) } }, burst.expanded ? "show less" : "show all");
      toggle.addEventListener("click", () => {
        burst.expanded = !burst.expanded;
        this.#draw(burst);
        burst.row.querySelector("button")?.focus();
      });
      content.push(" ", toggle);
    }
    const time = burst.row.querySelector("time");
    burst.row.replaceChildren(...content, ...(time ? [" ", time] : []));
  }
}

/** "ana", "ana and ben", "ana, ben and 3 others", or every name when expanded. */
function names(list: string[], expanded: boolean): (Node | string)[] {
  const shown = expanded || list.length <= NAMED + 1 ? list : list.slice(0, NAMED);
  const out: (Node | string)[] = [];
  shown.forEach((name, i) => {
    if (i > 0) out.push(i === shown.length - 1 && shown.length === list.length ? " and " : ", ");
    out.push(isolate(name));
  });
  const rest = list.length - shown.length;
  if (rest > 0) out.push(` and ${rest} other${rest === 1 ? "" : "s"}`);
  return out;
}
