/** Room settings read from the Worker's vars, with the protocol's defaults and floors. */

/** The settings a room runs with. */
export interface RoomConfig {
  /** Messages kept at least; never below the protocol's 10,000. */
  historyLimit: number;
  /** Token bucket size per user. */
  burst: number;
  /** Token bucket refill per second. */
  perSecond: number;
  /** Sockets one object (the room's own, or a shard) holds before new ones go to a shard. */
  shardCapacity: number;
  /** The deployment's ADMIN_KEY: an owner key of every room (unset: none). */
  adminKey: string | undefined;
}

/** Default sockets per object (see docs/SCALE.md for how it was chosen). */
export const DEFAULT_SHARD_CAPACITY = 2_000;

const MIN_HISTORY = 10_000;

/** Reads the room's settings from its environment. */
export function readConfig(
  env: Partial<Record<"HISTORY_LIMIT" | "RATE_BURST" | "RATE_PER_SECOND" | "SHARD_CAPACITY" | "ADMIN_KEY", string>>,
): RoomConfig {
  return {
    historyLimit: Math.max(MIN_HISTORY, positive(env.HISTORY_LIMIT, MIN_HISTORY)),
    burst: positive(env.RATE_BURST, 20),
    perSecond: positive(env.RATE_PER_SECOND, 5),
    shardCapacity: Math.floor(positive(env.SHARD_CAPACITY, DEFAULT_SHARD_CAPACITY)),
    // An empty secret is no key: it must never match an empty `hello.key`.
    adminKey: env.ADMIN_KEY ? env.ADMIN_KEY : undefined,
  };
}

function positive(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value !== undefined && value !== "" && Number.isFinite(n) && n > 0 ? n : fallback;
}
