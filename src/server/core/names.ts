/**
 * Unique names within a room: the protocol's suffix rule and guest names.
 *
 * A user who asks for a name another online user holds gets the first free of `name-2`,
 * `name-3`, … (the base shortened so the result fits in 32 code points). Scanning from `-2` on
 * every join made a crowd asking for one name quadratic (20,000 joins asking for `x`: 20 s of
 * CPU). `NameSuffixes` remembers, per base, how far the suffixes are known to be taken and which
 * ones were freed since, so the next free one costs O(1) name checks amortized
 * (test/name-suffixes.test.ts counts them).
 */
import { nameKey } from "@edge-chat/protocol/names";
import { LIMITS, codePointLength, truncateCodePoints } from "@edge-chat/protocol";
import { MinHeap } from "./min-heap.ts";

/** Answers whether a name is held by another online user (compared as `nameKey` says). */
export type IsTaken = (name: string) => boolean;

/**
 * What is known of the suffixes of one length under one base: every suffix from the group's
 * first up to `next` (excluded) was taken when last looked at, unless it is among `freed`.
 */
interface SuffixGroup {
  next: number;
  freed: MinHeap;
}

/** Past this many groups (distinct bases asked for while taken) the memory starts afresh. */
const MAX_GROUPS = 10_000;

/** A suffixed name's comparison key, split: the base's key, and the number. */
const SUFFIXED_KEY = /^([^]*)-([1-9][0-9]*)$/;

/**
 * The suffix rule with a memory. The room tells it every name that stops being held (`freed`);
 * it never holds names itself, so whatever it forgets (a wake, `MAX_GROUPS`) costs only a scan.
 */
export class NameSuffixes {
  readonly #groups = new Map<string, SuffixGroup>();

  /**
   * The name a user gets when asking for `wanted`: `wanted` when free, else the first free
   * `wanted-2`, `wanted-3`, … The base is the name as asked (U+200D, U+FE0E and U+FE0F kept:
   * `-` joins with no emoji), cut by code points so the result fits. `own` is the asker's
   * current name, which is free to them (a rename may end on it).
   */
  pick(wanted: string, isTaken: IsTaken, own?: string): string {
    if (!isTaken(wanted)) return wanted;
    const ownSuffix = own === undefined ? undefined : this.#suffixOf(wanted, own);
    for (let digits = 1; ; digits++) {
      const lowest = digits === 1 ? 2 : 10 ** (digits - 1);
      const highest = 10 ** digits - 1;
      const group = this.#group(wanted, digits, lowest);
      if (!group) return firstFree(wanted, isTaken, lowest);
      const found = this.#firstFreeIn(group, wanted, highest, isTaken);
      // The asker's own name is free to them; the memory counts it taken (others see it so).
      const own = ownSuffix !== undefined && ownSuffix <= highest ? ownSuffix : Infinity;
      const first = Math.min(found ?? Infinity, own);
      if (first !== Infinity) return candidate(wanted, first);
    }
  }

  /** A name is no longer held by anyone online: its suffix is free again. */
  freed(name: string): void {
    const parts = SUFFIXED_KEY.exec(nameKey(name));
    if (!parts) return;
    const n = Number(parts[2]);
    const group = this.#groups.get(groupKey(parts[1]!, parts[2]!.length));
    if (group && n >= 2 && n < group.next) group.freed.push(n);
  }

  /** The first free suffix of a group, or undefined when all of them up to `highest` are taken. */
  #firstFreeIn(group: SuffixGroup, wanted: string, highest: number, isTaken: IsTaken): number | undefined {
    // Freed suffixes taken again since are dropped: each was paid for by its `freed` call.
    for (let n = group.freed.peek(); n !== undefined; n = group.freed.peek()) {
      if (!isTaken(candidate(wanted, n))) return n;
      group.freed.pop();
    }
    // Each step moves `next` on for good: paid for by the join that took that name. The free one
    // found stays at `next`, since the asker may not take it.
    while (group.next <= highest && isTaken(candidate(wanted, group.next))) group.next++;
    return group.next <= highest ? group.next : undefined;
  }

  /**
   * The group of `wanted`'s suffixes with `digits` digits, or undefined when its names' keys do
   * not split back into that base (an exotic spelling): then only a scan is right.
   */
  #group(wanted: string, digits: number, lowest: number): SuffixGroup | undefined {
    const probe = SUFFIXED_KEY.exec(nameKey(candidate(wanted, lowest)));
    const baseKey = nameKey(baseFor(wanted, digits));
    if (!probe || probe[1] !== baseKey || probe[2] !== String(lowest)) return undefined;
    const key = groupKey(baseKey, digits);
    let group = this.#groups.get(key);
    if (!group) {
      if (this.#groups.size >= MAX_GROUPS) this.#groups.clear();
      group = { next: lowest, freed: new MinHeap() };
      this.#groups.set(key, group);
    }
    return group;
  }

  /** The suffix under which `name` is one of `wanted`'s suffixed names, if it is one. */
  #suffixOf(wanted: string, name: string): number | undefined {
    const parts = SUFFIXED_KEY.exec(nameKey(name));
    if (!parts) return undefined;
    const n = Number(parts[2]);
    return n >= 2 && Number.isSafeInteger(n) && nameKey(candidate(wanted, n)) === nameKey(name) ? n : undefined;
  }
}

/** `wanted` with suffix `n`, the base cut so that it fits in the name limit. */
function candidate(wanted: string, n: number): string {
  return `${baseFor(wanted, String(n).length)}-${n}`;
}

/** The base of `wanted` for suffixes with `digits` digits. */
function baseFor(wanted: string, digits: number): string {
  const room = LIMITS.name - digits - 1;
  return codePointLength(wanted) > room ? truncateCodePoints(wanted, room) : wanted;
}

function groupKey(baseKey: string, digits: number): string {
  return `${digits}\n${baseKey}`;
}

/** The first free suffix from `from` on, by asking about each: the rule itself, without memory. */
function firstFree(wanted: string, isTaken: IsTaken, from: number): string {
  for (let n = from; ; n++) {
    const name = candidate(wanted, n);
    if (!isTaken(name)) return name;
  }
}

/** A fresh `guest-` name with 4–8 random hex characters, longer only when shorter ones collide. */
export function guestName(isTaken: IsTaken): string {
  for (let attempt = 0; ; attempt++) {
    const digits = Math.min(8, 4 + Math.floor(attempt / 4));
    const bytes = crypto.getRandomValues(new Uint8Array(4));
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("").slice(0, digits);
    const candidate = `guest-${hex}`;
    if (!isTaken(candidate)) return candidate;
  }
}
