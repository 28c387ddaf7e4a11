/** A per-user token bucket, computed from timestamps (no timers, so the room can hibernate). */

/** A bucket's state: tokens left at time `at` (ms). */
export interface Bucket {
  tokens: number;
  at: number;
}

/** The outcome of trying to take one token. */
export type Take = { ok: true; bucket: Bucket } | { ok: false; retryAfterMs: number };

/** A full bucket at time `now`. */
export function fullBucket(burst: number, now: number): Bucket {
  return { tokens: burst, at: now };
}

/** Refills `bucket` up to `now` and takes one token, or says how long until one is there. */
export function takeToken(bucket: Bucket, now: number, burst: number, perSecond: number): Take {
  const elapsed = Math.max(0, now - bucket.at);
  const tokens = Math.min(burst, bucket.tokens + (elapsed * perSecond) / 1000);
  if (tokens >= 1) return { ok: true, bucket: { tokens: tokens - 1, at: now } };
  return { ok: false, retryAfterMs: Math.ceil(((1 - tokens) * 1000) / perSecond) };
}
