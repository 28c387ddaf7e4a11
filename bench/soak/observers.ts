/**
 * The flood's observers: readers that send nothing and read the room's raw frames through the
 * light client. The people's views come through the page's transport, which drops every message
 * at or below the last seq it has seen, so a room that sent everything twice would look right
 * there; an observer counts each seq it is sent, and a second copy is a duplicate.
 */
import { streamOf } from "./random.ts";
import { ResumingClient } from "./resuming-client.ts";
import { checkView, type StoredLog } from "./soak-check.ts";

/** What the observers saw, summed over them. */
export interface Observed {
  observers: number;
  /** Messages shown, and copies of a seq already shown. */
  shown: number;
  duplicated: number;
  lost: number;
  reordered: number;
  mismatched: number;
  /** Frames that broke the protocol, and `error` frames (an observer sends nothing to refuse). */
  invalidOrErrors: number;
}

/** `count` observers of the room at `url`, each on its own seeded stream, not yet connected. */
export function makeObservers(url: string, count: number, seed: number): ResumingClient[] {
  return Array.from({ length: count }, (_, i) => new ResumingClient(url, `observer-${i}`, { random: streamOf(seed, `observer-${i}`) }));
}

/** Every observer's view against the stored log, up to its last seq. */
export function observe(observers: readonly ResumingClient[], log: StoredLog): Observed {
  const observed: Observed = { observers: observers.length, shown: 0, duplicated: 0, lost: 0, reordered: 0, mismatched: 0, invalidOrErrors: 0 };
  for (const observer of observers) {
    const view = checkView(observer.view, log);
    observed.shown += observer.view.shownCount;
    observed.duplicated += observer.view.duplicated;
    observed.lost += view.lost;
    observed.reordered += observer.view.reordered;
    observed.mismatched += view.mismatched;
    observed.invalidOrErrors += observer.invalidFrames + observer.errors;
  }
  return observed;
}

/** The counts that must be zero and are not, as readable lines; none shown proves nothing. */
export function observedViolations(observed: Observed): string[] {
  const { observers, shown, ...mustBeZero } = observed;
  const violations = Object.entries(mustBeZero)
    .filter(([, value]) => value !== 0)
    .map(([name, value]) => `observers ${name}: ${value}`);
  if (observers > 0 && shown === 0) violations.push("the observers were shown nothing");
  return violations;
}
