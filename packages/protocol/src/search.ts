/**
 * How search compares text (PROTOCOL.md v3 "Search"): a query is trimmed, 1–200 code points, split
 * on whitespace into at most 10 terms, and a message matches when its text, after NFKC and
 * lower-casing, contains every term as a substring (after the same). The room, the HTTP API and the
 * page's highlighting all use these, so what is found and what is marked never differ.
 */
import { LIMITS, codePointLength, type ErrorCode } from "./protocol.ts";

/** Text as search compares it: NFKC, then lower case (so `ＣＡＦÉ` and `café` are one). */
export function searchKey(text: string): string {
  return text.normalize("NFKC").toLowerCase();
}

/** A query judged: its distinct terms as search compares them, or the error it deserves. */
export type SearchTerms = { ok: true; terms: string[] } | { ok: false; code: Extract<ErrorCode, "bad_message" | "too_long">; message: string };

/** Judges a search's `q`: empty after trimming `bad_message`, over 200 code points `too_long`, over 10 terms `bad_message`. */
export function searchTerms(q: string): SearchTerms {
  if (!q.isWellFormed()) return { ok: false, code: "bad_message", message: "q has broken Unicode" };
  const trimmed = q.trim();
  if (trimmed === "") return { ok: false, code: "bad_message", message: "q is empty" };
  if (codePointLength(trimmed) > LIMITS.searchMax) return { ok: false, code: "too_long", message: `q is over ${LIMITS.searchMax} characters` };
  const raw = trimmed.split(/\s+/u);
  if (raw.length > LIMITS.searchTerms) return { ok: false, code: "bad_message", message: `q has over ${LIMITS.searchTerms} terms` };
  // A term that normalizes to nothing a text could contain is dropped; one left is enough.
  const terms = [...new Set(raw.map(searchKey).filter((t) => t.trim() !== ""))];
  if (terms.length === 0) return { ok: false, code: "bad_message", message: "q is empty" };
  return { ok: true, terms };
}

/** A parsed `?q=&before=&limit=` of `GET /api/rooms/:room/search`. */
export type SearchQuery = { ok: true; q: string; terms: string[]; before?: number; limit: number } | { ok: false; message: string };

const DIGITS = /^\d{1,15}$/;

/** Parses the search API's query string: `q` as in the frame, `before` a seq, `limit` 1–50 (default 20); anything bad is `bad_query`. */
export function parseSearchQuery(params: { get(name: string): string | null }): SearchQuery {
  const q = params.get("q");
  if (q === null) return { ok: false, message: "q is missing" };
  const judged = searchTerms(q);
  if (!judged.ok) return { ok: false, message: judged.message };
  const before = params.get("before");
  const limit = params.get("limit");
  if (before !== null && !DIGITS.test(before)) return { ok: false, message: "before must be a whole number" };
  if (limit !== null && (!DIGITS.test(limit) || Number(limit) < 1 || Number(limit) > LIMITS.searchPageMax)) {
    return { ok: false, message: `limit must be a whole number from 1 to ${LIMITS.searchPageMax}` };
  }
  const query: SearchQuery = { ok: true, q, terms: judged.terms, limit: limit === null ? LIMITS.searchPageDefault : Number(limit) };
  if (before !== null) query.before = Number(before);
  return query;
}

/**
 * Where the terms occur in `text`, as [start, end) UTF-16 ranges of the original text, merged and in
 * order (for highlighting). Each code point is compared by its own NFKC and lower case, so a
 * fullwidth or upper-case spelling is marked where it stands.
 */
export function matchRanges(text: string, terms: readonly string[]): [number, number][] {
  const keyed: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  let at = 0;
  for (const ch of text) {
    const key = searchKey(ch);
    for (const point of key) {
      keyed.push(point);
      starts.push(at);
      ends.push(at + ch.length);
    }
    at += ch.length;
  }
  const points = keyed;
  const ranges: [number, number][] = [];
  for (const term of terms) {
    const needle = [...term];
    if (needle.length === 0) continue;
    for (let i = 0; i + needle.length <= points.length; i++) {
      let hit = true;
      for (let j = 0; j < needle.length && hit; j++) hit = points[i + j] === needle[j];
      if (hit) ranges.push([starts[i]!, ends[i + needle.length - 1]!]);
    }
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const r of ranges) {
    const last = merged.at(-1);
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return merged;
}
