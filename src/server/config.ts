/** Room settings read from the Worker's vars, with the protocol's defaults and floors. */

/** The settings a room runs with. */
export interface RoomConfig {
  /** Messages kept at least; never below the protocol's 10,000. */
  historyLimit: number;
  /** Token bucket size per user. */
  burst: number;
  /** Token bucket refill per second. */
  perSecond: number;
}

const MIN_HISTORY = 10_000;

/** Reads the room's settings from its environment. */
export function readConfig(env: Partial<Record<"HISTORY_LIMIT" | "RATE_BURST" | "RATE_PER_SECOND", string>>): RoomConfig {
  return {
    historyLimit: Math.max(MIN_HISTORY, positive(env.HISTORY_LIMIT, MIN_HISTORY)),
    burst: positive(env.RATE_BURST, 20),
    perSecond: positive(env.RATE_PER_SECOND, 5),
  };
}

function positive(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value !== undefined && value !== "" && Number.isFinite(n) && n > 0 ? n : fallback;
}
