/**
 * `npm run token -- --sub alice --name Alice [--role owner] [--rooms 'team-*'] [--bot] [--ttl 1h]`:
 * prints a signed token for local development, signed (HS256) with the first key of AUTH_SECRET in
 * `.dev.vars` (the file `wrangler dev` reads), with that file's AUTH_ISSUER and AUTH_AUDIENCE when
 * set, so a room under `npm run dev` accepts it. The claims are checked by the rooms' own reading
 * (identity/claims.ts), so the tool never prints a token the room would refuse for its claims.
 * docs/AUTH.md shows how a real backend issues the same tokens.
 */
import { readFileSync } from "node:fs";
import { parseArgs, parseEnv } from "node:util";
import { SignJWT, type JWTPayload } from "jose";
import { identityFromClaims } from "../src/server/identity/claims.ts";

/** HS256 keys shorter than this many bytes are not used by the rooms (PROTOCOL.md v3). */
const MIN_SECRET_BYTES = 32;

/** A token lives this long unless `--ttl` says otherwise. */
const DEFAULT_TTL = "1h";

/** Seconds per `--ttl` unit. */
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** How to make a key, shown when `.dev.vars` has none. */
export const MAKE_A_SECRET =
  'add a key of at least 32 bytes to .dev.vars, for example:\n  echo "AUTH_SECRET=$(node -e \'console.log(crypto.randomBytes(32).toString(\"base64url\"))\')" >> .dev.vars\nthen restart `npm run dev` so the rooms read it (docs/AUTH.md).';

/** A refusal the command line prints instead of a token. */
export class TokenToolError extends Error {}

/** Seconds in a `--ttl` such as `90s`, `15m`, `1h`, `7d` (a bare number is seconds). */
export function ttlSeconds(ttl: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(ttl.trim());
  if (!match) throw new TokenToolError(`--ttl must be a number with s, m, h or d (like 90s, 15m, 1h, 7d), not "${ttl}"`);
  const seconds = Number(match[1]) * UNIT_SECONDS[match[2] || "s"]!;
  if (seconds <= 0) throw new TokenToolError("--ttl must be more than 0");
  return seconds;
}

/** The vars of a `.dev.vars` file's text that signing needs. */
export interface DevVars {
  AUTH_SECRET?: string;
  AUTH_ISSUER?: string;
  AUTH_AUDIENCE?: string;
}

/** Reads `.dev.vars` (dotenv syntax); a missing file reads as empty. */
export function readDevVars(path: string): DevVars {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return {};
  }
  return parseEnv(text) as DevVars;
}

/** Signs the token the arguments ask for, at `now` (seconds since the epoch). */
export async function devToken(args: string[], vars: DevVars, now = Math.floor(Date.now() / 1000)): Promise<string> {
  const { values } = parseArgs({
    args,
    options: {
      sub: { type: "string" },
      name: { type: "string" },
      role: { type: "string" },
      rooms: { type: "string", multiple: true },
      bot: { type: "boolean" },
      ttl: { type: "string", default: DEFAULT_TTL },
    },
    strict: true,
  });
  if (values.sub === undefined) throw new TokenToolError("--sub is required: the user's id in your application (e.g. --sub alice)");
  const secret = (vars.AUTH_SECRET ?? "").split(",")[0]?.trim() ?? "";
  if (secret === "") throw new TokenToolError(`no AUTH_SECRET in .dev.vars: ${MAKE_A_SECRET}`);
  if (new TextEncoder().encode(secret).byteLength < MIN_SECRET_BYTES) {
    throw new TokenToolError(`the first key of AUTH_SECRET in .dev.vars is shorter than ${MIN_SECRET_BYTES} bytes, so the rooms ignore it: ${MAKE_A_SECRET}`);
  }
  const payload: JWTPayload = { sub: values.sub, iat: now, exp: now + ttlSeconds(values.ttl) };
  if (values.name !== undefined) payload.name = values.name;
  if (values.role !== undefined) payload.role = values.role;
  // `--rooms 'team-*,general'` and `--rooms team-* --rooms general` both work.
  if (values.rooms !== undefined) payload.rooms = values.rooms.flatMap((rooms) => rooms.split(",")).map((room) => room.trim()).filter((room) => room !== "");
  if (values.bot) payload.bot = true;
  if (vars.AUTH_ISSUER) payload.iss = vars.AUTH_ISSUER;
  if (vars.AUTH_AUDIENCE) payload.aud = vars.AUTH_AUDIENCE;
  const identity = identityFromClaims(payload, now);
  if ("refused" in identity) throw new TokenToolError(`a room would refuse this token: ${identity.refused}`);
  if (identity.nameError !== undefined) throw new TokenToolError(`a room would answer name_invalid: --name is not a valid name`);
  return new SignJWT(payload).setProtectedHeader({ alg: "HS256", typ: "JWT" }).sign(new TextEncoder().encode(secret));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    console.log(await devToken(process.argv.slice(2), readDevVars(".dev.vars")));
  } catch (err) {
    console.error(`npm run token: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  }
}
