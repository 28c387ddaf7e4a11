/** Unique names within a room: the protocol's suffix rule and guest names. */
import { visibleName } from "@edge-chat/protocol/names";
import { LIMITS, codePointLength, truncateCodePoints } from "@edge-chat/protocol";

/** Answers whether a name is held by another online user (compared as `nameKey` says). */
export type IsTaken = (name: string) => boolean;

/**
 * The name a user gets when asking for `wanted`: `wanted` itself when free, else the first free
 * `wanted-2`, `wanted-3`, …, the base shortened so the result stays within the name limit. The
 * base of a suffixed name is the name as it looks (`ali\u200Dce` taken gives `alice-2`): the
 * emoji invisibles are left out of it, so a suffix never lands inside an emoji sequence.
 */
export function uniqueName(wanted: string, isTaken: IsTaken): string {
  if (!isTaken(wanted)) return wanted;
  const look = visibleName(wanted);
  for (let n = 2; ; n++) {
    const suffix = `-${n}`;
    const room = LIMITS.name - suffix.length;
    const base = codePointLength(look) > room ? truncateCodePoints(look, room) : look;
    const candidate = base + suffix;
    if (!isTaken(candidate)) return candidate;
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
