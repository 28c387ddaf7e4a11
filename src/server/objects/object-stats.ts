/**
 * Work counters of one object (the Room or a shard), for the operator and the bench: frames
 * handled, socket sends, calls made and answered. Memory only: they start at zero whenever the
 * object wakes, and say so (`since`).
 */

/** What one object counts. */
export interface ObjectStats {
  /** `<room>` for the Room, `<room>#k` for a shard. */
  name: string;
  /** When counting started (ms): the object's last wake. */
  since: number;
  sockets: number;
  /** Frames that arrived on this object's sockets (pings are answered by the runtime, not counted). */
  framesIn: number;
  /** `send()` calls on this object's sockets (a batch is one). */
  sends: number;
  /** Calls this object made to another (uplink, downlink, missed). */
  callsOut: number;
  /** Calls another object made to this one. */
  callsIn: number;
  /** Group commits (transactions) and the events they stored (the Room only). */
  commits: number;
  events: number;
  /** Messages the rules keep cached (the Room only): bounded, whatever the room stored since waking. */
  cachedMessages?: number;
  /** Read position rows written since waking (the Room only, v3): coalesced, far fewer than `read` frames. */
  readRows?: number;
  /** Webhook position rows written since waking (the Room only, v3): coalesced, far fewer than deliveries. */
  webhookRows?: number;
  /** The size of the object's SQLite database in bytes (the Room only): storage per message in the bench. */
  storageBytes?: number;
}

/** A fresh set of counters for `name`. */
export function newStats(name: string): ObjectStats {
  return { name, since: Date.now(), sockets: 0, framesIn: 0, sends: 0, callsOut: 0, callsIn: 0, commits: 0, events: 0 };
}
