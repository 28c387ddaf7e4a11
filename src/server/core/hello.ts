/**
 * The rules of `hello`, in the protocol's order: the fields (already checked by the decoder), the
 * owner `key` (`forbidden`), a ban (`banned`, unless the key was valid), then the name (the user's
 * current one for a second socket, else the first free suffix of the one asked for, else a guest
 * name). The welcome goes at once; the others hear of a first socket by `join` (at most 100
 * online) or by `occupancy`.
 */
import { LIMITS } from "@edge-chat/protocol";
import type { HelloFrame, WelcomeFrame } from "@edge-chat/protocol";
import { keyMatches, mayBeOwnerKey } from "../identity/owner-keys.ts";
import { userIdFromToken } from "../identity/user-id.ts";
import type { Audience } from "./group-commit.ts";
import { resumeOf } from "./history.ts";
import { guestName } from "./names.ts";
import type { Conn } from "./presence.ts";
import type { RuleContext } from "./rule-context.ts";

/** Judges a hello on connection `key`, which has none accepted yet. */
export function handleHello(room: RuleContext, key: string, hello: HelloFrame): void {
  const reply: Audience = { to: "conn", conn: key };
  const id = userIdFromToken(hello.token);
  const now = room.now();
  let owner = false;
  if (hello.key !== undefined) {
    // Both compared as hashes, in constant time: the time a refusal takes tells nothing of either
    // key. A key too long to be either is refused unhashed (issue 19, item 4).
    const key = hello.key;
    owner = mayBeOwnerKey(key, room.config.adminKey?.length) && (keyMatches(key, room.settings.ownerKeyHash) || keyMatches(key, room.adminKeyHash));
    if (!owner) return room.error(reply, "forbidden", "that is not an owner key of this room");
  }
  const bannedUntil = room.users.bannedUntil(id);
  if (!owner && bannedUntil > now) return room.error(reply, "banned", "you are banned from this room", undefined, bannedUntil - now);

  // A second socket of an online user joins under the user's current name.
  const online = room.presence.user(id);
  const taken = (name: string) => room.presence.isTaken(name, id);
  const name = online?.name ?? (hello.name !== undefined ? room.presence.uniqueName(hello.name, id) : guestName(taken));
  const conn: Conn = { key, user: id, owner, serial: room.nextSerial(now) };
  const first = room.presence.add(conn, name);
  room.users.seen({ id, name });
  // Remembered for good (after `seen`, which makes the user's row): nobody may act on an owner.
  if (owner) room.users.setOwner(id);
  room.hooks.admitted(conn, name, room.log.lastSeq);

  const resume = resumeOf(room, id, hello);
  const welcome: WelcomeFrame = {
    type: "welcome",
    self: { id, name, role: room.roleOf(conn) },
    users: room.presence.sample(id, LIMITS.usersListed, (u) => room.listed(u)),
    online: room.presence.online,
    messages: resume.messages,
    seq: room.log.lastSeq,
    epoch: room.log.epoch,
    resumed: resume.resumed,
    settings: room.settings.current,
    limits: {
      text: LIMITS.text,
      name: LIMITS.name,
      burst: room.config.burst,
      perSecond: room.config.perSecond,
      reactions: LIMITS.reactions,
      usersListed: LIMITS.usersListed,
    },
  };
  // Nothing waiting can reach this connection yet: frames queued before it are for the others,
  // and stored events waiting have seqs after `welcome.seq`, so they follow it.
  room.queue.now(reply, welcome);
  if (!first) return;
  if (room.presence.online <= LIMITS.usersListed) {
    const user = room.listed(room.presence.user(id)!);
    room.queue.frame({ to: "all", except: id, upTo: conn.serial }, { type: "join", user, online: room.presence.online });
  } else {
    room.occupancyChanged();
  }
}
