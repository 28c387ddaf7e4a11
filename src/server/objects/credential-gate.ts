/**
 * Where a socket-holding object (the Room or a shard, one code: guarantee 9) verifies the signed
 * token of a `hello` or an `auth` frame before the core judges it. The core judges each frame
 * synchronously, in one turn; verifying is asynchronous (WebCrypto, maybe a key set fetch). So the
 * object verifies first, then hands the core the frame with its `Credential`, and meanwhile holds
 * that socket's later frames, in order, behind it (other sockets go on as ever): nothing a client
 * sends after its hello can overtake it. docs/AUTH.md, "Where tokens are verified".
 */
import type { Decoded } from "@edge-chat/protocol/validate";
import type { Credential } from "../core/credential.ts";
import { mayEnter } from "../identity/claims.ts";
import type { TokenVerifier } from "../identity/signed-tokens.ts";
import type { SocketState } from "./local-sockets.ts";

/** The handling of one frame; a promise when it started a verification of its own. */
export type Step = () => Promise<void> | undefined;

/** One object's verifications in flight, and the frames held behind them, per connection. */
export class CredentialGate {
  readonly #verifier: TokenVerifier;
  readonly #room: string;
  /** Connections with a verification in flight, and the steps held behind it, in arrival order. */
  readonly #held = new Map<string, Step[]>();

  /** `room`: the room's name, which a token's `rooms` claim must allow. */
  constructor(verifier: TokenVerifier, room: string) {
    this.#verifier = verifier;
    this.#room = room;
  }

  /**
   * The signed token a decoded frame needs verified before the core sees it: a hello's `auth`, or
   * the socket's Access assertion for a hello without `token`; an `auth` frame's on a socket
   * welcomed with a signed token (or, on a shard, whose hello is on its way to the room). Anything
   * else the core refuses at once (`not_ready`, `bad_message`). Undefined: nothing to verify.
   */
  tokenOf(state: SocketState, decoded: Decoded): string | undefined {
    if (!decoded.ok) return undefined;
    const frame = decoded.frame;
    if (frame.type === "hello" && !state.conn) return frame.auth ?? (frame.token === undefined ? state.access : undefined);
    if (frame.type === "auth" && (state.conn ? state.conn.signed !== undefined : state.helloSent === true)) return frame.auth;
    return undefined;
  }

  /** Verifies a token; its room check included. Never rejects. */
  async verify(token: string): Promise<Credential> {
    try {
      const verified = await this.#verifier.verify(token);
      if (!verified.ok) return { kind: "refused", message: verified.reason };
      return { kind: "signed", identity: verified.identity, mayEnter: mayEnter(verified.identity, this.#room) };
    } catch (err) {
      console.error(`room ${this.#room}: token verification failed:`, err);
      return { kind: "refused", message: "the token could not be verified" };
    }
  }

  /** True while the connection waits for a verification: its frames are held. */
  holding(key: string): boolean {
    return this.#held.has(key);
  }

  /** The connection starts waiting: what it sends next is held. */
  startHolding(key: string): void {
    this.#held.set(key, []);
  }

  /** Holds a step (a later frame's handling) until the verification ends. */
  hold(key: string, step: Step): void {
    this.#held.get(key)!.push(step);
  }

  /**
   * The verification ended: runs the held steps in order until one starts another verification
   * (then the rest stay held, before anything that comes later); returns that verification.
   */
  release(key: string): Promise<void> | undefined {
    const steps = this.#held.get(key) ?? [];
    this.#held.delete(key);
    for (let i = 0; i < steps.length; i++) {
      const pending = steps[i]!();
      const again = this.#held.get(key);
      if (again) {
        again.unshift(...steps.slice(i + 1));
        return pending;
      }
    }
    return undefined;
  }

  /** A connection is gone: whatever it had held is dropped. */
  forget(key: string): void {
    this.#held.delete(key);
  }
}
