/**
 * The Room's side of its shards: where a new socket goes, which connections each shard holds (in
 * a `remote_conns` table, so a Room that wakes knows them without calling anyone), and one
 * downlink channel per shard that carries the room's frames there, one call in flight at a time.
 * A connection the Room closes (a kick, a ban) leaves `remote_conns` at once, so a restarted Room
 * never counts it present, and its close is owed until the shard confirms it (`owed-closes.ts`).
 */
import { CLOSE } from "@edge-chat/protocol";
import type { Audience, CloseTarget } from "../core/group-commit.ts";
import type { Conn } from "../core/presence.ts";
import type { Bucket } from "../core/rate-limit.ts";
import { addColumnOnce } from "../storage/columns.ts";
import { isRemote, shardOf } from "./addressing.ts";
import { Channel, type RetryTimer } from "./channel.ts";
import { OwedCloses } from "./owed-closes.ts";
import type { DownItem, DownlinkBatch } from "./shard-wire.ts";

/** What the Room calls on a shard. */
export interface ShardStub {
  downlink(batch: DownlinkBatch): Promise<void>;
}

interface RemoteRow extends Record<string, SqlStorageValue> {
  key: string;
  shard: number;
  user_id: string;
  owner: number;
  serial: number;
  /** A signed connection's token `exp` at its welcome (null: anonymous), and its role claim. */
  exp: number | null;
  role: string | null;
}

const SCHEMA = `CREATE TABLE IF NOT EXISTS remote_conns (
  key TEXT PRIMARY KEY, shard INTEGER NOT NULL, user_id TEXT NOT NULL, owner INTEGER NOT NULL, serial INTEGER NOT NULL,
  exp INTEGER, role TEXT
) WITHOUT ROWID`;

/** The weight of frames the Room keeps queued for one shard at most (their UTF-16 length). */
export const DOWNLINK_MAX_WEIGHT = 4 * 1024 * 1024;

/** The weight counted for an item that carries no frame text. */
const SMALL_ITEM = 64;

/** On the first call a given-up shard takes: its sockets close with this, and their clients resume. */
const GIVEN_UP = { code: CLOSE.tryAgain, reason: "the room lost touch with this server" };

type NewItem = DownItem extends infer T ? (T extends DownItem ? Omit<T, "id"> : never) : never;

/** How big a shard's channel may grow, and its timer (tests make both small). */
export interface LinkBounds {
  maxWeight: number;
  timer?: RetryTimer;
}

/** One shard as the Room sees it. */
class Shard {
  /** Sockets it said it holds at its last report, and sockets placed there since. */
  open = 0;
  placed = 0;
  readonly conns = new Set<string>();
  readonly #channel: Channel<DownItem, DownlinkBatch>;
  readonly #nextId: () => number;
  readonly #giveUp: () => void;
  #sentThrough: number;
  #through: number;

  constructor(stub: () => ShardStub, instance: string, nextId: () => number, lastSeq: number, log: (what: string, err: unknown) => void, bounds: LinkBounds, giveUp: () => void) {
    this.#nextId = nextId;
    this.#giveUp = giveUp;
    this.#sentThrough = lastSeq;
    this.#through = lastSeq;
    this.#channel = new Channel<DownItem, DownlinkBatch>({
      seal: (items) => ({ instance, from: this.#sentThrough, through: this.#through, items }),
      call: (batch) => stub().downlink(batch),
      delivered: (batch) => {
        this.#sentThrough = Math.max(this.#sentThrough, batch.through);
      },
      maxWeight: bounds.maxWeight,
      log: (what, err) => log(`downlink ${what}`, err),
      ...(bounds.timer ? { timer: bounds.timer } : {}),
    });
  }

  /** Queues an item; past the bound the shard is given up (`ShardLinks.#giveUp`). */
  push(item: NewItem): void {
    const weight = item.kind === "frame" ? item.text.length : SMALL_ITEM;
    if (!this.#channel.push({ ...item, id: this.#nextId() } as DownItem, weight)) this.#giveUp();
  }

  /** Drops what is queued and queues, whatever the bound, the close of every socket the shard holds. */
  reset(): void {
    this.#channel.drop();
    this.#channel.pushAlways({ id: this.#nextId(), kind: "reset", ...GIVEN_UP });
  }

  /** Sends what is queued, if no call is in flight; `through` is where the log stands. */
  flush(through: number): void {
    this.#through = Math.max(this.#through, through);
    this.#channel.flush();
  }
}

/** Every shard of one room. */
export class ShardLinks {
  readonly #sql: SqlStorage;
  readonly #instance: string;
  readonly #stubOf: (index: number) => ShardStub;
  readonly #log: (what: string, err: unknown) => void;
  readonly #gaveUp: (keys: string[]) => void;
  readonly #bounds: LinkBounds;
  readonly #shards = new Map<number, Shard>();
  /** Remote connections by key, and by user. */
  readonly #conns = new Map<string, { shard: number; user: string }>();
  readonly #byUser = new Map<string, Set<string>>();
  readonly #owed: OwedCloses;
  /** Item numbers, one sequence for every channel of this instance: a shard forgotten and placed
   * again must not take new items for ones it applied. */
  #lastItemId = 0;
  #lastSeq: number;

  /**
   * `gaveUp` hears of the connections of a shard given up past the bound (their users leave the
   * room now; the shard closes their sockets once it answers again).
   */
  constructor(
    sql: SqlStorage,
    lastSeq: number,
    stubOf: (index: number) => ShardStub,
    log: (what: string, err: unknown) => void,
    gaveUp: (keys: string[]) => void,
    bounds: LinkBounds = { maxWeight: DOWNLINK_MAX_WEIGHT },
  ) {
    this.#sql = sql;
    this.#gaveUp = gaveUp;
    this.#bounds = bounds;
    this.#instance = crypto.randomUUID();
    this.#stubOf = stubOf;
    this.#log = log;
    this.#lastSeq = lastSeq;
    sql.exec(SCHEMA);
    this.#owed = new OwedCloses(sql);
    // Rooms from before protocol v3 lack the signed columns.
    addColumnOnce(sql, "remote_conns", "exp", "INTEGER");
    addColumnOnce(sql, "remote_conns", "role", "TEXT");
  }

  /**
   * The connections shards hold, as stored: the Room restores them into presence when it wakes.
   * Closes owed from before the wake are queued again, ahead of anything else for their shards.
   */
  restore(): Conn[] {
    const rows = this.#sql.exec<RemoteRow>("SELECT * FROM remote_conns").toArray();
    for (const row of rows) this.#remember(row.key, row.shard, row.user_id);
    for (const { key, code, reason } of this.#owed.load()) this.#shard(shardOf(key)).push({ kind: "close", target: { conn: key }, code, reason });
    return rows.map((row) => {
      const conn: Conn = { key: row.key, user: row.user_id, owner: row.owner === 1, serial: row.serial };
      if (row.exp !== null) conn.signed = row.role === "moderator" || row.role === "member" ? { exp: row.exp, role: row.role } : { exp: row.exp };
      return conn;
    });
  }

  /** The indexes of the shards the Room knows. */
  get indexes(): number[] {
    return [...this.#shards.keys()].sort((a, b) => a - b);
  }

  /** Where a new socket goes: undefined for the Room itself, else a shard index. */
  place(localOpen: number, capacity: number): number | undefined {
    if (localOpen < capacity) return undefined;
    for (const index of this.indexes) {
      const shard = this.#shards.get(index)!;
      if (shard.open + shard.placed < capacity) {
        shard.placed++;
        return index;
      }
    }
    const index = (this.indexes.at(-1) ?? 0) + 1;
    this.#shard(index).placed++;
    return index;
  }

  /** A shard's report: how many sockets it holds, and maybe all of its welcomed connections. */
  report(index: number, open: number, roster?: readonly string[]): string[] {
    const shard = this.#shard(index);
    shard.open = open;
    shard.placed = 0;
    const lost = roster ? [...shard.conns].filter((key) => !roster.includes(key)) : [];
    // A socket owed a close that the shard no longer holds was closed: nothing is owed any more.
    if (roster) for (const key of this.#owed.keys()) if (shardOf(key) === index && !roster.includes(key)) this.#owed.settle(key);
    this.#forgetIfEmpty(index);
    return lost;
  }

  /** The Room welcomed a connection on a shard, at `seq`. */
  admitted(conn: Conn, seq: number): void {
    const shard = shardOf(conn.key);
    this.#sql.exec(
      "INSERT OR REPLACE INTO remote_conns (key, shard, user_id, owner, serial, exp, role) VALUES (?, ?, ?, ?, ?, ?, ?)",
      conn.key, shard, conn.user, Number(conn.owner), conn.serial, conn.signed?.exp ?? null, conn.signed?.role ?? null,
    );
    this.#remember(conn.key, shard, conn.user);
    const item: NewItem = { kind: "admitted", conn: conn.key, user: conn.user, owner: conn.owner, serial: conn.serial, seq };
    if (conn.signed) item.signed = { ...conn.signed };
    this.#shard(shard).push(item);
  }

  /**
   * A shard's signed connection refreshed its token: the shard closes it after the new `exp`. (The
   * row keeps the first `exp`: the Room reads it only to know the connection is signed.)
   */
  expires(key: string, exp: number): void {
    if (this.#conns.has(key)) this.#shard(shardOf(key)).push({ kind: "expires", conn: key, exp });
  }

  /** A token was spent by a shard's connection: its socket's attachment keeps the bucket. */
  charged(key: string, bucket: Bucket): void {
    if (this.#conns.has(key)) this.#shard(shardOf(key)).push({ kind: "charged", conn: key, bucket });
  }

  /** A shard's connection closed; false when the Room did not know it. */
  closed(key: string): boolean {
    this.#owed.settle(key);
    return this.#forget(key);
  }

  #forget(key: string): boolean {
    const known = this.#conns.get(key);
    if (!known) return false;
    this.#sql.exec("DELETE FROM remote_conns WHERE key = ?", key);
    this.#conns.delete(key);
    const mine = this.#byUser.get(known.user);
    mine?.delete(key);
    if (mine?.size === 0) this.#byUser.delete(known.user);
    this.#shards.get(known.shard)?.conns.delete(key);
    this.#forgetIfEmpty(known.shard);
    return true;
  }

  /** Queues an encoded frame for every shard that may hold one of its recipients. */
  deliver(audience: Audience, text: string, seq?: number): void {
    for (const index of this.#targets(audience)) {
      this.#shard(index).push(seq === undefined ? { kind: "frame", audience, text } : { kind: "frame", audience, text, seq });
    }
  }

  /**
   * Queues a close for the shards holding the target. Each connection closed is owed its close
   * until its shard confirms it (in storage, in this turn), and leaves `remote_conns` now.
   */
  close(target: CloseTarget, code: number, reason: string): void {
    const keys = ("conn" in target ? [target.conn] : [...(this.#byUser.get(target.user) ?? [])]).filter((k) => isRemote(k));
    for (const index of new Set(keys.map(shardOf))) this.#shard(index).push({ kind: "close", target, code, reason });
    for (const key of keys) {
      this.#owed.owe(key, code, reason);
      this.#forget(key);
    }
  }

  /** Sends what is queued for every shard (one call each, when none is in flight). */
  flush(lastSeq: number): void {
    this.#lastSeq = lastSeq;
    for (const shard of this.#shards.values()) shard.flush(lastSeq);
  }

  #targets(audience: Audience): Iterable<number> {
    if (audience.to === "conn") return isRemote(audience.conn) ? [shardOf(audience.conn)] : [];
    if (audience.to === "users") {
      const out = new Set<number>();
      for (const id of audience.ids) for (const key of this.#byUser.get(id) ?? []) out.add(shardOf(key));
      return out;
    }
    return [...this.#shards].filter(([, shard]) => shard.conns.size > 0).map(([index]) => index);
  }

  #remember(key: string, shard: number, user: string): void {
    this.#conns.set(key, { shard, user });
    let mine = this.#byUser.get(user);
    if (!mine) this.#byUser.set(user, (mine = new Set()));
    mine.add(key);
    this.#shard(shard).conns.add(key);
  }

  #shard(index: number): Shard {
    let shard = this.#shards.get(index);
    if (!shard) {
      shard = new Shard(() => this.#stubOf(index), this.#instance, () => ++this.#lastItemId, this.#lastSeq, this.#log, this.#bounds, () => this.#giveUp(index));
      this.#shards.set(index, shard);
    }
    return shard;
  }

  /**
   * Past the bound a shard has not answered for a while: the Room stops owing it anything. What
   * was queued is dropped, its connections leave the room now (so presence stays true for
   * everyone else), and its first call when it answers again closes all its sockets with 1013:
   * their clients reconnect and resume without a gap. No stored event is ever skipped in silence.
   */
  #giveUp(index: number): void {
    const shard = this.#shards.get(index);
    if (!shard) return;
    shard.reset();
    const keys = [...shard.conns];
    for (const key of keys) this.closed(key);
    this.#log(`shard ${index} gave up after the bound`, `${keys.length} connections dropped`);
    this.#gaveUp(keys);
  }

  /** A shard with no connections, no sockets and no close owed is forgotten (its queue is then empty anyway). */
  #forgetIfEmpty(index: number): void {
    const shard = this.#shards.get(index);
    if (!shard || shard.conns.size > 0 || shard.open > 0 || shard.placed > 0) return;
    if (this.#owed.keys().some((key) => shardOf(key) === index)) return;
    this.#shards.delete(index);
  }
}

