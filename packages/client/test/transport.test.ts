/**
 * The client's transport against a fake socket and fake timers: hello, reconnect schedule, resume,
 * outbox, heartbeat and batches, without a room or a browser.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { EditEventFrame, MessageFrame, ReactEventFrame, SingleServerFrame, User, WelcomeFrame } from "@edge-chat/protocol";
import {
  Transport,
  type ConnectionStatus,
  type PendingAction,
  type PendingSay,
  type SocketEvents,
  type TransportOptions,
} from "../src/transport.ts";
import type { RoomError, RoomFrame } from "@edge-chat/protocol/server-frames";
import { takeToken } from "../../../src/server/core/rate-limit.ts";

const TOKEN = "tok_abcdefghijklmnopqrstuvwxyz";
const ALICE: User = { id: "alice-id", name: "alice" };
const BOB: User = { id: "bob-id", name: "bob" };

/** One socket the transport opened; the test plays the room. */
class FakeSocket {
  readonly sent: string[] = [];
  closed: { code?: number; reason?: string } | null = null;
  readonly url: string;
  readonly events: SocketEvents;
  constructor(url: string, events: SocketEvents) {
    this.url = url;
    this.events = events;
  }
  open(): void {
    this.events.open();
  }
  receive(frame: object | string): void {
    this.events.text(typeof frame === "string" ? frame : JSON.stringify(frame));
  }
  drop(code = 1006): void {
    this.events.closed(code, "");
  }
  /** The JSON frames sent, pings left out. */
  frames(): Record<string, unknown>[] {
    return this.sent.filter((t) => t !== "ping").map((t) => JSON.parse(t) as Record<string, unknown>);
  }
  says(): Record<string, unknown>[] {
    return this.frames().filter((f) => f.type === "say");
  }
  /** The stored-event frames sent (say, edit, delete, react), in order. */
  actions(): Record<string, unknown>[] {
    return this.frames().filter((f) => ["say", "edit", "delete", "react"].includes(String(f.type)));
  }
}

function welcome(overrides: Partial<WelcomeFrame> = {}): WelcomeFrame {
  return {
    type: "welcome",
    self: { ...ALICE, role: "member" },
    users: [ALICE],
    online: 1,
    settings: { slowMs: 0, locked: false },
    messages: [],
    seq: 0,
    epoch: "epoch-1",
    resumed: false,
    limits: { text: 2000, name: 32, burst: 20, perSecond: 5, reactions: 20, usersListed: 100 },
    ...overrides,
  };
}

function message(seq: number, from: User, id: string, text = `m${seq}`): MessageFrame {
  return { type: "message", seq, id, from, text, ts: 1_700_000_000_000 + seq };
}

function editEvent(seq: number, user: User, id: string, target: number, text: string): EditEventFrame {
  return { type: "edit", seq, id, target, text, user, ts: 1_700_000_000_000 + seq };
}

function reactEvent(seq: number, user: User, id: string, target: number, emoji: string, on: boolean, count: number): ReactEventFrame {
  return { type: "react", seq, id, target, emoji, on, count, user, ts: 1_700_000_000_000 + seq };
}

/** The event a room that stores `action` (a frame the page sent) answers with, at `seq`. */
function storedEvent(action: Record<string, unknown>, user: User, seq: number): SingleServerFrame {
  const id = String(action.id);
  const target = Number(action.target);
  switch (action.type) {
    case "say":
      return message(seq, user, id, String(action.text));
    case "edit":
      return editEvent(seq, user, id, target, String(action.text));
    case "react":
      return reactEvent(seq, user, id, target, String(action.emoji), Boolean(action.on), 1);
    default:
      return { type: "delete", seq, id, target, user, ts: 1_700_000_000_000 + seq };
  }
}

/**
 * Plays a room that stores every action as it arrives (after the first `done` on this socket,
 * answered already), answering each with its event from seq `firstSeq` on; returns every action
 * sent, in order, and the most that were ever sent and not answered yet.
 */
function storeEach(socket: FakeSocket, user: User, firstSeq: number, done = 0): { sent: Record<string, unknown>[]; mostInFlight: number } {
  let answered = done;
  let mostInFlight = 0;
  while (socket.actions().length > answered) {
    const sent = socket.actions();
    mostInFlight = Math.max(mostInFlight, sent.length - answered);
    socket.receive(storedEvent(sent[answered]!, user, firstSeq + answered - done));
    answered++;
  }
  return { sent: socket.actions(), mostInFlight };
}

/** A transport wired to fake sockets, recording everything it tells the page. */
function setup(options: Partial<TransportOptions> = {}) {
  const sockets: FakeSocket[] = [];
  const statuses: ConnectionStatus[] = [];
  const welcomes: WelcomeFrame[] = [];
  const frames: RoomFrame[] = [];
  const outboxes: (readonly PendingAction[])[] = [];
  const refused: [PendingAction, RoomError][] = [];
  let keyRefusals = 0;
  const transport = new Transport({
    url: "ws://chat.test/api/rooms/lobby/ws",
    token: TOKEN,
    name: () => "alice",
    openSocket: (url, events) => {
      const socket = new FakeSocket(url, events);
      sockets.push(socket);
      return { send: (text) => socket.sent.push(text), close: (code, reason) => (socket.closed = { code, reason }) };
    },
    random: () => 1,
    events: {
      status: (s) => statuses.push(s),
      welcome: (w) => welcomes.push(w),
      frame: (f) => frames.push(f),
      outbox: (o) => outboxes.push(o),
      refused: (say, error) => refused.push([say, error]),
      keyRefused: () => keyRefusals++,
    },
    ...options,
  });
  const last = () => sockets.at(-1)!;
  /** Starts (or waits for the retry), opens the socket and answers hello with `w`. */
  const join = (w: WelcomeFrame = welcome()) => {
    last().open();
    last().receive(w);
  };
  return { transport, sockets, statuses, welcomes, frames, outboxes, refused, last, join, keyRefusals: () => keyRefusals };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("transport", () => {
  it("sends hello with the token and name as the first frame once the socket opens", () => {
    const t = setup();
    t.transport.start();
    expect(t.last().sent).toEqual([]);
    t.last().open();
    expect(t.last().frames()[0]).toEqual({ type: "hello", token: TOKEN, name: "alice" });
  });

  it("asks for a guest name when it has none, and retries as a guest when the room refuses the name", () => {
    const t = setup({ name: () => "bad\u0007name" });
    t.transport.start();
    t.last().open();
    t.last().receive({ type: "error", code: "name_invalid", message: "name has control characters" });
    expect(t.last().frames()).toEqual([
      { type: "hello", token: TOKEN, name: "bad\u0007name" },
      { type: "hello", token: TOKEN },
    ]);
    expect(t.frames).toMatchObject([{ type: "error", code: "name_invalid" }]);
  });

  it("resumes with since and epoch after the last seq seen when it reconnects", () => {
    const t = setup();
    t.transport.start();
    t.join(welcome({ seq: 4, messages: [message(4, BOB, "b4")] }));
    t.last().receive(message(5, BOB, "b5"));
    t.last().receive(message(7, BOB, "b7"));
    t.last().drop();
    vi.runOnlyPendingTimers();
    t.last().open();
    expect(t.last().frames()[0]).toEqual({ type: "hello", token: TOKEN, name: "alice", since: 7, epoch: "epoch-1" });
  });

  it("hands a welcome that did not resume to the page and resumes from the room's seq after it", () => {
    const t = setup();
    t.transport.start();
    t.join(welcome({ seq: 100, epoch: "epoch-1" }));
    t.last().drop();
    vi.runOnlyPendingTimers();
    t.join(welcome({ seq: 3, epoch: "epoch-2", resumed: false, messages: [message(3, BOB, "b3")] }));
    expect(t.welcomes.map((w) => [w.resumed, w.epoch])).toEqual([
      [false, "epoch-1"],
      [false, "epoch-2"],
    ]);
    expect(t.transport.lastSeq).toBe(3);
    // The message after the new epoch's seq is shown, although its seq is below the old one.
    t.last().receive(message(4, BOB, "b4"));
    expect(t.frames).toEqual([message(4, BOB, "b4")]);
  });

  it("unpacks a batch into its frames, in order, and skips unknown frame types inside it", () => {
    const t = setup();
    t.transport.start();
    t.join();
    const frames: SingleServerFrame[] = [
      { type: "join", user: BOB, online: 2 },
      message(1, BOB, "b1"),
      { type: "typing", user: BOB },
      message(2, BOB, "b2"),
    ];
    t.last().receive({ type: "batch", frames: [frames[0], frames[1], { type: "from-the-future" }, frames[2], frames[3]] });
    expect(t.frames).toEqual(frames);
  });

  it("waits a fully jittered delay whose cap doubles with each failed attempt up to the maximum", () => {
    const jitter = [0.5, 1, 0.25, 1, 1, 1, 1, 0];
    const t = setup({ random: () => jitter.shift()!, policy: { minDelayMs: 1000, growth: 2, maxDelayMs: 8000 } });
    t.transport.start();
    const delays: number[] = [];
    for (let i = 0; i < 8; i++) {
      const opened = t.sockets.length;
      t.last().drop();
      const status = t.transport.status;
      if (status.state !== "reconnecting") throw new Error(`expected reconnecting, got ${status.state}`);
      const delay = status.retryAt - Date.now();
      delays.push(delay);
      if (delay > 0) {
        vi.advanceTimersByTime(delay - 1);
        expect(t.sockets.length).toBe(opened);
      }
      vi.advanceTimersByTime(1);
      expect(t.sockets.length).toBe(opened + 1);
    }
    // caps 1000, 2000, 4000, 8000, 8000, ... each scaled by the random draw
    expect(delays).toEqual([500, 2000, 1000, 8000, 8000, 8000, 8000, 0]);
  });

  it("starts the backoff over after a welcome", () => {
    const t = setup({ policy: { minDelayMs: 1000, maxDelayMs: 60_000 } });
    t.transport.start();
    for (let i = 0; i < 4; i++) {
      t.last().drop();
      vi.runOnlyPendingTimers();
    }
    t.join();
    t.last().drop();
    const status = t.transport.status;
    expect(status.state === "reconnecting" && status.retryAt - Date.now()).toBe(1000);
  });

  it("reconnects at once when asked while it waits, and not while it is connected", () => {
    const t = setup({ policy: { minDelayMs: 60_000 } });
    t.transport.start();
    t.join();
    t.transport.reconnectNow();
    expect(t.sockets).toHaveLength(1);
    t.last().drop();
    expect(t.sockets).toHaveLength(1);
    t.transport.reconnectNow();
    expect(t.sockets).toHaveLength(2);
  });

  it("stays closed while offline and connects again as soon as it is told the network is back", () => {
    const t = setup();
    t.transport.start();
    t.join();
    t.transport.goOffline();
    expect(t.sockets[0]!.closed).not.toBeNull();
    expect(t.transport.status).toEqual({ state: "offline" });
    vi.advanceTimersByTime(10 * 60_000);
    expect(t.sockets).toHaveLength(1);
    t.transport.reconnectNow();
    expect(t.sockets).toHaveLength(2);
  });

  it("pings every 25 s and declares the connection dead after two missed pongs", () => {
    const t = setup();
    t.transport.start();
    t.join();
    vi.advanceTimersByTime(25_000);
    expect(t.last().sent.filter((s) => s === "ping")).toHaveLength(1);
    vi.advanceTimersByTime(25_000);
    expect(t.last().sent.filter((s) => s === "ping")).toHaveLength(2);
    expect(t.last().closed).toBeNull();
    vi.advanceTimersByTime(25_000);
    expect(t.sockets[0]!.closed).not.toBeNull();
    expect(t.transport.status.state).toBe("reconnecting");
  });

  it("keeps a connection whose pongs come back", () => {
    const t = setup();
    t.transport.start();
    t.join();
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(25_000);
      t.last().receive("pong");
    }
    expect(t.sockets).toHaveLength(1);
    expect(t.last().closed).toBeNull();
    expect(t.last().sent.filter((s) => s === "ping")).toHaveLength(10);
  });

  it("gives up on an attempt that does not reach welcome in time", () => {
    const t = setup({ policy: { connectTimeoutMs: 5_000 } });
    t.transport.start();
    t.last().open();
    vi.advanceTimersByTime(5_000);
    expect(t.sockets[0]!.closed).not.toBeNull();
    expect(t.transport.status.state).toBe("reconnecting");
  });

  it("queues says while disconnected and sends them after the welcome, in order, each after the previous one's answer", () => {
    const t = setup();
    const first = t.transport.say("one");
    const second = t.transport.say("two", BOB);
    t.transport.start();
    t.last().open();
    expect(t.last().says()).toEqual([]);
    t.join();
    expect(t.last().says()).toEqual([{ type: "say", id: first.id, text: "one" }]);
    expect(t.outboxes.at(-1)).toEqual([first, second]);
    const { sent, mostInFlight } = storeEach(t.last(), ALICE, 1);
    expect(sent).toEqual([
      { type: "say", id: first.id, text: "one" },
      { type: "say", id: second.id, text: "two", to: BOB.id },
    ]);
    expect(mostInFlight).toBe(1);
    expect(t.transport.outbox).toEqual([]);
  });

  it("sends the says an earlier page left unechoed, with their ids, once welcomed", () => {
    const left: PendingSay[] = [{ id: "kept-1", text: "typed before the tab closed" }, { id: "kept-2", text: "psst", to: BOB }];
    const t = setup({ outbox: left });
    expect(t.transport.outbox).toEqual(left);
    t.transport.start();
    t.join();
    expect(t.last().says()).toEqual([{ type: "say", id: "kept-1", text: "typed before the tab closed" }]);
    t.last().receive(message(1, ALICE, "kept-1", "typed before the tab closed"));
    expect(t.outboxes.at(-1)).toEqual([left[1]]);
    expect(t.last().says().slice(1)).toEqual([{ type: "say", id: "kept-2", text: "psst", to: BOB.id }]);
  });

  it("resends every say not yet echoed after a reconnect, with the same ids", () => {
    const t = setup();
    t.transport.start();
    t.join();
    const first = t.transport.say("one");
    const second = t.transport.say("two");
    t.last().receive(message(1, ALICE, first.id, "one"));
    expect(t.transport.outbox).toEqual([second]);
    t.last().drop();
    vi.runOnlyPendingTimers();
    t.join(welcome({ seq: 1, resumed: true }));
    expect(t.last().says()).toEqual([{ type: "say", id: second.id, text: "two" }]);
  });

  it("counts an echo inside a resume as delivered and does not send that say again", () => {
    const t = setup();
    t.transport.start();
    t.join();
    const say = t.transport.say("lost echo");
    t.last().drop();
    vi.runOnlyPendingTimers();
    t.join(welcome({ seq: 1, resumed: true, messages: [message(1, ALICE, say.id, "lost echo")] }));
    expect(t.last().says()).toEqual([]);
    expect(t.transport.outbox).toEqual([]);
    expect(t.outboxes.at(-1)).toEqual([]);
  });

  it("does not pass on the room's answer to a resent duplicate a second time", () => {
    const t = setup();
    t.transport.start();
    t.join(welcome({ seq: 5 }));
    const say = t.transport.say("hello");
    t.last().receive(message(3, ALICE, say.id, "hello"));
    expect(t.frames).toEqual([]);
    expect(t.transport.outbox).toEqual([]);
    t.last().receive(message(6, BOB, "b6"));
    expect(t.frames).toEqual([message(6, BOB, "b6")]);
  });

  it("takes a refused say out of the outbox and reports it with the room's error", () => {
    const t = setup();
    t.transport.start();
    t.join();
    const say = t.transport.say("to nobody", BOB);
    const error = { type: "error", code: "unknown_user", message: "nobody online has that id", ref: say.id } as const;
    t.last().receive(error);
    expect(t.transport.outbox).toEqual([]);
    expect(t.refused).toEqual([[say, error]]);
    expect(t.frames).toEqual([]);
    t.last().drop();
    vi.runOnlyPendingTimers();
    t.join();
    expect(t.last().says()).toEqual([]);
  });

  it("keeps a rate-limited say queued and resends it after retryAfterMs, before the says behind it", () => {
    const t = setup();
    t.transport.start();
    t.join();
    const says = ["one", "two", "three"].map((text) => t.transport.say(text));
    t.last().receive(message(1, ALICE, says[0]!.id, "one"));
    // The room refuses "two": its bucket is empty for 200 ms. "three" was never sent.
    expect(t.last().says().map((f) => f.text)).toEqual(["one", "two"]);
    t.last().receive({ type: "error", code: "rate_limited", message: "slow down", ref: says[1]!.id, retryAfterMs: 200 });
    expect(t.refused).toEqual([]);
    expect(t.frames.filter((f) => f.type === "error")).toEqual([]);
    expect(t.transport.outbox.map((s) => ("text" in s ? s.text : s.kind))).toEqual(["two", "three"]);
    // Nothing new goes out while the bucket refills, not even a say typed meanwhile.
    const four = t.transport.say("four");
    vi.advanceTimersByTime(199);
    expect(t.last().says()).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(t.last().says().slice(2)).toEqual([{ type: "say", id: says[1]!.id, text: "two" }]);
    const { sent, mostInFlight } = storeEach(t.last(), ALICE, 2, 2);
    expect(sent.slice(2).map((f) => f.id)).toEqual([says[1]!.id, says[2]!.id, four.id]);
    expect(mostInFlight).toBe(1);
    expect(t.transport.outbox).toEqual([]);
    // With the queue empty, a say goes out at once.
    t.transport.say("five");
    expect(t.last().says()).toHaveLength(6);
  });

  it("never lets an action overtake one the bucket refused: the room stores them in the order they were made", () => {
    const t = setup();
    t.transport.start();
    t.join();
    // A say every millisecond, twice the burst of 20 with a reply and a reaction among them.
    const made = Array.from({ length: 40 }, (_, i) => {
      vi.advanceTimersByTime(1);
      if (i === 25) return t.transport.change({ kind: "react", target: 3, emoji: "👍", on: true });
      return t.transport.say(`flood ${i + 1}`);
    });
    // The room's bucket as the real one (burst 20, 5 a second); each frame takes 20 ms to arrive.
    let bucket = { tokens: 20, at: Date.now() };
    const stored: string[] = [];
    let arrived = 0;
    for (let step = 0; step < 10_000 && t.transport.outbox.length > 0; step++) {
      const sent = t.last().actions();
      if (arrived === sent.length) {
        vi.advanceTimersByTime(20);
        continue;
      }
      vi.advanceTimersByTime(20);
      const frame = sent[arrived++]!;
      const taken = takeToken(bucket, Date.now(), 20, 5);
      if (taken.ok) {
        bucket = taken.bucket;
        stored.push(String(frame.id));
        t.last().receive(storedEvent(frame, ALICE, stored.length));
      } else {
        t.last().receive({ type: "error", code: "rate_limited", message: "slow down", ref: String(frame.id), retryAfterMs: taken.retryAfterMs });
      }
    }
    expect(t.transport.outbox).toEqual([]);
    expect(stored).toEqual(made.map((a) => a.id));
  });

  it("reconnects and resends when the room leaves an action unanswered on an open connection", () => {
    const t = setup({ policy: { answerTimeoutMs: 5_000 } });
    t.transport.start();
    t.join();
    const answered = t.transport.say("answered");
    t.last().receive(message(1, ALICE, answered.id, "answered"));
    vi.advanceTimersByTime(5_000);
    expect(t.sockets).toHaveLength(1);
    const lost = t.transport.say("lost on the way");
    const behind = t.transport.say("behind it");
    vi.advanceTimersByTime(4_999);
    expect(t.sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(t.sockets[0]!.closed).not.toBeNull();
    vi.runOnlyPendingTimers();
    t.join(welcome({ seq: 1, resumed: true }));
    expect(t.sockets).toHaveLength(2);
    const { sent } = storeEach(t.last(), ALICE, 2);
    expect(sent.map((f) => f.id)).toEqual([lost.id, behind.id]);
  });

  it("resends a say still held for the bucket after a reconnect, once its wait is over", () => {
    const t = setup();
    t.transport.start();
    t.join();
    const say = t.transport.say("held");
    t.last().receive({ type: "error", code: "rate_limited", message: "slow down", ref: say.id, retryAfterMs: 5_000 });
    t.last().drop();
    vi.advanceTimersByTime(1_000);
    t.join(welcome({ resumed: true }));
    expect(t.last().says()).toEqual([]);
    vi.advanceTimersByTime(4_000);
    expect(t.last().says()).toEqual([{ type: "say", id: say.id, text: "held" }]);
  });

  it("ignores everything a socket it has dropped still reports", () => {
    const t = setup();
    t.transport.start();
    t.join();
    const old = t.last();
    t.transport.goOffline();
    t.transport.reconnectNow();
    old.receive(message(1, BOB, "b1"));
    old.drop();
    expect(t.frames).toEqual([]);
    expect(t.transport.status.state).toBe("connecting");
  });

  it("queues edits, deletes and reactions made offline and sends them after the welcome, in order, each with its own id", () => {
    const t = setup();
    const edit = t.transport.change({ kind: "edit", target: 4, text: "fixed" });
    const react = t.transport.change({ kind: "react", target: 4, emoji: "👍", on: true });
    const remove = t.transport.change({ kind: "delete", target: 3 });
    expect(new Set([edit.id, react.id, remove.id]).size).toBe(3);
    t.transport.start();
    t.last().open();
    expect(t.last().actions()).toEqual([]);
    t.join(welcome({ seq: 4 }));
    expect(t.last().actions()).toEqual([{ type: "edit", id: edit.id, target: 4, text: "fixed" }]);
    expect(t.outboxes.at(-1)).toEqual([edit, react, remove]);
    const { sent, mostInFlight } = storeEach(t.last(), ALICE, 5);
    expect(sent).toEqual([
      { type: "edit", id: edit.id, target: 4, text: "fixed" },
      { type: "react", id: react.id, target: 4, emoji: "👍", on: true },
      { type: "delete", id: remove.id, target: 3 },
    ]);
    expect(mostInFlight).toBe(1);
    expect(t.transport.outbox).toEqual([]);
  });

  it("takes a change out of the outbox when its event comes back, and passes the event on", () => {
    const t = setup();
    t.transport.start();
    t.join(welcome({ seq: 4 }));
    const edit = t.transport.change({ kind: "edit", target: 4, text: "fixed" });
    const bobsEdit = editEvent(5, BOB, edit.id, 2, "same id, other user");
    t.last().receive(bobsEdit);
    expect(t.transport.outbox).toEqual([edit]);
    const echo = editEvent(6, ALICE, edit.id, 4, "fixed");
    t.last().receive(echo);
    expect(t.transport.outbox).toEqual([]);
    expect(t.frames).toEqual([bobsEdit, echo]);
    expect(t.transport.lastSeq).toBe(6);
  });

  it("resends every change not yet answered after each reconnect, with the same id, until the room answers it", () => {
    const t = setup();
    t.transport.start();
    t.join(welcome({ seq: 4 }));
    const react = t.transport.change({ kind: "react", target: 4, emoji: "🎉", on: false });
    const sent = { type: "react", id: react.id, target: 4, emoji: "🎉", on: false };
    expect(t.last().actions()).toEqual([sent]);
    for (let i = 0; i < 2; i++) {
      t.last().drop();
      vi.runOnlyPendingTimers();
      t.join(welcome({ seq: 4, resumed: true }));
      expect(t.last().actions()).toEqual([sent]);
    }
    // The room stored it before the last drop: it answers the resend with the stored event (seq ≤ the welcome's).
    t.last().drop();
    vi.runOnlyPendingTimers();
    t.join(welcome({ seq: 5, resumed: true, messages: [] }));
    t.last().receive(reactEvent(5, ALICE, react.id, 4, "🎉", false, 0));
    expect(t.transport.outbox).toEqual([]);
    expect(t.frames).toEqual([]);
    t.last().drop();
    vi.runOnlyPendingTimers();
    t.join(welcome({ seq: 5, resumed: true }));
    expect(t.last().actions()).toEqual([]);
  });

  it("counts a stored message as the answer to an edit that reused its id (one id namespace per user)", () => {
    const t = setup();
    t.transport.start();
    t.join(welcome({ seq: 9 }));
    const edit = t.transport.change({ kind: "edit", target: 2, text: "x" });
    t.last().receive(message(7, ALICE, edit.id, "the say that had this id"));
    expect(t.transport.outbox).toEqual([]);
    expect(t.frames).toEqual([]);
  });

  it("hands a resume's change events to the page in order, and counts its own among them as answered", () => {
    const t = setup();
    t.transport.start();
    t.join(welcome({ seq: 2, messages: [message(1, BOB, "b1"), message(2, ALICE, "a2")] }));
    t.last().drop();
    const edit = t.transport.change({ kind: "edit", target: 2, text: "edited offline" });
    const later = t.transport.change({ kind: "react", target: 1, emoji: "👀", on: true });
    vi.runOnlyPendingTimers();
    const events = [editEvent(3, ALICE, edit.id, 2, "edited offline"), reactEvent(4, BOB, "b-r", 1, "👀", true, 1), message(5, BOB, "b5")];
    t.join(welcome({ seq: 5, resumed: true, messages: events }));
    expect(t.welcomes.at(-1)!.messages).toEqual(events);
    expect(t.last().actions()).toEqual([{ type: "react", id: later.id, target: 1, emoji: "👀", on: true }]);
    expect(t.transport.outbox).toEqual([later]);
    t.last().drop();
    vi.runOnlyPendingTimers();
    t.last().open();
    expect(t.last().frames()[0]).toMatchObject({ type: "hello", since: 5 });
  });

  it("resumes after the last change event seen, not only after the last message", () => {
    const t = setup();
    t.transport.start();
    t.join(welcome({ seq: 1, messages: [message(1, BOB, "b1")] }));
    t.last().receive(reactEvent(2, BOB, "b-r", 1, "👍", true, 1));
    t.last().receive({ type: "delete", seq: 3, id: "b-d", target: 1, user: BOB, ts: 3 });
    t.last().drop();
    vi.runOnlyPendingTimers();
    t.last().open();
    expect(t.last().frames()[0]).toMatchObject({ type: "hello", since: 3, epoch: "epoch-1" });
  });

  it("keeps rate-limited changes queued with the says around them and resends them in order after retryAfterMs", () => {
    const t = setup();
    t.transport.start();
    t.join(welcome({ seq: 1 }));
    const say = t.transport.say("one");
    const react = t.transport.change({ kind: "react", target: 1, emoji: "👍", on: true });
    const edit = t.transport.change({ kind: "edit", target: 1, text: "two" });
    t.last().receive({ type: "error", code: "rate_limited", message: "slow down", ref: say.id, retryAfterMs: 300 });
    expect(t.refused).toEqual([]);
    expect(t.transport.outbox).toEqual([say, react, edit]);
    expect(t.transport.heldUntil).toBe(Date.now() + 300);
    vi.advanceTimersByTime(299);
    expect(t.last().actions()).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(t.last().actions().slice(1)).toEqual([{ type: "say", id: say.id, text: "one" }]);
    t.last().receive(message(2, ALICE, say.id, "one"));
    expect(t.last().actions().slice(2)).toEqual([{ type: "react", id: react.id, target: 1, emoji: "👍", on: true }]);
    t.last().receive(reactEvent(3, ALICE, react.id, 1, "👍", true, 1));
    expect(t.last().actions().slice(3)).toEqual([{ type: "edit", id: edit.id, target: 1, text: "two" }]);
    t.last().receive(editEvent(4, ALICE, edit.id, 1, "two"));
    expect(t.transport.outbox).toEqual([]);
  });

  it("takes a refused change out of the outbox and reports it with the room's error", () => {
    const t = setup();
    t.transport.start();
    t.join(welcome({ seq: 3 }));
    const remove = t.transport.change({ kind: "delete", target: 3 });
    const error = { type: "error", code: "gone", message: "that message was deleted already", ref: remove.id } as const;
    t.last().receive(error);
    expect(t.transport.outbox).toEqual([]);
    expect(t.refused).toEqual([[remove, error]]);
    expect(t.frames).toEqual([]);
  });

  it("sends a reply with the quoted message's seq, and keeps the quote for the page", () => {
    const t = setup();
    t.transport.start();
    t.join(welcome({ seq: 3 }));
    const quote = { seq: 3, from: BOB, text: "question?" };
    const reply = t.transport.say("answer", BOB, quote);
    expect(reply).toMatchObject({ text: "answer", to: BOB, replyTo: quote });
    expect(t.last().says()).toEqual([{ type: "say", id: reply.id, text: "answer", to: BOB.id, replyTo: 3 }]);
  });

  it("sends the actions an earlier page left unanswered, says stored without a kind included", () => {
    const left: PendingAction[] = [
      { id: "old-say", text: "from a page before v2" },
      { kind: "react", id: "kept-r", target: 2, emoji: "❤️", on: true },
      { kind: "delete", id: "kept-d", target: 1 },
    ];
    const t = setup({ outbox: left });
    t.transport.start();
    t.join(welcome({ seq: 2 }));
    expect(storeEach(t.last(), ALICE, 3).sent).toEqual([
      { type: "say", id: "old-say", text: "from a page before v2" },
      { type: "react", id: "kept-r", target: 2, emoji: "❤️", on: true },
      { type: "delete", id: "kept-d", target: 1 },
    ]);
  });

  it("asks for members pages only while connected", () => {
    const t = setup();
    expect(t.transport.send({ type: "members", after: "m-id", limit: 100 })).toBe(false);
    t.transport.start();
    t.join();
    expect(t.transport.send({ type: "members", after: "m-id", limit: 100 })).toBe(true);
    expect(t.last().frames().at(-1)).toEqual({ type: "members", after: "m-id", limit: 100 });
    const page = { type: "members", users: [ALICE, BOB], next: BOB.id } as const;
    t.last().receive(page);
    expect(t.frames).toEqual([page]);
  });

  it("does not reconnect after a moderator closed the socket with 4403, until started again", () => {
    const t = setup();
    t.transport.start();
    t.join();
    t.last().drop(4403);
    expect(t.transport.status).toEqual({ state: "closed", reason: "removed" });
    vi.advanceTimersByTime(10 * 60_000);
    t.transport.reconnectNow();
    expect(t.sockets).toHaveLength(1);
    t.transport.start();
    expect(t.sockets).toHaveLength(2);
  });

  it("stops on a hello refused as banned and tries once more only when the ban ends", () => {
    const t = setup();
    t.transport.start();
    t.last().open();
    t.last().receive({ type: "error", code: "banned", message: "you are banned", retryAfterMs: 60_000 });
    expect(t.transport.status).toEqual({ state: "banned", until: Date.now() + 60_000 });
    expect(t.sockets[0]!.closed).not.toBeNull();
    expect(t.frames).toMatchObject([{ type: "error", code: "banned" }]);
    t.transport.reconnectNow();
    vi.advanceTimersByTime(59_999);
    expect(t.sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(t.sockets).toHaveLength(2);
    t.last().open();
    expect(t.last().frames()[0]).toMatchObject({ type: "hello", token: TOKEN });
  });

  it("sends the owner key in hello, and on forbidden forgets it and joins without it on the same socket", () => {
    let key: string | undefined = "owner-key-abc";
    const t = setup({ key: () => key });
    t.transport.start();
    t.last().open();
    t.last().receive({ type: "error", code: "forbidden", message: "that is not an owner key of this room" });
    expect(t.keyRefusals()).toBe(1);
    key = undefined;
    expect(t.last().frames()).toEqual([
      { type: "hello", token: TOKEN, name: "alice", key: "owner-key-abc" },
      { type: "hello", token: TOKEN, name: "alice" },
    ]);
    t.last().receive(welcome());
    expect(t.transport.status).toEqual({ state: "open" });
  });

  it("does not retry a hello without a key on forbidden", () => {
    const t = setup();
    t.transport.start();
    t.last().open();
    t.last().receive({ type: "error", code: "forbidden", message: "no" });
    expect(t.keyRefusals()).toBe(0);
    expect(t.last().frames()).toHaveLength(1);
  });
});
