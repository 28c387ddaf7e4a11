/**
 * Where the person stopped reading (protocol v3 read state), on the page: a "new messages" divider
 * above the first message they had not read when the room welcomed them (it moves up as older
 * pages come in, when the unread ones reach back further than the welcome's page), the unread
 * count in the tab title and on an "N unread" button that jumps to the first unread message
 * (loading older pages until it is there; a private one opens its conversation), and the read position moved whenever the newest
 * message is on screen in a visible tab. The count is the room's for this user, so reading on
 * one device clears it on the others (the room's `read` frame reaches them).
 */
import type { MessageFrame } from "@edge-chat/protocol";
import { type Attention, unreadLabel } from "./attention.ts";
import { byId, el } from "./dom.ts";

/** What the marker reads of the room (the client package's Room). */
export interface ReadSource {
  readonly readPosition: number;
  readonly unread: number;
  readonly messages: readonly MessageFrame[];
  read(seq: number): void;
}

/** What the marker needs of the page. */
export interface ReadMarkerDeps {
  room: () => ReadSource;
  me: () => string;
  atBottom: () => boolean;
  /** Shows a message in its timeline (the room's, or its private conversation) and focuses it. */
  show: (message: MessageFrame) => void;
  /** Loads older pages until the messages held reach back to `seq`, then calls `then`. */
  reveal: (seq: number, then: () => void) => void;
  attention: Attention;
}

/** The page's read marker, on its elements in the page. */
export function setUpReadMarker(deps: ReadMarkerDeps): ReadMarker {
  return new ReadMarker({ list: byId("messages", HTMLOListElement), scroller: byId("scroller", HTMLElement), button: byId("jump-unread", HTMLButtonElement) }, deps);
}

/** The divider, the unread button and the reading itself. */
export class ReadMarker {
  readonly #list: HTMLOListElement;
  readonly #button: HTMLButtonElement;
  readonly #deps: ReadMarkerDeps;
  readonly #divider = el("li", { class: "unread-divider", attrs: { role: "separator" } }, el("span", {}, "New messages"));
  /** The read position when the room welcomed us, and the newest seq it held then: the divider marks what lies between. */
  #welcomed = { read: 0, newest: 0 };

  constructor(elements: { list: HTMLOListElement; scroller: HTMLElement; button: HTMLButtonElement }, deps: ReadMarkerDeps) {
    this.#list = elements.list;
    this.#button = elements.button;
    this.#deps = deps;
    elements.button.addEventListener("click", () => this.#jump());
    elements.scroller.addEventListener("scroll", () => this.readIfSeen(), { passive: true });
    document.addEventListener("visibilitychange", () => this.readIfSeen());
  }

  /** A welcome that redrew the list: the divider goes above the first message not read yet. */
  welcome(): void {
    const room = this.#deps.room();
    this.#welcomed = { read: room.readPosition, newest: room.messages.at(-1)?.seq ?? 0 };
    this.place();
    this.readIfSeen();
  }

  /** Puts the divider in its place (the list was redrawn, or older messages came in above, perhaps unread ones). */
  place(): void {
    // Only messages the welcome found unread: one that arrived later gets no divider of its own.
    // The divider is the room timeline's, so it marks public messages (conversations count their own).
    const first = this.#firstUnread(this.#welcomed.read, true);
    const seq = first !== undefined && first.seq <= this.#welcomed.newest ? first.seq : undefined;
    const row = seq === undefined ? null : this.#list.querySelector(`li[data-seq="${seq}"]`);
    if (row) row.before(this.#divider);
    else this.#divider.remove();
  }

  /** Marks everything read when the newest message is on screen in a visible tab; shows the count either way. */
  readIfSeen(): void {
    const room = this.#deps.room();
    const newest = room.messages.at(-1)?.seq;
    if (!document.hidden && newest !== undefined && this.#deps.atBottom()) room.read(newest);
    this.update();
  }

  /** Shows the room's unread count (title and button). */
  update(): void {
    const count = this.#deps.room().unread;
    this.#deps.attention.setUnread(count);
    this.#button.hidden = count === 0;
    this.#button.textContent = `↑ ${unreadLabel(count)} unread`;
  }

  /** Jumps to the first message above the read position, loading older pages first when it is older than any held. */
  #jump(): void {
    const room = this.#deps.room();
    this.#deps.reveal(room.readPosition + 1, () => {
      const target = this.#firstUnread(room.readPosition) ?? room.messages[0];
      if (target) this.#deps.show(target);
    });
  }

  #firstUnread(read: number, publicOnly = false): MessageFrame | undefined {
    const me = this.#deps.me();
    return this.#deps.room().messages.find((m) => m.seq > read && m.from.id !== me && !m.deleted && !(publicOnly && m.to));
  }
}
