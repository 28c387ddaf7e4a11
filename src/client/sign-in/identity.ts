/**
 * Who the page is in a room, decided from the deployment's settings (page-config.ts): a signed
 * token from the embedding page (embedded, with ALLOWED_ORIGINS) or from the host application's
 * AUTH_TOKEN_URL, Cloudflare Access's identity (the upgrade carries it), an anonymous token, or,
 * under AUTH_REQUIRED with none of these, no way in at all.
 */
import type { PageConfig } from "@edge-chat/protocol";
import { EmbedTokens } from "./embed-tokens.ts";
import { chooseIdentity } from "./identity-choice.ts";
import { fetchToken } from "./token-url.ts";

/** How the page signs its user in. */
export type PageIdentity =
  /** An anonymous token kept in this browser (the version 2 way). */
  | { kind: "anonymous" }
  /** Behind Cloudflare Access: the hello carries no credential, the upgrade does. */
  | { kind: "access" }
  /** A signed token: `auth` gets a fresh one (the client calls it at each connect and before expiry); `current` is the last one got. */
  | { kind: "signed"; from: "embedder" | "token-url"; auth: () => Promise<string>; current: () => string | undefined }
  /** AUTH_REQUIRED, and nothing here can get a signed token: the page says so instead of connecting. */
  | { kind: "unavailable" };

/** An identity a room can be entered with. */
export type RoomIdentity = Exclude<PageIdentity, { kind: "unavailable" }>;

/** The page's identity for these settings; `embedded` when the page is an embed inside another page. */
export function pageIdentity(config: PageConfig, embedded: boolean): PageIdentity {
  const choice = chooseIdentity(config, embedded, window.parent !== window);
  if (choice === "embedder") {
    const tokens = new EmbedTokens(config.allowedOrigins, window.parent);
    return signed("embedder", () => tokens.request());
  }
  if (choice === "token-url") {
    const url = config.authTokenUrl!;
    return signed("token-url", () => fetchToken(url));
  }
  return { kind: choice };
}

/** A signed identity whose last token is kept (uploads send it as their credential). */
function signed(from: "embedder" | "token-url", obtain: () => Promise<string>): PageIdentity {
  let latest: string | undefined;
  return {
    kind: "signed",
    from,
    auth: async () => (latest = await obtain()),
    current: () => latest,
  };
}
