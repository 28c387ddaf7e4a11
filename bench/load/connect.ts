/**
 * Connecting a trial's clients: at most `connectWindow` waiting for their welcome (the baseline:
 * their open) at once, all of them within `connectDeadlineMs`, then, where the trial asks for it,
 * until every client sees all N users online. What it measures: how long that took, when each
 * client got in (a curve for the plot), and how large the welcomes were.
 */
import type { LightClient } from "../light/light-client.ts";
import type { ConnectResult, TrialSpec } from "../types.ts";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Points of the connect curve: the time by which 1%, 2%, … 100% of the clients were in. */
const CURVE_POINTS = 100;

/** Connects every client, or throws saying how many got in (the trial then closes them all). */
export async function connectAll(clients: LightClient[], spec: TrialSpec): Promise<ConnectResult> {
  const started = performance.now();
  const deadline = started + spec.connectDeadlineMs;
  const inAt: number[] = [];
  let next = 0;
  let failed = false;
  const opener = async () => {
    // After one failure the other openers stop too, so that nothing opens after the trial has closed.
    while (next < clients.length && !failed) {
      const i = next++;
      const left = Math.max(1, Math.min(spec.connectTimeoutMs, deadline - performance.now()));
      try {
        await clients[i]!.connect(left);
        inAt.push(performance.now() - started);
      } catch (err) {
        failed = true;
        const why = performance.now() >= deadline ? `the deadline of ${spec.connectDeadlineMs} ms passed` : `client ${i}: ${err instanceof Error ? err.message : String(err)}`;
        throw new Error(`${inAt.length} of ${clients.length} clients in after ${Math.round(performance.now() - started)} ms: ${why}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(spec.connectWindow, clients.length) }, opener));
  const welcomedMs = performance.now() - started;

  // Every client sees everyone, so that no join broadcast is still in flight when sending starts.
  if (spec.presence && spec.dialect === "protocol") {
    while (clients.some((c) => c.online < clients.length)) {
      if (performance.now() > deadline) throw new Error(`presence did not settle within ${spec.connectDeadlineMs} ms`);
      await sleep(20);
    }
  }
  const result: ConnectResult = {
    clients: clients.length,
    welcomedMs: Math.round(welcomedMs),
    settledMs: Math.round(performance.now() - started),
    curve: curveOf(inAt),
    welcomeBytes: welcomeBytesOf(clients),
  };
  const limits = clients[0]?.welcome?.limits;
  if (limits) result.limits = { burst: limits.burst, perSecond: limits.perSecond };
  return result;
}

/** The time by which each hundredth of the clients was in, ms. */
function curveOf(inAt: number[]): number[] {
  const sorted = [...inAt].sort((a, b) => a - b);
  if (sorted.length === 0) return [];
  return Array.from({ length: CURVE_POINTS }, (_, k) => Math.round(sorted[Math.ceil(((k + 1) / CURVE_POINTS) * sorted.length) - 1]!));
}

/** Median and largest welcome, in UTF-8 bytes (null for the baseline, which sends none). */
function welcomeBytesOf(clients: LightClient[]): ConnectResult["welcomeBytes"] {
  const sizes = clients.filter((c) => c.welcome).map((c) => c.welcomeBytes).sort((a, b) => a - b);
  if (sizes.length === 0) return null;
  return { p50: sizes[Math.ceil(sizes.length / 2) - 1]!, max: sizes.at(-1)! };
}
