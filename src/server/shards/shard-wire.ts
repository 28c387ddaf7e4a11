/**
 * The calls between a room's sequencer (the Room object) and its shards (RoomShard objects), as
 * data: what a shard sends up, what the Room hands down. Both sides import this one definition.
 * See docs/SHARDS.md for how they are used.
 */
import type { Decoded } from "@edge-chat/protocol/validate";
import type { Credential } from "../core/credential.ts";
import type { Audience, CloseTarget } from "../core/group-commit.ts";
import type { SignedConn } from "../core/presence.ts";
import type { Bucket } from "../core/rate-limit.ts";

/**
 * One thing a shard tells the Room about one of its connections. A frame carries the user's
 * bucket as the socket's attachment last kept it (the Room hands each charge down): a Room that
 * was evicted meanwhile takes it up again, so a flooder on a shard gets no fresh burst.
 */
export type UplinkItem =
  /** `credential`: the shard's verification of a `hello` or `auth` with a signed token (it verifies as the Room would). */
  | { kind: "frame"; conn: string; decoded: Decoded; bucket?: Bucket; credential?: Credential }
  | { kind: "closed"; conn: string };

/** One `uplink` call. `instance` and `n` make a retried call recognisable. */
export interface UplinkBatch {
  shard: number;
  instance: string;
  n: number;
  /** Sockets the shard holds now (welcomed or not), for placing new ones. */
  open: number;
  items: UplinkItem[];
  /** Now and then, every connection the shard holds (welcomed or not): closes lost with a shard heal. */
  roster?: string[];
}

/** One thing the Room hands a shard, numbered in order within one Room instance. */
export type DownItem =
  | { id: number; kind: "frame"; audience: Audience; text: string; seq?: number }
  | { id: number; kind: "close"; target: CloseTarget; code: number; reason: string }
  | { id: number; kind: "admitted"; conn: string; user: string; owner: boolean; serial: number; seq: number; signed?: SignedConn }
  | { id: number; kind: "charged"; conn: string; bucket: Bucket }
  /** A signed connection refreshed its token: its socket now expires at `exp` (seconds). */
  | { id: number; kind: "expires"; conn: string; exp: number }
  /** The Room gave this shard up (its queue passed the bound): close every socket. */
  | { id: number; kind: "reset"; code: number; reason: string };

/**
 * One `downlink` call: its items, and the promise that every stored event with a seq in
 * `(from, through]` that the shard's sockets may see is in it or was in an earlier call.
 */
export interface DownlinkBatch {
  instance: string;
  from: number;
  through: number;
  items: DownItem[];
}

/** A stored event a shard missed, as the Room's log has it now. */
export interface MissedEvent {
  seq: number;
  text: string;
  audience: Audience;
}
