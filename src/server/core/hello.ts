/**
 * The rules of `hello`, in the protocol's order (v3): the fields (already checked by the decoder,
 * but for the name of a signed hello, which a `name` claim overrides), the credential (an invalid
 * or missing signed token, or an anonymous one under AUTH_REQUIRED: `unauthorized`; a token whose
 * `rooms` leave this room out: `forbidden`), the owner `key` (`forbidden`), a ban (`banned`, unless
 * the key was valid or the token's role is owner), then the name (the user's current one for a
 * second socket, else the first free suffix of the one asked for, else a guest name). The welcome
 * goes at once; the others hear of a first socket by `join` (at most 100 online) or by `occupancy`.
 */
import { LIMITS } from "@edge-chat/protocol";
import type { ReceivedHelloFrame, WelcomeFrame } from "@edge-chat/protocol";
import { keyMatches, mayBeOwnerKey } from "../identity/owner-keys.ts";
import { userIdFromToken } from "../identity/user-id.ts";
import type { Credential } from "./credential.ts";
import type { Audience } from "./group-commit.ts";
import { resumeOf } from "./history.ts";
import { guestName } from "./names.ts";
import { readStateOf } from "./read-state.ts";
import type { Conn, SignedConn } from "./presence.ts";
import type { RuleContext } from "./rule-context.ts";

/** Who a hello says it is, once its credential and name passed. */
interface Claimed {
  id: string;
  name: string | undefined;
  signed?: SignedConn;
  ownerClaim: boolean;
  bot: boolean;
}

/**
 * Judges a hello on connection `key`, which has none accepted yet. `credential` is the holder's
 * verification of a signed token (`hello.auth`, or the upgrade's Access header); none for `token`.
 */
export function handleHello(room: RuleContext, key: string, hello: ReceivedHelloFrame, credential?: Credential): void {
  const reply: Audience = { to: "conn", conn: key };
  const claimed = identify(room, reply, hello, credential);
  if (!claimed) return;
  const { id } = claimed;
  const now = room.now();
  let owner = claimed.ownerClaim;
  if (hello.key !== undefined) {
    // Both compared as hashes, in constant time: the time a refusal takes tells nothing of either
    // key. A key too long to be either is refused unhashed (issue 19, item 4).
    const presented = hello.key;
    const keyValid = mayBeOwnerKey(presented, room.config.adminKey?.length) && (keyMatches(presented, room.settings.ownerKeyHash) || keyMatches(presented, room.adminKeyHash));
    if (!keyValid) return room.error(reply, "forbidden", "that is not an owner key of this room");
    owner = true;
  }
  const bannedUntil = room.users.bannedUntil(id);
  if (!owner && bannedUntil > now) return room.error(reply, "banned", "you are banned from this room", undefined, bannedUntil - now);

  // A second socket of an online user joins under the user's current name.
  const online = room.presence.user(id);
  const taken = (name: string) => room.presence.isTaken(name, id);
  const name = online?.name ?? (claimed.name !== undefined ? room.presence.uniqueName(claimed.name, id) : guestName(taken));
  const conn: Conn = { key, user: id, owner, serial: room.nextSerial(now) };
  if (claimed.signed) conn.signed = claimed.signed;
  const first = room.presence.add(conn, name);
  room.users.seen({ id, name }, claimed.bot);
  // Remembered for good (after `seen`, which makes the user's row): nobody may act on an owner.
  if (owner) room.users.setOwner(id);
  room.hooks.admitted(conn, name, room.log.lastSeq);

  const resume = resumeOf(room, id, hello);
  const welcome: WelcomeFrame = {
    type: "welcome",
    self: { ...room.userObject(id, name), role: room.roleOf(conn) },
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
      files: LIMITS.files,
      fileBytes: room.config.fileMaxBytes,
    },
    ...readStateOf(room, id),
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

/**
 * The name asked for (`name_invalid`), then the credential (`unauthorized`, `forbidden`): who the
 * hello is from, or undefined once refused. A signed token's `name` claim is the name asked for,
 * `hello.name` then ignored even when invalid; without one, `hello.name` counts (the fields come
 * before the credential, so an invalid one is `name_invalid` whatever the token).
 */
function identify(room: RuleContext, reply: Audience, hello: ReceivedHelloFrame, credential: Credential | undefined): Claimed | undefined {
  const signed = credential?.kind === "signed" ? credential : undefined;
  const claimsName = signed !== undefined && (signed.identity.name !== undefined || signed.identity.nameError !== undefined);
  const nameError = claimsName ? signed!.identity.nameError : hello.nameError;
  if (nameError !== undefined) return void room.error(reply, "name_invalid", nameError);
  const name = claimsName ? signed!.identity.name : hello.name;

  if (hello.token !== undefined) {
    if (room.config.auth.required) return void room.error(reply, "unauthorized", "this deployment admits signed identities only");
    return { id: userIdFromToken(hello.token), name, ownerClaim: false, bot: false };
  }
  if (!signed) {
    const why = credential?.kind === "refused" ? credential.message : "it was not verified";
    return void room.error(reply, "unauthorized", `the signed token was refused: ${why}`);
  }
  if (!signed.mayEnter) return void room.error(reply, "forbidden", "the signed token may not enter this room");
  const { identity } = signed;
  const signedConn: SignedConn = { exp: identity.exp };
  if (identity.role === "moderator" || identity.role === "member") signedConn.role = identity.role;
  return { id: identity.sub, name, signed: signedConn, ownerClaim: identity.role === "owner", bot: identity.bot };
}
