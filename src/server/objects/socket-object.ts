/**
 * The base of every object that holds a room's sockets (the Room and its shards), written once:
 * accepting an upgrade, the Hibernation API's handlers, each frame's checks before any room state
 * (`local-sockets.ts`, `edge.ts`), error handling that logs with the object's name and never lets
 * a failure escape, the heartbeat answered by the runtime (a ping never wakes the object), and one
 * alarm for all timed duties (`alarm-duties.ts`), the sweep of silent sockets and the close of
 * sockets whose signed token expired (`token-expiry.ts`) among them. A `hello` or `auth` with a
 * signed token is verified here before the subclass sees it (`credential-gate.ts`), so the Room and
 * its shards verify alike.
 * Subclasses fill in the hooks: what a decoded frame means, what a socket's end means, and what
 * is sent once a turn is over.
 */
import { DurableObject } from "cloudflare:workers";
import type { ErrorFrame } from "@edge-chat/protocol";
import { HEARTBEAT, TIMINGS } from "@edge-chat/protocol";
import { LIMITS } from "@edge-chat/protocol";
import type { Decoded } from "@edge-chat/protocol/validate";
import { readAuthConfig } from "../config.ts";
import type { Conn } from "../core/presence.ts";
import type { Credential } from "../core/credential.ts";
import { TokenVerifier } from "../identity/signed-tokens.ts";
import { jsonError } from "../worker/http.ts";
import { AlarmDuties, type Duty } from "./alarm-duties.ts";
import { CredentialGate } from "./credential-gate.ts";
import type { Admission } from "./edge.ts";
import { LocalSockets, type SocketState } from "./local-sockets.ts";
import { newStats, type ObjectStats } from "./object-stats.ts";
import { echoableCloseCode, nextDeadline, sweepSockets } from "./socket-sweep.ts";
import { expireSockets, expiryDeadline, nextExpiry } from "./token-expiry.ts";

/** The upgrade header that carries a Cloudflare Access identity (PROTOCOL.md v3). */
const ACCESS_HEADER = "Cf-Access-Jwt-Assertion";

/** An object that holds sockets of a room. */
export abstract class SocketObject extends DurableObject<Env> {
  protected readonly sockets: LocalSockets;
  protected readonly counts: ObjectStats;
  /** This object's verifier of signed tokens (its keys imported once, its key set cached). */
  protected readonly verifier: TokenVerifier;
  readonly #duties: AlarmDuties;
  readonly #gate: CredentialGate;
  readonly #label: string;

  /**
   * `index` is the object's among the room's objects (0: the Room); `label` names it in logs;
   * `room` is the room's name (a signed token's `rooms` claim must allow it).
   */
  constructor(ctx: DurableObjectState, env: Env, index: number, label: string, room: string) {
    super(ctx, env);
    this.#label = label;
    this.verifier = new TokenVerifier(readAuthConfig(env), true, (what) => this.log("auth", what));
    this.#gate = new CredentialGate(this.verifier, room);
    this.counts = newStats(ctx.id.name ?? ctx.id.toString());
    this.sockets = new LocalSockets(index, ctx.getWebSockets());
    this.#duties = new AlarmDuties(ctx.storage, (what, err) => this.log(what, err));
    this.#duties.add({
      name: "sweep",
      next: () => nextDeadline(this.sockets),
      run: (now) => {
        const clock = { now, pinged: (ws: WebSocket) => ctx.getWebSocketAutoResponseTimestamp(ws)?.getTime() ?? 0 };
        for (const ws of sweepSockets(this.sockets, clock)) this.gone(ws);
        this.endTurn();
      },
    });
    this.#duties.add({
      name: "token expiry",
      next: () => nextExpiry(this.sockets),
      run: (now) => {
        for (const ws of expireSockets(this.sockets, now)) this.gone(ws);
        this.endTurn();
      },
    });
    // The runtime answers heartbeats itself, so a ping never wakes a hibernated object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(HEARTBEAT.ping, HEARTBEAT.pong));
  }

  /**
   * Accepts a WebSocket upgrade (the Worker has checked the room name and the Origin), unless
   * `elsewhere` answers it (the Room sends a full object's upgrades to a shard).
   */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return jsonError(426, "upgrade_required", "this endpoint speaks WebSocket");
    }
    const answered = this.elsewhere(request);
    if (answered) return answered;
    const { 0: client, 1: server } = new WebSocketPair();
    const now = Date.now();
    this.ctx.acceptWebSocket(server);
    // Kept up to one character past the limit, so that a longer one is refused as too long at hello.
    const access = request.headers.get(ACCESS_HEADER)?.slice(0, LIMITS.authMax + 1);
    this.sockets.open(server, now, access);
    await this.#duties.dueBy(now + TIMINGS.helloTimeoutMs);
    return new Response(null, { status: 101, webSocket: client, headers: this.acceptedHeaders() });
  }

  /**
   * Handles one frame, in one uninterrupted turn; only a signed token makes it wait for its
   * verification (the socket's later frames then wait behind it, in order: credential-gate.ts).
   */
  override webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> | undefined {
    let pending: Promise<void> | undefined;
    try {
      const got = this.sockets.receive(ws, data, Date.now());
      if (got) {
        const { state, admission } = got;
        const size = typeof data === "string" ? data.length : data.byteLength;
        if (admission.kind === "close") this.gone(ws);
        else if (this.#gate.holding(state.key)) this.#gate.hold(state.key, () => this.#handle(state, admission, size));
        else pending = this.#handle(state, admission, size);
      }
    } catch (err) {
      this.log("frame failed", err);
    }
    this.endTurn();
    return pending;
  }

  /** A socket closed: complete the handshake, then forget it. */
  override webSocketClose(ws: WebSocket, code: number, reason: string): void {
    try {
      // Complete the closing handshake ourselves: web_socket_auto_reply_to_close covers sockets
      // accepted with accept(), not hibernatable ones (rechecked on workerd 1.20261117; the test
      // "the closing handshake" fails without this). Where the runtime replied, this is ignored.
      this.sockets.closeSocket(ws, echoableCloseCode(code), "");
      this.gone(ws);
    } catch (err) {
      this.log(`close ${code} ${reason} failed`, err);
    }
    this.endTurn();
  }

  /** A socket failed: treated as closed. */
  override webSocketError(ws: WebSocket, error: unknown): void {
    try {
      this.log("socket error", error);
      this.gone(ws);
    } catch (err) {
      this.log("socket error handling failed", err);
    }
    this.endTurn();
  }

  /** The one alarm: every duty that is due. */
  override async alarm(): Promise<void> {
    await this.#duties.fire(Date.now());
  }

  /** One frame of a socket, its turn come; a promise while its signed token is being verified. */
  #handle(state: SocketState, admission: Exclude<Admission, { kind: "close" }>, size: number): Promise<void> | undefined {
    if (!this.sockets.isOpen(state.key)) return undefined;
    this.counts.framesIn++;
    if (admission.kind === "error") return void this.answerHere(state.key, admission.frame);
    const decoded = admission.decoded;
    const token = this.#gate.tokenOf(state, decoded);
    if (token === undefined) return void this.onFrame(state, decoded, size);
    this.#gate.startHolding(state.key);
    return this.#gate.verify(token).then((credential) => {
      let next: Promise<void> | undefined;
      try {
        // A socket that closed meanwhile is forgotten: nothing of it may reach the room now.
        if (this.sockets.isOpen(state.key)) this.onFrame(state, decoded, size, credential);
        next = this.#gate.release(state.key);
      } catch (err) {
        this.#gate.forget(state.key);
        this.log("frame failed", err);
      }
      this.endTurn();
      return next;
    });
  }

  /**
   * A connection was welcomed (`conn.signed`: with a signed token), or refreshed its token: the
   * alarm must fire by its expiry.
   */
  protected expiresAt(conn: Pick<Conn, "signed">): void {
    if (!conn.signed) return;
    this.#duties.dueBy(expiryDeadline(conn.signed.exp)).catch((err) => this.log("setting the alarm failed", err));
  }

  /** A duty just became due at `at`: the alarm fires by then (storage is written only to move it earlier). */
  protected alarmBy(at: number): void {
    this.#duties.dueBy(at).catch((err) => this.log("setting the alarm failed", err));
  }

  /** Adds a timed duty (from the subclass's constructor). */
  protected addDuty(duty: Duty): void {
    this.#duties.add(duty);
  }

  /** A socket is gone: stop tracking it; `onGone` hears of it once. */
  protected gone(ws: WebSocket): void {
    const state = this.sockets.drop(ws);
    if (!state) return;
    this.#gate.forget(state.key);
    this.onGone(state);
  }

  /** An upgrade this object does not take itself, answered otherwise; undefined to take it. */
  protected elsewhere(_request: Request): Response | undefined {
    return undefined;
  }

  /** Headers of the 101 that accepts an upgrade. */
  protected acceptedHeaders(): Record<string, string> | undefined {
    return undefined;
  }

  /**
   * A frame that passed the checks of `edge.ts` arrived on a socket; `size` is its length;
   * `credential` is the verification of the signed token of a `hello` or `auth`.
   */
  protected abstract onFrame(state: SocketState, decoded: Decoded, size: number, credential?: Credential): void;

  /** A frame refused by those checks (binary): answer it on that socket, in its place. */
  protected abstract answerHere(key: string, frame: ErrorFrame): void;

  /** A socket is gone (closed, failed, swept or closed by us). */
  protected abstract onGone(state: SocketState): void;

  /** The end of every turn: send what it made. */
  protected abstract endTurn(): void;

  /** Logs with the object's kind and name; never a stack to a client. */
  protected log(what: string, err: unknown): void {
    console.error(`${this.#label} ${this.ctx.id.name ?? this.ctx.id.toString()}: ${what}:`, err);
  }
}
