/**
 * A room's settings (slow mode, the lock) and its owner key's hash, kept in the log's `meta` table
 * and read into memory when the room wakes.
 */
import type { RoomSettings } from "@edge-chat/protocol";
import type { EventLog } from "./event-log.ts";

/** A room's settings until a moderator changes them. */
export const DEFAULT_SETTINGS: Readonly<RoomSettings> = { slowMs: 0, locked: false };

/** The settings and the owner key hash of one room. */
export class RoomSettingsStore {
  readonly #log: EventLog;
  #settings: RoomSettings;
  #ownerKeyHash: string | undefined;

  constructor(log: EventLog) {
    this.#log = log;
    this.#settings = { slowMs: Number(log.meta("slow_ms") ?? DEFAULT_SETTINGS.slowMs), locked: log.meta("locked") === "1" };
    this.#ownerKeyHash = log.meta("owner_key");
  }

  /** The settings in force. */
  get current(): RoomSettings {
    return { ...this.#settings };
  }

  /** Changes the given settings, keeping the others. */
  update(change: Partial<RoomSettings>): RoomSettings {
    if (change.slowMs !== undefined) this.#log.setMeta("slow_ms", String(change.slowMs));
    if (change.locked !== undefined) this.#log.setMeta("locked", change.locked ? "1" : "0");
    this.#settings = { ...this.#settings, ...change };
    return this.current;
  }

  /** The hash of the room's owner key, when it has one. */
  get ownerKeyHash(): string | undefined {
    return this.#ownerKeyHash;
  }

  /** Gives the room an owner key (by its hash). */
  setOwnerKeyHash(hash: string): void {
    this.#ownerKeyHash = this.#log.setMeta("owner_key", hash);
  }
}
