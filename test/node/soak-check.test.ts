/**
 * The soak's checker against made-up views and logs: it must count every kind of fault it is
 * there to catch, or a soak that passes would prove nothing.
 */
import { describe, expect, it } from "vitest";
import type { MessageFrame, WelcomeFrame } from "../../src/shared/protocol.ts";
import { checkSoak, soakViolations } from "../../bench/soak/soak-check.ts";
import { logShape } from "../../bench/soak/room-log.ts";
import { ClientView } from "../../bench/soak/view.ts";

const ALICE = { id: "alice-id", name: "alice" };

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

const check = (view: ClientView) => checkSoak(log, [], [{ view, invalidFrames: 0, errors: 0 }]);
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

  it("counts a shown message that differs from the stored one", () => {
    const view = viewOf(upTo(59));
    view.message({ ...log[59]!, text: "changed" });
    expect(check(view).mismatched).toBe(1);
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
});
