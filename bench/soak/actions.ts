/**
 * What a soak sender does at each turn, besides saying something: reply to a recent message,
 * edit or delete one of its own, or react to a message (or take its reaction back). Each turn
 * draws the same three numbers from the sender's own stream whatever it then picks, so that the
 * seed replays the draws; the candidates they pick from are what the sender shows at that moment.
 *
 * No action may be refused, or the soak would fail on it: a reply or a reaction to a message
 * deleted meanwhile is `not_found` or `gone`. So only drafts are ever deleted (their text starts
 * with `draft:`), only by their author, and nobody but the author replies or reacts to a draft.
 * The author queues a draft's delete after its own replies and reactions to it, and the outbox
 * keeps that order.
 */
import type { MessageFrame } from "@edge-chat/protocol";

/** How often each kind of turn comes (the rest of the turns are plain says), and how many drafts. */
export interface TurnWeights {
  reply: number;
  edit: number;
  delete: number;
  react: number;
  /** The share of says and replies that are drafts, which their author may delete later. */
  draft: number;
}

/** The full soak's mix. */
export const MIX: TurnWeights = { reply: 0.15, edit: 0.12, delete: 0.06, react: 0.22, draft: 0.3 };
/** Four emoji keep reactions well under the 20 distinct a message may hold. */
export const EMOJIS = ["👍", "❤️", "😂", "🎉"] as const;
/** Replies and reactions go to one of the newest this many messages shown. */
const RECENT = 20;
/** Edits and deletes go to one of the sender's own among the newest this many shown. */
const OWN_RECENT = 100;

/** The kinds of action a sender takes. */
export type ActionKind = "say" | "reply" | "edit" | "delete" | "react";

/** One turn's draws, in [0, 1): which kind, which target, and one more (draft or emoji). */
export interface TurnDraws {
  kind: number;
  target: number;
  extra: number;
}

/** What a sender knows when it picks: who it is, what it shows, which of its deletes are queued. */
export interface SenderState {
  selfId: string | undefined;
  /** The newest messages shown, oldest first, in their current state. */
  shown: readonly MessageFrame[];
  deleting: ReadonlySet<number>;
}

/** What a sender does this turn. */
export type Turn =
  | { kind: "say"; draft: boolean }
  | { kind: "reply"; target: MessageFrame; draft: boolean }
  | { kind: "edit"; target: MessageFrame }
  | { kind: "delete"; target: MessageFrame }
  | { kind: "react"; target: MessageFrame; emoji: string };

/** Draws one turn's numbers: always three, whatever the turn turns out to be. */
export function drawTurn(random: () => number): TurnDraws {
  return { kind: random(), target: random(), extra: random() };
}

/** The kind a draw stands for. */
export function kindOf(draw: number, weights: TurnWeights = MIX): ActionKind {
  let edge = 0;
  for (const kind of ["reply", "edit", "delete", "react"] as const) {
    edge += weights[kind];
    if (draw < edge) return kind;
  }
  return "say";
}

/** Picks this turn's action; a kind with nothing to act on becomes a plain say. */
export function chooseTurn(draws: TurnDraws, state: SenderState, weights: TurnWeights = MIX): Turn {
  const draft = draws.extra < weights.draft;
  const kind = kindOf(draws.kind, weights);
  const own = (m: MessageFrame) => m.from.id === state.selfId;
  const live = (m: MessageFrame) => !m.deleted && !state.deleting.has(m.seq);
  const pick = (candidates: MessageFrame[]) => candidates[Math.floor(draws.target * candidates.length)];
  if (kind === "reply" || kind === "react") {
    const target = pick(state.shown.slice(-RECENT).filter((m) => live(m) && (own(m) || !isDraft(m.text))));
    if (target && kind === "reply") return { kind, target, draft };
    if (target) return { kind: "react", target, emoji: EMOJIS[Math.floor(draws.extra * EMOJIS.length)]! };
  } else if (kind === "edit" || kind === "delete") {
    const mine = state.shown.slice(-OWN_RECENT).filter((m) => own(m) && live(m));
    const target = pick(kind === "edit" ? mine : mine.filter((m) => isDraft(m.text)));
    if (target) return { kind, target };
  }
  return { kind: "say", draft };
}

/** The text of a soak message: draft or not, who, which, and when it was sent (for latency on receipt). */
export function messageText(sender: string, n: number, sentAt: number, draft = false): string {
  return `${draft ? "draft: " : ""}${sender} #${n} @${sentAt.toFixed(2)}`;
}

/** The new text of an edit, keeping the target's draft mark. */
export function editText(target: MessageFrame, sender: string, n: number): string {
  return `${isDraft(target.text) ? "draft: " : ""}${sender} edit ${n} of ${target.seq}`;
}

/** True for a draft: a message its author may delete, which nobody else replies or reacts to. */
export function isDraft(text: string): boolean {
  return text.startsWith("draft: ");
}

/** The send time written into a message's text by `messageText`, or undefined. */
export function sentAtOf(text: string): number | undefined {
  const match = /@(\d+(?:\.\d+)?)$/.exec(text);
  return match ? Number(match[1]) : undefined;
}
