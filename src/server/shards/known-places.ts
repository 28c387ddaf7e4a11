/**
 * What one Worker isolate knows of each room's free places on the Room's own object, so that it
 * can hand most upgrades to the Room without waiting for the answer (docs/SHARDS.md, "Placement").
 */

import { PLACES_HEADER } from "./addressing.ts";

/** Rooms remembered at most; forgetting one only costs its next upgrade the placed way. */
const MAX_ROOMS = 10_000;

/** Free places per room as this isolate last learned them, less the direct upgrades it sent since. */
export class KnownPlaces {
  readonly #left = new Map<string, number>();

  /**
   * True when the room is known to have a free place; the place is counted as taken. An isolate
   * never sends more direct upgrades than the places it knows of, so alone it never overfills.
   */
  takeDirect(room: string): boolean {
    const left = this.#left.get(room);
    if (left === undefined || left <= 0) return false;
    this.#left.set(room, left - 1);
    return true;
  }

  /** Learns from the Room's answer to a direct upgrade: never more places than this isolate counted. */
  afterDirect(room: string, answer: Response): void {
    const told = placesOf(answer);
    const counted = this.#left.get(room);
    if (told !== undefined && counted !== undefined) this.#left.set(room, Math.min(counted, told));
  }

  /** Learns from the answer to a placed upgrade: the Room's count, or none left when it sent a shard. */
  afterPlaced(room: string, answer: Response, toShard: boolean): void {
    if (this.#left.size >= MAX_ROOMS && !this.#left.has(room)) this.#left.clear();
    const told = toShard ? 0 : placesOf(answer);
    if (told !== undefined) this.#left.set(room, told);
  }
}

function placesOf(answer: Response): number | undefined {
  const value = answer.headers.get(PLACES_HEADER);
  if (answer.status !== 101 || value === null || !/^\d+$/.test(value)) return undefined;
  return Number(value);
}
