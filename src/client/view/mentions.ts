/**
 * Mentions of the reader in message text: `@name` wherever it stands as a word, compared as the
 * room compares names (`nameKey`), so that `@ALICE`, `@ａｌｉｃｅ` and `@ali\u200Dce` all mention
 * alice. Plain string work, no DOM: the formatter (rich-text.ts) marks what this finds.
 */
import { nameKey } from "@edge-chat/protocol/names";

/** A run of text: plain, or a mention of the reader. */
export type MentionRun = { kind: "text" | "mention"; text: string };

/** A letter, digit or mark right after a mention means the mention is part of a longer word. */
const WORD_CHAR = /[\p{L}\p{N}\p{M}_]/u;

/**
 * Splits `text` into plain runs and mentions of `me`. A candidate after each `@` is tried at every
 * end up to a few times the name's length (NFKC can fold several characters into one).
 */
export function splitMentions(text: string, me: string | undefined): MentionRun[] {
  const key = me ? nameKey(me) : "";
  if (!key || !text) return [{ kind: "text", text }];
  const longest = me!.length * 4 + 4;
  const out: MentionRun[] = [];
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
  return out.filter((run) => run.text.length > 0);
}

/** True when the text mentions `me` as `@me`. */
export function mentionsMe(text: string, me: string): boolean {
  return splitMentions(text, me).some((run) => run.kind === "mention");
}
