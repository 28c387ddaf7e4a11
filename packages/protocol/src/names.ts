/**
 * How names compare and which characters a name may hold (protocol v2, "Names" and the Fine
 * print). Shared by the room (uniqueness) and the page (mentions), so both compare alike.
 */

/** The three invisible code points emoji need: the zero-width joiner and the emoji/text selectors. */
const EMOJI_INVISIBLES = /[\u200D\uFE0E\uFE0F]/g;

/**
 * Control characters a name may not hold: C0/C1 (Cc) and the bidirectional embeddings,
 * overrides and isolates, which would reorder the text shown around the name.
 */
export const NAME_CONTROL = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/u;

/**
 * Default-ignorable code points other than the emoji invisibles: they render as nothing, so
 * `al\u200Bice` would pass for `alice`. Refused in names.
 */
export const NAME_INVISIBLE = /(?![\u200D\uFE0E\uFE0F])\p{Default_Ignorable_Code_Point}/u;

/**
 * The form two names are compared in: emoji invisibles removed, then NFKC, then lower case (not
 * full case folding: `straße` and `STRASSE` stay two names). Equal keys are one name.
 */
export function nameKey(name: string): string {
  return name.replace(EMOJI_INVISIBLES, "").normalize("NFKC").toLowerCase();
}

/** A name as it looks: without the emoji invisibles, which draw nothing on their own. */
export function visibleName(name: string): string {
  return name.replace(EMOJI_INVISIBLES, "");
}
