/**
 * The short-term index's document (PROTOCOL.md v3 "Search", docs/protocol.md "Short terms"): the
 * trigram index cannot look up a term of 1 or 2 code points, so each message's key text (as
 * `searchKey` made it) is also indexed as the set of its distinct unigrams and bigrams, each one
 * ASCII token. A short term is then one token lookup, and it is found exactly where it is a
 * substring of the key text, as the old walk with `instr` found it.
 *
 * A token is each code point in base 36, padded to 4 digits (36⁴ > U+10FFFF): a unigram is 4
 * characters, a bigram 8, so no two grams share a token, and FTS5's `ascii` tokenizer keeps each
 * as one token (letters and digits only). Grams holding whitespace are left out: a term is split
 * on whitespace, so only NFKC can put whitespace into one (`¨` is a space and U+0308), and such a
 * term is checked against the key text instead; leaving them out keeps every word boundary of
 * every message out of the index.
 */

/** The longest term the gram index answers, in code points (the trigram index takes the rest). */
export const GRAM_MAX = 2;

const WHITESPACE = /\s/u;

/** One gram (1–2 code points) as its token. */
export function gramToken(gram: string): string {
  let token = "";
  for (const point of gram) token += pointToken(point.codePointAt(0)!);
  return token;
}

function pointToken(code: number): string {
  return code.toString(36).padStart(4, "0");
}

/** `\s`, with the ASCII range (most text) decided without the regular expression: it is the bulk of a message's cost here. */
function isSpace(code: number, point: string): boolean {
  return code < 128 ? code === 32 || (code >= 9 && code <= 13) : WHITESPACE.test(point);
}

/** True when the gram index answers this term (already `searchKey`ed): 1–2 code points, no whitespace. */
export function hasGramToken(term: string): boolean {
  const length = [...term].length;
  return length >= 1 && length <= GRAM_MAX && !WHITESPACE.test(term);
}

/** The distinct tokens of a key text's unigrams and bigrams that hold no whitespace, in first-seen order. */
export function gramTokens(key: string): string[] {
  const tokens = new Set<string>();
  let previous: string | undefined;
  for (const point of key) {
    const code = point.codePointAt(0)!;
    if (isSpace(code, point)) {
      previous = undefined;
      continue;
    }
    const unigram = pointToken(code);
    tokens.add(unigram);
    if (previous !== undefined) tokens.add(previous + unigram);
    previous = unigram;
  }
  return [...tokens];
}

/** A key text as the gram table's document: its tokens, space-separated. */
export function gramDocument(key: string): string {
  return gramTokens(key).join(" ");
}
