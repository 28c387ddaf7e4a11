/**
 * The page's identity as a room connection uses it: the client's options (a signed token's
 * provider, or Access), the credential of uploads, and the owner credential of integrations.
 */
import { STORAGE_KEYS, type ConnectOptions } from "@edge-chat/client";
import type { Role } from "@edge-chat/protocol";
import type { RoomIdentity } from "../sign-in/identity.ts";
import { signInProblem } from "../sign-in/sign-in-problem.ts";
import { loadOwnerKey, pageStorage } from "../storage.ts";
import { toast } from "./toast.ts";

/** The client's options for the identity; a signed token that cannot be got is said once per failing streak. */
export function signInOptions(identity: RoomIdentity): Pick<ConnectOptions, "auth" | "access"> {
  if (identity.kind === "access") return { access: true };
  if (identity.kind !== "signed") return {};
  let failing = false;
  return {
    auth: async () => {
      try {
        const token = await identity.auth();
        failing = false;
        return token;
      } catch (error) {
        // The client tries again with backoff: one notice, not one per try.
        if (!failing) toast(signInProblem(error));
        failing = true;
        throw error;
      }
    },
  };
}

/** What uploads send as `Authorization: Bearer`: the signed token, none behind Access (its header goes by itself), else the anonymous token. */
export async function uploadCredential(identity: RoomIdentity): Promise<string | undefined> {
  if (identity.kind === "signed") return identity.current();
  if (identity.kind === "access") return undefined;
  return String(await pageStorage.getItem(STORAGE_KEYS.token));
}

/**
 * The owner credential of the room's HTTP endpoints (hooks, webhooks): the owner key this browser
 * keeps for the room, else the token of a signed identity the room welcomed as owner (a role claim
 * of owner makes the token itself an owner credential). Undefined for anyone else.
 */
export function ownerCredential(identity: RoomIdentity, room: string, role: Role): string | undefined {
  const key = loadOwnerKey(room);
  if (key !== undefined) return key;
  return identity.kind === "signed" && role === "owner" ? identity.current() : undefined;
}
