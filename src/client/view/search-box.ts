/**
 * Search on the page (protocol v3): a box opened with Ctrl+K (⌘K) or `/`, results as the person
 * types (each query a short moment after the last key, so a fast typist spends few of the room's
 * tokens), newest first with older pages on request, the matched terms marked, and a click that
 * jumps to the message in the conversation (loading older pages until it is there). Terms are
 * judged and marked by the protocol's own rules (`@edge-chat/protocol/search`), and every piece of
 * user text becomes text nodes: a `<mark>` holds text, never HTML.
 */
import type { MessageFrame, SearchFrame } from "@edge-chat/protocol";
import { matchRanges, searchTerms } from "@edge-chat/protocol/search";
import { byId, el } from "./dom.ts";

/** Quiet this long after a key before the query is sent. */
const TYPING_PAUSE_MS = 250;

const when = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", hour: "numeric", minute: "2-digit" });

/** The search box's elements. */
export interface SearchElements {
  open: HTMLButtonElement;
  panel: HTMLElement;
  input: HTMLInputElement;
  status: HTMLElement;
  results: HTMLOListElement;
  more: HTMLButtonElement;
  close: HTMLButtonElement;
}

/** What the box asks of the room and the page. */
export interface SearchDeps {
  search(q: string, before?: number): Promise<SearchFrame>;
  /** Shows a found message in its timeline (the room's, or its private conversation) and focuses it. */
  show(message: MessageFrame): void;
}

/** The search box. */
export class SearchBox {
  readonly #el: SearchElements;
  readonly #deps: SearchDeps;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** The query whose answers are shown (a later one makes earlier answers stale). */
  #current = "";
  #terms: string[] = [];
  #next: number | undefined;

  constructor(elements: SearchElements, deps: SearchDeps) {
    this.#el = elements;
    this.#deps = deps;
    elements.open.addEventListener("click", () => this.open());
    elements.close.addEventListener("click", () => this.close());
    elements.input.addEventListener("input", () => this.#typed());
    elements.more.addEventListener("click", () => void this.#ask(this.#current, this.#next));
    elements.panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault();
        this.close();
      }
    });
    document.addEventListener("keydown", (event) => {
      const typing = event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement || (event.target as HTMLElement | null)?.isContentEditable;
      if ((event.key === "k" || event.key === "K") && (event.ctrlKey || event.metaKey) && !event.altKey) {
        event.preventDefault();
        this.open();
      } else if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
        event.preventDefault();
        this.open();
      }
    });
  }

  /** Shows the box and puts the cursor in it. */
  open(): void {
    this.#el.panel.hidden = false;
    this.#el.open.setAttribute("aria-expanded", "true");
    this.#el.input.focus();
    this.#el.input.select();
  }

  close(): void {
    this.#el.panel.hidden = true;
    this.#el.open.setAttribute("aria-expanded", "false");
    this.#el.open.focus();
  }

  #typed(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#start(this.#el.input.value), TYPING_PAUSE_MS);
  }

  async #start(q: string): Promise<void> {
    if (q.trim() === "") {
      this.#current = "";
      this.#el.results.replaceChildren();
      this.#el.more.hidden = true;
      return this.#status("");
    }
    const judged = searchTerms(q);
    if (!judged.ok) return this.#status(judged.code === "too_long" ? "That search is too long." : "Use at most 10 words.");
    this.#current = q;
    this.#terms = judged.terms;
    this.#el.results.replaceChildren();
    await this.#ask(q, undefined);
  }

  /** Asks the room for a page (the newest, or the one below `before`) and shows it if still current. */
  async #ask(q: string, before: number | undefined): Promise<void> {
    this.#status("Searching…");
    this.#el.more.hidden = true;
    try {
      const page = await this.#deps.search(q, before);
      if (q !== this.#current) return;
      this.#el.results.append(...page.messages.map((m) => this.#hit(m)));
      this.#next = page.next;
      this.#el.more.hidden = page.next === undefined;
      const shown = this.#el.results.childElementCount;
      this.#status(shown === 0 ? "No messages match." : `${shown}${page.next === undefined ? "" : "+"} message${shown === 1 ? "" : "s"} found.`);
    } catch (err) {
      if (q !== this.#current) return;
      const code = (err as { code?: unknown }).code;
      this.#status(code === "rate_limited" ? "Searching too fast: wait a moment and type again." : "The search did not go through; try again.");
    }
  }

  /** One result: who, when, and the text with the terms marked, as a button that jumps to the message. */
  #hit(message: MessageFrame): HTMLLIElement {
    const text = el("span", { class: "search-text", attrs: { dir: "auto" } }, ...highlighted(message.text, this.#terms));
    const button = el(
      "button",
      { class: "search-hit", attrs: { type: "button", "data-seq": String(message.seq) } },
      el("span", { class: "search-meta" }, el("span", { class: "author", attrs: { dir: "auto" } }, message.from.name), " · ", when.format(message.ts), message.to ? " · private" : ""),
      text,
    );
    button.addEventListener("click", () => {
      this.close();
      this.#deps.show(message);
    });
    return el("li", {}, button);
  }

  #status(text: string): void {
    this.#el.status.textContent = text;
  }
}

/** The page's search box, on its elements in the page. */
export function setUpSearch(deps: SearchDeps): SearchBox {
  return new SearchBox(
    {
      open: byId("search-open", HTMLButtonElement),
      panel: byId("search-panel", HTMLElement),
      input: byId("search-input", HTMLInputElement),
      status: byId("search-status", HTMLElement),
      results: byId("search-results", HTMLOListElement),
      more: byId("search-more", HTMLButtonElement),
      close: byId("search-close", HTMLButtonElement),
    },
    deps,
  );
}

/** `text` as text nodes, the parts matching a term inside `<mark>` elements (text nodes too). */
export function highlighted(text: string, terms: readonly string[]): Node[] {
  const nodes: Node[] = [];
  let at = 0;
  for (const [start, end] of matchRanges(text, terms)) {
    if (start > at) nodes.push(document.createTextNode(text.slice(at, start)));
    nodes.push(el("mark", {}, text.slice(start, end)));
    at = end;
  }
  if (at < text.length) nodes.push(document.createTextNode(text.slice(at)));
  return nodes;
}
