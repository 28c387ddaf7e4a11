/**
 * A signed identity (protocol v3): the token given, or the host application's provider of
 * tokens, asked again before the current token's `exp` so that the room never closes the socket
 * for an expired token (code 4401). The token is only read, never verified: the room verifies it.
 */
import type { AuthAcceptedFrame } from "@edge-chat/protocol";

/** The close code of a socket whose signed token ran out. */
export const AUTH_CLOSE = 4401;

/** A signed token, or a function that fetches a fresh one from the host application. */
export type AuthSource = string | (() => Promise<string> | string);

/** A fresh token is asked for this long before `exp` at most (less for short-lived tokens). */
const REFRESH_LEAD_MS = 60_000;
/** A cached token with less than this left is not sent in a hello: the provider is asked again. */
const HELLO_MARGIN_MS = 30_000;
/** Timers cannot wait longer than this (a longer delay would fire at once). */
const LONGEST_TIMER_MS = 2_147_483_647;

/** The `exp` claim of a compact JWS, in seconds; undefined when it cannot be read. */
export function tokenExpiry(token: string): number | undefined {
  const payload = token.split(".")[1];
  if (payload === undefined) return undefined;
  try {
    const base64 = payload.replaceAll("-", "+").replaceAll("_", "/");
    const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
    const json = new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
    const exp = (JSON.parse(json) as { exp?: unknown }).exp;
    return typeof exp === "number" && Number.isFinite(exp) ? exp : undefined;
  } catch {
    return undefined;
  }
}

/** What the refresher needs from its transport. */
export interface AuthHooks {
  /** Sends `auth` on the open socket; settles with the room's answer. */
  refresh(auth: string): Promise<AuthAcceptedFrame>;
  /** A refresh failed (the provider threw, or the room refused the token): start over. */
  failed(): void;
}

/** Keeps one connection's signed token current. */
export class AuthRefresh {
  readonly #source: AuthSource;
  readonly #hooks: AuthHooks;
  #current: { token: string; exp: number | undefined; obtainedAt: number } | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(source: AuthSource, hooks: AuthHooks) {
    this.#source = source;
    this.#hooks = hooks;
  }

  /** True when a provider can give a new token (a fixed token cannot be renewed). */
  get renewable(): boolean {
    return typeof this.#source === "function";
  }

  /** The token for a hello: the current one while it has time left, else (or when `fresh`) a new one. */
  async token(fresh: boolean): Promise<string> {
    const current = this.#current;
    const timeLeft = current?.exp === undefined ? Infinity : current.exp * 1000 - Date.now();
    if (current && (!this.renewable || (!fresh && timeLeft > HELLO_MARGIN_MS))) return current.token;
    return this.#obtain();
  }

  /** The hello was accepted: schedule the refresh before `exp`. */
  welcomed(): void {
    this.#schedule();
  }

  /** The socket is gone: no refresh until the next welcome. */
  disconnected(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  async #obtain(): Promise<string> {
    const source = this.#source;
    const token = typeof source === "function" ? await source() : source;
    this.#current = { token, exp: tokenExpiry(token), obtainedAt: Date.now() };
    return token;
  }

  #schedule(): void {
    this.disconnected();
    const current = this.#current;
    if (!this.renewable || current?.exp === undefined) return;
    const expiresAt = current.exp * 1000;
    const lead = Math.min(REFRESH_LEAD_MS, (expiresAt - current.obtainedAt) / 2);
    const delay = Math.min(LONGEST_TIMER_MS, Math.max(1_000, expiresAt - lead - Date.now()));
    this.#timer = setTimeout(() => void this.#refresh(), delay);
  }

  async #refresh(): Promise<void> {
    this.#timer = undefined;
    try {
      const answer = await this.#hooks.refresh(await this.#obtain());
      // The room says until when this socket may stay; the next refresh comes before that.
      if (this.#current) this.#current.exp = answer.exp;
      this.#schedule();
    } catch (error) {
      // A refresh that went out on a socket since lost, or closed, is not a failure of the token.
      const code = (error as { code?: unknown } | null)?.code;
      if (code === "disconnected" || code === "closed") return;
      this.#current = undefined;
      this.#hooks.failed();
    }
  }
}
