/**
 * The soak's hostile client: while the others chat, it does what issue 19 found cheap for an
 * attacker, in rounds, each under a fresh identity (a new token on a new socket):
 *
 * 1. stored work, within its bucket: two messages, an edit of each, reactions to others' recent
 *    messages and one taken back (these are stored, and checked with everyone's events);
 * 2. work no bucket charges: its stored ids sent again (each answered with the stored event),
 *    reactions to a message that does not exist (`not_found`) and edits of others' messages
 *    (`forbidden`), `floodFrames` of them at once, until the room closes the socket (1008, the
 *    socket's answer budget) or every one is answered;
 * 3. it leaves, and the next round comes with a fresh token.
 *
 * A round never goes on to 2 before every action of 1 was answered: when its socket is lost (a
 * server restart) it reconnects under the same token and sends them again with the same ids, so
 * nothing it stored goes unaccounted. Every wait has a deadline.
 */
import type { EventFrame, MessageFrame, StoredClientFrame } from "@edge-chat/protocol";
import type { RoomError, RoomFrame } from "@edge-chat/protocol/server-frames";
import { actionFrame } from "@edge-chat/client";
import { LightClient } from "../light/light-client.ts";
import { EMOJIS, isDraft } from "./actions.ts";
import { HostileIdentity } from "./hostile-identity.ts";
import { pickSome } from "./random.ts";
import { sleep, waitUntil } from "./wait.ts";

/** What the hostile client did and how the room answered. */
export interface HostileCounts {
  /** Identities used (one per round), and sockets opened (reconnects after a loss included). */
  identities: number;
  sockets: number;
  /** Frames sent: to be stored, and of the uncharged kinds. */
  storable: number;
  uncharged: number;
  /** Answers to the uncharged frames: stored events sent again, and errors, by code. */
  duplicateAnswers: number;
  errors: Record<string, number>;
  /** Refused actions of step 1 (a reaction to a message deleted meanwhile, say). */
  storableRefused: number;
  /** Closes by code (1008: its answer budget). */
  closes: Record<string, number>;
  /** Bytes the room sent back for the uncharged frames, and bytes they took to send. */
  unchargedBytesIn: number;
  unchargedBytesOut: number;
}

/** How hard it pushes. */
export interface HostileOptions {
  /** Uncharged frames sent at once in each round. */
  floodFrames: number;
  /** A pause between rounds. */
  roundGapMs: number;
}

const CONNECT_TIMEOUT_MS = 10_000;
/** How long a round may take to get its stored actions answered, reconnecting as needed. */
const SETTLE_TIMEOUT_MS = 60_000;
/** A seq no room of the soak reaches. */
const MISSING = 1_000_000_000;

/** The hostile client; `run()` goes round after round until `stop()`. */
export class HostileClient {
  readonly identities: HostileIdentity[] = [];
  readonly counts: HostileCounts = {
    identities: 0, sockets: 0, storable: 0, uncharged: 0, duplicateAnswers: 0, errors: {}, storableRefused: 0, closes: {},
    unchargedBytesIn: 0, unchargedBytesOut: 0,
  };
  readonly #url: string;
  readonly #options: HostileOptions;
  readonly #random: () => number;
  /** Others' recent public messages, not deleted, by seq (what it reacts to and edits). */
  readonly #others = new Map<number, MessageFrame>();
  #client: LightClient | undefined;
  #closed = true;
  #flooding = false;
  #stopped = false;
  #aborted = false;
  #running: Promise<void> | undefined;

  /** `random` is its own seeded stream (which messages it picks). */
  constructor(url: string, options: HostileOptions, random: () => number) {
    this.#url = url;
    this.#options = options;
    this.#random = random;
  }

  /** Starts the rounds. */
  start(): void {
    this.#running ??= this.#rounds();
  }

  /** Ends the current round's flood, lets its stored actions be answered, and stops. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#running;
  }

  /** Stops at once, whatever is waiting (the run failed: nothing will be checked). */
  abort(): void {
    this.#stopped = true;
    this.#aborted = true;
    this.#client?.cut();
  }

  async #rounds(): Promise<void> {
    for (let n = 0; !this.#stopped; n++) {
      await this.#round(n);
      await this.#client?.close();
      if (!this.#stopped) await sleep(this.#options.roundGapMs);
    }
  }

  async #round(n: number): Promise<void> {
    const me = new HostileIdentity();
    this.identities.push(me);
    this.counts.identities++;
    if (!(await this.#settle(me, []))) return;
    const says = [0, 1].map((i) => me.expect({ id: `h${n}-s${i}`, text: `hostile ${n} says ${i}` }));
    if (!(await this.#settle(me, says)) || this.#stopped) return;
    const own = [...me.stored.values()].filter((e): e is MessageFrame => e.type === "message");
    const edits = own.map((m, i) => me.expect({ kind: "edit", id: `h${n}-e${i}`, target: m.seq, text: `hostile ${n} edits ${i}` }));
    const targets = pickSome(this.#random, [...this.#others.values()], 3);
    const emoji = EMOJIS[n % EMOJIS.length]!;
    const reacts = targets.map((m, i) => me.expect({ kind: "react", id: `h${n}-r${i}`, target: m.seq, emoji, on: true }));
    if (targets[0]) reacts.push(me.expect({ kind: "react", id: `h${n}-u`, target: targets[0].seq, emoji, on: false }));
    if (!(await this.#settle(me, [...edits, ...reacts])) || this.#stopped) return;
    await this.#flood(me, n);
  }

  /**
   * Sends `frames` (or, after a loss, every action still waiting) and waits until each is
   * answered, reconnecting under the same token when the socket is lost. False if it gave up.
   */
  async #settle(me: HostileIdentity, frames: StoredClientFrame[]): Promise<boolean> {
    const deadline = Date.now() + SETTLE_TIMEOUT_MS;
    let toSend = frames;
    while (Date.now() < deadline && !this.#aborted) {
      if (this.#closed && !(await this.#connect(me))) {
        if (this.#stopped && me.waiting.size === 0) return false;
        await sleep(200);
        toSend = me.waitingFrames();
        continue;
      }
      for (const frame of toSend) if (this.#client!.send(frame)) this.counts.storable++;
      toSend = [];
      await waitUntil(() => me.waiting.size === 0 || this.#closed, Math.max(0, deadline - Date.now()), 20);
      if (me.waiting.size === 0) return true;
      toSend = me.waitingFrames();
    }
    return false;
  }

  /** Opens a socket for `me` and waits for its welcome; false if it failed. */
  async #connect(me: HostileIdentity): Promise<boolean> {
    const client = new LightClient({
      url: this.#url,
      token: me.token,
      name: "hostile",
      pingEveryMs: 0,
      events: {
        welcome: (welcome) => {
          me.selfId = welcome.self.id;
          for (const m of welcome.messages) if (m.type === "message") this.#saw(m, me);
        },
        message: (m) => this.#event(me, m),
        error: (e) => this.#error(me, e),
        other: (frame) => this.#other(me, frame),
        closed: (code) => {
          if (client !== this.#client) return;
          this.#closed = true;
          this.counts.closes[code] = (this.counts.closes[code] ?? 0) + 1;
        },
      },
    });
    this.#client = client;
    this.#closed = false;
    this.counts.sockets++;
    try {
      await client.connect(CONNECT_TIMEOUT_MS);
      return true;
    } catch {
      this.#closed = true;
      return false;
    }
  }

  /** Sends its uncharged frames at once and waits for their answers or the close. */
  async #flood(me: HostileIdentity, n: number): Promise<void> {
    const stored = [...me.sent.values()];
    const others = [...this.#others.values()];
    const frames: StoredClientFrame[] = [];
    for (let i = 0; frames.length < this.#options.floodFrames; i++) {
      const again = stored[i % Math.max(1, stored.length)];
      if (again) frames.push(actionFrame(again));
      frames.push({ type: "react", id: `h${n}-x${i}`, target: MISSING, emoji: "👍", on: true });
      const other = others[i % Math.max(1, others.length)];
      if (other) frames.push({ type: "edit", id: `h${n}-f${i}`, target: other.seq, text: "not yours" });
    }
    const before = this.#answersToFlood();
    this.#flooding = true;
    let sent = 0;
    for (const frame of frames.slice(0, this.#options.floodFrames)) {
      if (!this.#client!.send(frame)) break;
      sent++;
      this.counts.unchargedBytesOut += Buffer.byteLength(JSON.stringify(frame));
    }
    this.counts.uncharged += sent;
    await waitUntil(() => this.#closed || this.#answersToFlood() - before >= sent, 10_000, 20);
    this.#flooding = false;
  }

  #answersToFlood(): number {
    return this.counts.duplicateAnswers + Object.values(this.counts.errors).reduce((a, b) => a + b, 0);
  }

  #event(me: HostileIdentity, event: EventFrame): void {
    const mine = (event.type === "message" ? event.from.id : event.user.id) === me.selfId;
    if (mine && me.answered(event.id, event)) return;
    if (mine) {
      this.#countFlood(event, "duplicate");
      return;
    }
    if (event.type === "message") this.#saw(event, me);
    else if (event.type === "delete") this.#others.delete(event.target);
  }

  #error(me: HostileIdentity, error: RoomError): void {
    if (error.ref !== undefined && me.refusedAction(error.ref)) this.counts.storableRefused++;
    else this.#countFlood(error, error.code);
  }

  #other(me: HostileIdentity, frame: RoomFrame): void {
    if (frame.type === "edit" || frame.type === "react" || frame.type === "delete") this.#event(me, frame as EventFrame);
  }

  /** Counts an answer to the flood (or to nothing it awaits), with its size. */
  #countFlood(frame: object, kind: string): void {
    if (kind === "duplicate") this.counts.duplicateAnswers++;
    else this.counts.errors[kind] = (this.counts.errors[kind] ?? 0) + 1;
    if (this.#flooding) this.counts.unchargedBytesIn += Buffer.byteLength(JSON.stringify(frame));
  }

  /** Keeps the newest others' public messages that are not drafts (their authors may delete those). */
  #saw(message: MessageFrame, me: HostileIdentity): void {
    if (message.from.id === me.selfId || message.to || message.deleted || isDraft(message.text)) return;
    this.#others.set(message.seq, message);
    if (this.#others.size > 50) this.#others.delete(this.#others.keys().next().value!);
  }
}
