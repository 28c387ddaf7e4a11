/**
 * Every user's token bucket, shared by all of the user's sockets. While a user is online the
 * bucket lives in memory and in the attachment of the socket that last charged it (so a
 * hibernation loses nothing); when the user's last socket leaves with tokens still missing, it is
 * kept in SQLite until it would have refilled, so closing every tab is no way to a fresh burst.
 */
import { fullBucket, takeToken, type Bucket, type Take } from "../core/rate-limit.ts";

const SCHEMA = "CREATE TABLE IF NOT EXISTS buckets (user_id TEXT PRIMARY KEY, tokens REAL NOT NULL, at INTEGER NOT NULL)";

/** The room's buckets: memory while users are online, SQLite for drained buckets of users who left. */
export class Buckets {
  readonly #sql: SqlStorage;
  readonly #burst: number;
  readonly #perSecond: number;
  readonly #live = new Map<string, Bucket>();

  constructor(sql: SqlStorage, burst: number, perSecond: number) {
    this.#sql = sql;
    this.#burst = burst;
    this.#perSecond = perSecond;
    sql.exec(SCHEMA);
  }

  /**
   * Tries to take one token from `userId`'s bucket at `now`. Nothing is spent until `commit` is
   * called with the returned bucket, so a refused action costs nothing.
   */
  take(userId: string, now: number): Take {
    return takeToken(this.#current(userId, now), now, this.#burst, this.#perSecond);
  }

  /** A bucket an open socket's attachment kept through a hibernation; the newest one wins. */
  restore(userId: string, bucket: Bucket): void {
    const live = this.#live.get(userId);
    if (!live || bucket.at > live.at) this.#live.set(userId, bucket);
  }

  /** Records a spent token. */
  commit(userId: string, bucket: Bucket): void {
    this.#live.set(userId, bucket);
  }

  /** The user's last socket left: forget the bucket, keeping it in SQLite if it is not yet full. */
  left(userId: string, now: number): void {
    const bucket = this.#live.get(userId);
    this.#live.delete(userId);
    if (!bucket || this.#refilled(bucket, now) >= this.#burst) return;
    this.#sql.exec(
      "INSERT INTO buckets (user_id, tokens, at) VALUES (?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET tokens = excluded.tokens, at = excluded.at",
      userId, bucket.tokens, bucket.at,
    );
  }

  /** Deletes kept buckets that have refilled by now (run by the sweep). */
  prune(now: number): void {
    const fullAfterMs = (this.#burst / this.#perSecond) * 1000;
    this.#sql.exec("DELETE FROM buckets WHERE at < ?", now - fullAfterMs);
  }

  #current(userId: string, now: number): Bucket {
    const live = this.#live.get(userId);
    if (live) return live;
    const row = this.#sql
      .exec<{ tokens: number; at: number }>("SELECT tokens, at FROM buckets WHERE user_id = ?", userId)
      .toArray()[0];
    if (!row) return fullBucket(this.#burst, now);
    // The user is back: from now on the bucket lives in memory again.
    this.#sql.exec("DELETE FROM buckets WHERE user_id = ?", userId);
    const bucket = { tokens: row.tokens, at: row.at };
    this.#live.set(userId, bucket);
    return bucket;
  }

  #refilled(bucket: Bucket, now: number): number {
    return Math.min(this.#burst, bucket.tokens + (Math.max(0, now - bucket.at) * this.#perSecond) / 1000);
  }
}
