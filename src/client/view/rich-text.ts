/**
 * Message text to DOM, safely: the text is split into plain runs, http(s) links and mentions of
 * the reader, and each becomes a text node or an element whose content is a text node. Links are
 * only ever http: or https: and open with `rel="noopener noreferrer"`.
 */
import { nameKey } from "@edge-chat/protocol/names";
import { el } from "./dom.ts";

/** A run of message text. */
export type Segment =
  | { kind: "text"; text: string }
  | { kind: "link"; text: string; href: string }
  | { kind: "mention"; text: string };

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"]+/giu;
/** Punctuation that usually ends a sentence rather than a URL. */
const TRAILING = /[.,;:!?'")\]}>]+$/u;
/** A letter, digit or mark right after a mention means the mention is part of a longer word. */
const WORD_CHAR = /[\p{L}\p{N}\p{M}_]/u;

/** Splits text into plain, link and mention segments; `me` is the reader's name (mentions of it are marked). */
export function segmentText(text: string, me?: string): Segment[] {
  const segments: Segment[] = [];
  let rest = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    let candidate = match[0];
    const trailing = TRAILING.exec(candidate)?.[0] ?? "";
    // Keep a closing parenthesis that belongs to the URL, as in Wikipedia links.
    candidate = candidate.slice(0, candidate.length - trailing.length);
    if (trailing.startsWith(")") && candidate.includes("(")) candidate += ")";
    const href = safeHref(candidate);
    if (!href) continue;
    segments.push(...mentions(text.slice(rest, match.index), me));
    segments.push({ kind: "link", text: candidate, href });
    rest = match.index + candidate.length;
  }
  segments.push(...mentions(text.slice(rest), me));
  return segments.filter((s) => s.text.length > 0);
}

/** True when the text mentions `me` as `@me` (compared as the room compares names). */
export function mentionsMe(text: string, me: string): boolean {
  return segmentText(text, me).some((s) => s.kind === "mention");
}

/** Renders text as DOM nodes: text nodes, links and mention marks. */
export function renderText(text: string, me?: string): Node[] {
  return segmentText(text, me).map((segment) => {
    if (segment.kind === "link") {
      return el("a", { attrs: { href: segment.href, target: "_blank", rel: "noopener noreferrer nofollow" } }, segment.text);
    }
    if (segment.kind === "mention") return el("mark", { class: "mention" }, segment.text);
    return document.createTextNode(segment.text);
  });
}

/** The URL when it parses and is http: or https:, else null. */
function safeHref(candidate: string): string | null {
  try {
    const url = new URL(candidate);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

/**
 * Marks `@me` wherever it stands as a word, comparing names as the room does (`nameKey`), so that
 * `@ALICE`, `@ａｌｉｃｅ` and `@ali\u200Dce` all mention alice. A candidate after each `@` is
 * tried at every end up to a few times the name's length (NFKC can fold several characters into one).
 */
function mentions(text: string, me: string | undefined): Segment[] {
  const key = me ? nameKey(me) : "";
  if (!key || !text) return [{ kind: "text", text }];
  const longest = me!.length * 4 + 4;
  const out: Segment[] = [];
  let from = 0;
  for (let at = text.indexOf("@"); at >= 0; at = text.indexOf("@", at + 1)) {
    const before = text[at - 1];
    if (before !== undefined && WORD_CHAR.test(before)) continue;
    let end = -1;
    for (let stop = at + 2; stop <= Math.min(text.length, at + 1 + longest); stop++) {
      if (nameKey(text.slice(at + 1, stop)) !== key) continue;
      const after = text.slice(stop).match(/^./u)?.[0];
      if (after === undefined || !WORD_CHAR.test(after)) end = stop;
    }
    if (end < 0) continue;
    out.push({ kind: "text", text: text.slice(from, at) }, { kind: "mention", text: text.slice(at, end) });
    from = end;
    at = end - 1;
  }
  out.push({ kind: "text", text: text.slice(from) });
  return out;
}
