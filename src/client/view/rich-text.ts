/**
 * Message text to DOM, safely: the text is split into plain runs, http(s) links and mentions of
 * the reader, and each becomes a text node or an element whose content is a text node. Links are
 * only ever http: or https: and open with `rel="noopener noreferrer"`.
 */
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

/** True when the text mentions `me` as `@me` (any case). */
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

function mentions(text: string, me: string | undefined): Segment[] {
  if (!me || !text) return [{ kind: "text", text }];
  const needle = `@${me}`.toLocaleLowerCase();
  const haystack = text.toLocaleLowerCase();
  // Lower-casing can change lengths in rare scripts; then fall back to no highlight rather than cut wrong.
  if (haystack.length !== text.length) return [{ kind: "text", text }];
  const out: Segment[] = [];
  let from = 0;
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + 1)) {
    const before = text[at - 1];
    const after = text.slice(at + needle.length).match(/^./u)?.[0];
    if ((before !== undefined && WORD_CHAR.test(before)) || (after !== undefined && WORD_CHAR.test(after))) continue;
    out.push({ kind: "text", text: text.slice(from, at) }, { kind: "mention", text: text.slice(at, at + needle.length) });
    from = at + needle.length;
  }
  out.push({ kind: "text", text: text.slice(from) });
  return out;
}
