/** Room settings read from the Worker's vars, with the protocol's defaults and floors. */

/** Signed identity (PROTOCOL.md v3, docs/AUTH.md): who may sign tokens the rooms trust. */
export interface AuthConfig {
  /** HS256 keys: the UTF-8 bytes of each comma-separated string of AUTH_SECRET (empty: none). */
  secrets: string[];
  /** AUTH_JWKS_URL: the key set for RS256, ES256 and EdDSA tokens (undefined: none). */
  jwksUrl: string | undefined;
  /** AUTH_ISSUER and AUTH_AUDIENCE: what a token's `iss` and `aud` must name, when set. */
  issuer: string | undefined;
  audience: string | undefined;
  /** AUTH_REQUIRED = "true": only signed identities may enter, over HTTP too. */
  required: boolean;
}

/** The settings a room runs with. */
export interface RoomConfig {
  /** Messages kept at least; never below the protocol's 10,000. */
  historyLimit: number;
  /** Token bucket size per user. */
  burst: number;
  /** Token bucket refill per second. */
  perSecond: number;
  /** Sockets one object (the room's own, or a shard) holds before new ones go to a shard. */
  shardCapacity: number;
  /** The deployment's ADMIN_KEY: an owner key of every room (unset: none). */
  adminKey: string | undefined;
  /** Signed identity. */
  auth: AuthConfig;
  /** Version 3: the largest upload in bytes (FILE_MAX_BYTES). */
  fileMaxBytes: number;
}

/** The largest upload when FILE_MAX_BYTES is not set: 10 MiB. */
export const DEFAULT_FILE_MAX_BYTES = 10_485_760;

/** Default sockets per object (see docs/SCALE.md for how it was chosen). */
export const DEFAULT_SHARD_CAPACITY = 2_000;

const MIN_HISTORY = 10_000;

/** The vars a room reads. */
export type ConfigVars = Partial<
  Record<
    | "HISTORY_LIMIT"
    | "RATE_BURST"
    | "RATE_PER_SECOND"
    | "SHARD_CAPACITY"
    | "ADMIN_KEY"
    | "AUTH_SECRET"
    | "AUTH_JWKS_URL"
    | "AUTH_ISSUER"
    | "AUTH_AUDIENCE"
    | "AUTH_REQUIRED"
    | "FILE_MAX_BYTES",
    string
  >
>;

/** Reads the room's settings from its environment. */
export function readConfig(env: ConfigVars): RoomConfig {
  return {
    historyLimit: Math.max(MIN_HISTORY, positive(env.HISTORY_LIMIT, MIN_HISTORY)),
    burst: positive(env.RATE_BURST, 20),
    perSecond: positive(env.RATE_PER_SECOND, 5),
    shardCapacity: Math.floor(positive(env.SHARD_CAPACITY, DEFAULT_SHARD_CAPACITY)),
    // An empty secret is no key: it must never match an empty `hello.key`.
    adminKey: env.ADMIN_KEY ? env.ADMIN_KEY : undefined,
    auth: readAuthConfig(env),
    fileMaxBytes: Math.floor(positive(env.FILE_MAX_BYTES, DEFAULT_FILE_MAX_BYTES)),
  };
}

/** The signed-identity part of the vars; empty strings mean unset. */
export function readAuthConfig(env: ConfigVars): AuthConfig {
  return {
    // Keys are kept exactly as written between the commas (a space is a byte of a key), empty ones dropped.
    secrets: (env.AUTH_SECRET ?? "").split(",").filter((key) => key !== ""),
    jwksUrl: env.AUTH_JWKS_URL?.trim() || undefined,
    issuer: env.AUTH_ISSUER || undefined,
    audience: env.AUTH_AUDIENCE || undefined,
    required: env.AUTH_REQUIRED?.trim().toLowerCase() === "true",
  };
}

function positive(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value !== undefined && value !== "" && Number.isFinite(n) && n > 0 ? n : fallback;
}
