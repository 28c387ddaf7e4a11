/**
 * The soak senders' mix (bench/soak/actions.ts) must never pick an action the room would refuse,
 * since any refusal fails the soak: nobody but the author replies or reacts to a draft, only
 * drafts are deleted, and only by their author, and nothing is done to a message whose delete is
 * queued. Checked over many seeded turns against a made-up view.
 */
import { describe, expect, it } from "vitest";
import type { MessageFrame } from "@edge-chat/protocol";
import { chooseTurn, drawTurn, isDraft, kindOf, messageText, MIX, type Turn } from "../../bench/soak/actions.ts";
import { streamOf } from "../../bench/soak/random.ts";

const ME = { id: "me-id", name: "me" };
const OTHER = { id: "other-id", name: "other" };

/** 40 messages, alternating authors, every third a draft, one of mine deleted. */
const shown: MessageFrame[] = Array.from({ length: 40 }, (_, i) => {
  const from = i % 2 === 0 ? ME : OTHER;
  const message: MessageFrame = { type: "message", seq: i + 1, id: `m${i + 1}`, from, text: messageText(from.name, i, 1, i % 3 === 0), ts: i };
  return i === 36 ? { type: "message", seq: 37, id: "m37", from: ME, text: "", ts: i, deleted: true } : message;
});
const deleting = new Set([39]);

function turns(seed: number, count: number): Turn[] {
  const random = streamOf(seed, "mix-0");
  return Array.from({ length: count }, () => chooseTurn(drawTurn(random), { selfId: ME.id, shown, deleting }));
}

describe("the soak's mix of actions", () => {
  it("never acts on a message it could be refused for", () => {
    for (const turn of turns(1, 2_000)) {
      if (turn.kind === "say") continue;
      const target = turn.target;
      expect(target.deleted, turn.kind).toBeUndefined();
      expect(deleting.has(target.seq), turn.kind).toBe(false);
      if (turn.kind === "edit" || turn.kind === "delete") expect(target.from.id).toBe(ME.id);
      if (turn.kind === "delete") expect(isDraft(target.text)).toBe(true);
      if ((turn.kind === "reply" || turn.kind === "react") && target.from.id !== ME.id) expect(isDraft(target.text)).toBe(false);
    }
  });

  it("takes each kind about as often as the mix says, and replays from the seed", () => {
    const made = turns(2, 2_000);
    const share = (kind: Turn["kind"]) => made.filter((t) => t.kind === kind).length / made.length;
    for (const kind of ["reply", "edit", "delete", "react"] as const) expect(share(kind)).toBeCloseTo(MIX[kind], 1);
    expect(turns(2, 50)).toEqual(made.slice(0, 50));
    expect(turns(3, 50)).not.toEqual(made.slice(0, 50));
  });

  it("falls back to a say when there is nothing to act on", () => {
    const random = streamOf(4, "mix-0");
    for (let i = 0; i < 200; i++) expect(chooseTurn(drawTurn(random), { selfId: ME.id, shown: [], deleting }).kind).toBe("say");
    expect(kindOf(0.999)).toBe("say");
  });
});
