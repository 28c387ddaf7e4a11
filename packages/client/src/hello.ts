/**
 * The hello of one socket: what it carries (the anonymous token or the signed one, the name, the
 * owner key, `since` and `epoch` to resume), and what to do when the room refuses it. A refused
 * hello leaves the socket open, so each refusal that can be mended is tried again on the same
 * socket, once, without what the room refused: a name it finds invalid, an owner key it does not
 * know, a signed token that ran out between the provider and the room. Behind Cloudflare Access
 * the upgrade itself carries the identity, and the hello neither token nor auth.
 */
import { encode } from "@edge-chat/protocol";
import type { AccessHelloFrame, HelloFrame, SignedHelloFrame } from "@edge-chat/protocol";
import type { RoomError } from "@edge-chat/protocol/server-frames";
import type { AuthRefresh } from "./auth-refresh.ts";
import type { CloseReason } from "./transport-types.ts";

/** What the hello needs from its transport. */
export interface HelloHooks {
  /** Sends on the current socket. */
  send(text: string): void;
  /** Where to resume from, once the room has given an epoch. */
  resume(): { since: number; epoch: string } | undefined;
  /** The host's token provider failed: try again later, as after a lost connection. */
  failed(): void;
  /** An identity of the current socket, to drop a provider's late answer for a socket since replaced. */
  socket(): unknown;
}

/** What a refusal of the hello calls for. */
export type HelloVerdict =
  /** Sent again without what was refused. */
  | { retried: true; keyRefused: boolean }
  /** Nothing to mend on our side: the room will not take this identity. */
  | { close: CloseReason }
  /** Not a refusal this module mends (a ban, or an error the owner just shows). */
  | undefined;

/** Builds, sends and mends one socket's hello at a time. */
export class HelloSender {
  readonly #token: string;
  readonly #auth: AuthRefresh | undefined;
  readonly #access: boolean;
  readonly #name: () => string | undefined;
  readonly #key: () => string | undefined;
  readonly #hooks: HelloHooks;
  #withoutName = false;
  #withoutKey = false;
  #freshAuth = false;

  constructor(
    identity: {
      token: string;
      auth: AuthRefresh | undefined;
      access?: boolean;
      name?: (() => string | undefined) | undefined;
      key?: (() => string | undefined) | undefined;
    },
    hooks: HelloHooks,
  ) {
    this.#token = identity.token;
    this.#auth = identity.auth;
    this.#access = identity.access === true;
    this.#name = identity.name ?? (() => undefined);
    this.#key = identity.key ?? (() => undefined);
    this.#hooks = hooks;
  }

  /** A new socket: everything is asked for again. */
  reset(): void {
    this.#withoutName = false;
    this.#withoutKey = false;
    this.#freshAuth = false;
  }

  /** Sends the hello (a signed token is asked for first). */
  send(): void {
    if (this.#access && !this.#auth) return this.#sendWith({ type: "hello" });
    if (!this.#auth) return this.#sendWith({ type: "hello", token: this.#token });
    const socket = this.#hooks.socket();
    this.#auth.token(this.#freshAuth).then(
      (auth) => socket === this.#hooks.socket() && this.#sendWith({ type: "hello", auth }),
      () => socket === this.#hooks.socket() && this.#hooks.failed(),
    );
  }

  /** Judges an error that came before the welcome. */
  judge(error: RoomError): HelloVerdict {
    if (error.code === "name_invalid" && !this.#withoutName) {
      // The stored name is not acceptable: join as a guest rather than not at all.
      this.#withoutName = true;
      return this.#again(false);
    }
    if (error.code === "unauthorized" && this.#auth && !this.#freshAuth) {
      this.#freshAuth = true;
      return this.#again(false);
    }
    if (error.code === "unauthorized") return { close: "unauthorized" };
    if (error.code === "forbidden" && !this.#withoutKey && this.#key()) {
      this.#withoutKey = true;
      return this.#again(true);
    }
    // No key was sent: the signed token's `rooms` leave this room out.
    if (error.code === "forbidden") return { close: "forbidden" };
    return undefined;
  }

  #again(keyRefused: boolean): HelloVerdict {
    this.send();
    return { retried: true, keyRefused };
  }

  #sendWith(hello: HelloFrame | SignedHelloFrame | AccessHelloFrame): void {
    const name = this.#withoutName ? undefined : this.#name();
    const key = this.#withoutKey ? undefined : this.#key();
    if (name) hello.name = name;
    if (key) hello.key = key;
    const resume = this.#hooks.resume();
    if (resume) {
      hello.since = resume.since;
      hello.epoch = resume.epoch;
    }
    this.#hooks.send(encode(hello));
  }
}
