/**
 * The soak's checker against made-up views and logs: it must count every kind of fault it is
 * there to catch, or a soak that passes would prove nothing.
 */
import { describe, expect, it } from "vitest";
import type { EventFrame, MessageFrame, WelcomeFrame } from "@edge-chat/protocol";
import type { PendingAction } from "@edge-chat/client";
import { checkSoak, soakViolations } from "../../bench/soak/soak-check.ts";
import { logShape } from "../../bench/soak/room-log.ts";
import type { CheckedSender } from "../../bench/soak/sender-records.ts";
import { ClientView } from "../../bench/soak/view.ts";

const ALICE = { id: "alice-id", name: "alice" };
const BOB = { id: "bob-id", name: "bob" };

function message(seq: number, id = `m${seq}`): MessageFrame {
  return { type: "message", seq, id, from: ALICE, text: `text ${seq}`, ts: 1_000 + seq };
}

function welcome(seq: number, resumed: boolean, messages: MessageFrame[]): WelcomeFrame {
  const limits = { text: 2000, name: 32, burst: 20, perSecond: 5, reactions: 20, usersListed: 100 };
  const settings = { slowMs: 0, locked: false };
  return { type: "welcome", self: { ...ALICE, role: "member" }, users: [ALICE], online: 1, messages, seq, epoch: "e1", resumed, settings, limits };
}

const log = Array.from({ length: 60 }, (_, i) => message(i + 1));

/** A client that joined at seq 0 and was shown `seqs` live. */
function viewOf(seqs: number[]): ClientView {
  const view = new ClientView();
  view.welcome(welcome(0, false, []), undefined);
  for (const seq of seqs) view.message(log[seq - 1]!);
  return view;
}

/** A sender whose every action was acknowledged and answered by `events[i]`. */
function senderOf(user: typeof ALICE, done: [PendingAction, EventFrame][]): CheckedSender {
  return {
    selfId: user.id,
    sent: new Map(done.map(([action]) => [action.id, action])),
    stored: new Map(done.map(([action, event]) => [action.id, event])),
    refused: new Map(),
    rateLimited: 0,
    acknowledged: () => done.map(([action]) => action.id),
    unanswered: 0, flushedOnReconnect: 0, actionsOnWire: done.length, dedupeAnswers: 0,
  };
}

/** Alice, who said every message of the log. */
const alice = senderOf(ALICE, log.map((m) => [{ id: m.id, text: m.text }, m]));
const check = (view: ClientView) => checkSoak(log, [alice], [{ view, invalidFrames: 0, errors: 0 }]);
const upTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe("the soak checker", () => {
  it("passes a view that shows the whole log once, in order", () => {
    const counts = check(viewOf(upTo(60)));
    expect({ lost: counts.lost, duplicated: counts.duplicated, reordered: counts.reordered, mismatched: counts.mismatched }).toEqual({
      lost: 0, duplicated: 0, reordered: 0, mismatched: 0,
    });
  });

  it("counts a message the client never showed as lost, also at the end of the log", () => {
    expect(check(viewOf(upTo(60).filter((s) => s !== 30))).lost).toBe(1);
    expect(check(viewOf(upTo(58))).lost).toBe(2);
  });

  it("counts a message shown twice, and one shown after a later one", () => {
    expect(check(viewOf([...upTo(30), 30, ...upTo(60).slice(30)])).duplicated).toBe(1);
    const swapped = upTo(60);
    [swapped[9], swapped[10]] = [swapped[10]!, swapped[9]!];
    expect(check(viewOf(swapped)).reordered).toBe(1);
  });

  it("counts a shown message that is not the stored one, and one whose text differs", () => {
    const view = viewOf(upTo(58));
    view.message({ ...log[58]!, id: "other" });
    view.message({ ...log[59]!, text: "changed" });
    const counts = check(view);
    expect(counts.mismatched).toBe(1);
    expect(counts.staleText).toBe(1);
  });

  it("holds a redrawn client to the latest 50 and what came after, not to what it missed before", () => {
    const view = viewOf(upTo(5));
    // A reload: the hello carried no `since`, so the room rightly redraws.
    view.welcome(welcome(55, false, log.slice(5, 55)), undefined);
    for (const m of log.slice(55)) view.message(m);
    const counts = check(view);
    expect(counts.lost).toBe(0);
    expect(counts.missedResumes).toBe(0);
    expect(counts.redraws).toBe(1);
  });

  it("flags a redraw where the room had to resume, and a redraw that lists too little", () => {
    const view = viewOf(upTo(5));
    view.welcome(welcome(55, false, log.slice(10, 55)), 5);
    for (const m of log.slice(55)) view.message(m);
    const counts = check(view);
    expect(counts.missedResumes).toBe(1);
    expect(counts.lost).toBe(5);
  });

  it("flags a resume that skipped a message", () => {
    const view = viewOf(upTo(20));
    view.welcome(welcome(40, true, log.slice(21, 40)), 20);
    for (const m of log.slice(40)) view.message(m);
    expect(check(view).lost).toBe(1);
  });

  it("flags a log with a gap, a duplicate (user, id), or seqs out of order", () => {
    expect(logShape([message(1), message(3)]).gaps).toBe(1);
    expect(logShape([message(1), message(2, "m1")]).duplicated).toBe(1);
    expect(logShape([message(2), message(1)]).outOfOrder).toBe(1);
    expect(soakViolations(check(viewOf(upTo(59))))).toContain("lost: 1");
  });

  it("fails a sender the room answered rate_limited, though the transport resent it and it was stored", () => {
    const limited = { ...alice, rateLimited: 2 };
    const counts = checkSoak(log, [limited], [{ view: viewOf(upTo(60)), invalidFrames: 0, errors: 0 }]);
    expect(soakViolations(counts)).toEqual(["rateLimited: 2"]);
  });
});

describe("the soak checker, with edits, deletes and reactions", () => {
  // After the 60 messages: Bob replies to 10; Alice edits 10 and deletes 20; Alice and then Bob react 👍 to 5.
  const reply: MessageFrame = { type: "message", seq: 61, id: "m61", from: BOB, text: "re", ts: 2_000, replyTo: { seq: 10, from: ALICE, text: "text 10" } };
  const edit: EventFrame = { type: "edit", seq: 62, id: "e62", target: 10, text: "text 10 edited", user: ALICE, ts: 2_001 };
  const del: EventFrame = { type: "delete", seq: 63, id: "d63", target: 20, user: ALICE, ts: 2_002 };
  const react1: EventFrame = { type: "react", seq: 64, id: "r64", target: 5, emoji: "👍", on: true, count: 1, user: ALICE, ts: 2_003 };
  const react2: EventFrame = { type: "react", seq: 65, id: "r65", target: 5, emoji: "👍", on: true, count: 2, user: BOB, ts: 2_004 };
  const live: EventFrame[] = [...log, reply, edit, del, react1, react2];
  const aliceToo = senderOf(ALICE, [
    ...log.map((m): [PendingAction, EventFrame] => [{ id: m.id, text: m.text }, m]),
    [{ kind: "edit", id: "e62", target: 10, text: "text 10 edited" }, edit],
    [{ kind: "delete", id: "d63", target: 20 }, del],
    [{ kind: "react", id: "r64", target: 5, emoji: "👍", on: true }, react1],
  ]);
  const bob = senderOf(BOB, [
    [{ id: "m61", text: "re", replyTo: { seq: 10, from: ALICE, text: "text 10" } }, reply],
    [{ kind: "react", id: "r65", target: 5, emoji: "👍", on: true }, react2],
  ]);
  /** The room's messages in their current state, as the HTTP API serves them. */
  const room: MessageFrame[] = [
    ...log.map((m) => {
      if (m.seq === 10) return { ...m, text: "text 10 edited", edited: 2_001 };
      if (m.seq === 20) return { type: "message" as const, seq: 20, id: m.id, from: ALICE, ts: m.ts, text: "", deleted: true as const };
      if (m.seq === 5) return { ...m, reactions: [{ emoji: "👍", count: 2 }] };
      return m;
    }),
    { ...reply, replyTo: { seq: 10, from: ALICE, text: "text 10 edited" } },
  ];
  /** Alice's view, fed every event but those with the seqs in `skip`. */
  const aliceView = (skip: number[] = [], change = (e: EventFrame) => e) => {
    const view = new ClientView();
    view.welcome(welcome(0, false, []), undefined);
    for (const event of live.filter((e) => !skip.includes(e.seq)).map(change)) {
      if (event.type === "message") view.message(event);
      else view.change(event);
    }
    return view;
  };
  const checkChanges = (view: ClientView, log: MessageFrame[] = room) => checkSoak(log, [aliceToo, bob], [{ view, invalidFrames: 0, errors: 0 }], 65);

  it("passes a client that folded every change as the room did, `me` included", () => {
    const counts = checkChanges(aliceView());
    expect(soakViolations(counts)).toEqual([]);
    expect(counts.kinds).toMatchObject({ edit: { stored: 1 }, delete: { stored: 1 }, react: { stored: 2 }, reply: { stored: 1 }, say: { stored: 60 } });
    expect(counts.stored).toBe(65);
  });

  it("fails a client that missed an edit: its text and the reply's quote are stale", () => {
    const counts = checkChanges(aliceView([62]));
    expect(counts.lost).toBe(1);
    expect(counts.staleText).toBe(1);
    expect(counts.staleReplies).toBe(1);
  });

  it("passes a redrawn client whose reply quotes a message older than the redraw, as the quote follows its edits", () => {
    // A reload at seq 61 lists the latest 50 messages, 12..61: the reply, but not the message it quotes.
    const view = new ClientView();
    view.welcome(welcome(61, false, [...log.slice(11, 60), reply]), undefined);
    for (const event of [edit, del, react1, react2]) view.change(event);
    const counts = checkChanges(view);
    expect(counts.staleReplies).toBe(0);
    expect(soakViolations(counts)).toEqual([]);
  });

  it("fails a client that still shows a deleted message's text", () => {
    const view = aliceView();
    // It received the delete but kept showing the text (a fold that did nothing).
    view.segments[0]!.shown.set(20, log[19]!);
    const counts = checkChanges(view);
    expect(counts.lost).toBe(0);
    expect(counts.staleDeleted).toBe(1);
    expect(soakViolations(counts)).toContain("staleDeleted: 1");
  });

  it("fails a client with a wrong reaction count, whether it missed a reaction or was sent a wrong count", () => {
    expect(checkChanges(aliceView([65])).staleReactions).toBe(1);
    const wrong = checkChanges(aliceView([], (e) => (e.seq === 65 ? { ...react2, count: 3 } : e)));
    expect(wrong.staleReactions).toBe(1);
    expect(wrong.lost).toBe(0);
  });

  it("fails a `me` that is not what the viewer did", () => {
    const view = aliceView();
    const five = view.segments[0]!.shown.get(5)!;
    view.segments[0]!.shown.set(5, { ...five, reactions: [{ emoji: "👍", count: 2, me: false }] });
    expect(checkChanges(view).staleReactions).toBe(1);
  });

  it("fails a room whose stored state is not what the senders did", () => {
    const counts = checkChanges(aliceView(), room.map((m) => (m.seq === 10 ? { ...m, text: "text 10" } : m)));
    // The message itself, and the reply whose quote no longer matches it.
    expect(counts.storedMismatched).toBe(2);
  });

  it("counts a change event no sender saw stored as a gap, and holds a redraw to the latest 50 messages, not seqs", () => {
    // Alice's says alone: Bob's reply is unknown, and the four changes are gaps.
    expect(checkSoak(room, [alice], [], 65).seqGaps).toBe(4);
    // A reload at seq 65: the latest 50 messages are 12..61 (62–65 are changes), in their current state.
    const redrawn = (from: number) => {
      const view = new ClientView();
      view.welcome(welcome(65, false, room.slice(from - 1, 61)), undefined);
      return checkChanges(view);
    };
    expect(redrawn(12).lost).toBe(0);
    expect(redrawn(13).lost).toBe(1);
  });
});
