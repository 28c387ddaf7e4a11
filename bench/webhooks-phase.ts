/**
 * The webhooks phase (`npm run bench -- --phases webhooks`): what integrations cost the room.
 * 1. Saturation with and without webhooks, same server, same run: rooms alternate A B A B, A a
 *    plain room, B one with `--webhooks` webhooks (all events) to a receiver in this process on
 *    127.0.0.1 answering 204; each round's staircase as in the saturation phase; the figure is the
 *    ratio of B's best passing deliveries/s to A's. B's webhooks are deleted after each trial
 *    (a staircase stores far more than a webhook's 50 events a second). Then a room with the
 *    webhooks takes 20 messages/s for 20 s, and every webhook must receive every event of it
 *    (counted by webhook-id).
 * 2. Hook posts: `--hook-posts` posts one after another to one hook, each timed from request to
 *    answer (the message stored), p50 and p99; then as many again, each after a pause of
 *    `--hook-gap` ms, as alerts arrive: a post right behind the previous one's answer lands in the
 *    room's batch window (10 ms after a broadcast) and waits for its end, a post on its own does not.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { BenchOptions } from "./options.ts";
import type { MeasuredStage, TrialRecord } from "./records.ts";
import { bestPassing, coarseStages, fineStages, passes } from "./saturation.ts";
import type { BenchServer } from "./servers.ts";
import type { TrialRunner } from "./trial-runner.ts";


/** The room's spacing between a webhook's tries (`DELIVERY_SPACING_MS` in src/server/objects/webhook-delivery.ts). */
const DELIVERY_SPACING_MS = 20;

/** The admin key the phase's server runs with (a local dev server of this run only). */
export const WEBHOOKS_ADMIN_KEY = "bench-webhooks-admin-key";
/**
 * The phase's server's hook-post budget per address and minute: both series of posts come from
 * one address within a minute, past the default 600. The budget stays on, so each post still
 * pays its check with the rate limiting binding.
 */
export const HOOK_POSTS_BUDGET = 6_000;

/** What the phase measured. */
export interface WebhooksSummary {
  webhooks: number;
  clients: number;
  senders: number;
  /** Best passing deliveries/s per round: without webhooks, with them. */
  plain: (number | null)[];
  withWebhooks: (number | null)[];
  /** Best of the rounds, with over without. */
  ratio: number | null;
  /**
   * Events each webhook received (distinct webhook-ids) against the events stored in its room: per
   * round by the trial's end, when they are deleted; last, the 20 messages/s room after waiting
   * for all of them (`complete`).
   */
  delivered: { stored: number; received: number[]; complete: boolean }[];
  hookPosts: HookPostTimes;
  /** The same count of posts, each after a pause of `gapMs`. */
  spacedHookPosts: HookPostTimes & { gapMs: number };
}

/** Hook posts timed from request to answer. */
export interface HookPostTimes {
  count: number;
  p50: number | null;
  p99: number | null;
}

/** Runs the phase against `server` (raised limits, WEBHOOKS_ADMIN_KEY). */
export async function runWebhooks(
  runner: TrialRunner,
  server: BenchServer,
  options: BenchOptions,
  progress: (trial: TrialRecord) => void,
  log: (line: string) => void,
): Promise<{ summary: WebhooksSummary; trials: TrialRecord[] }> {
  const receiver = await startReceiver();
  const trials: TrialRecord[] = [];
  const best: Record<"plain" | "webhooks", MeasuredStage | null> = { plain: null, webhooks: null };
  const perRound: Record<"plain" | "webhooks", (number | null)[]> = { plain: [], webhooks: [] };
  const delivered: WebhooksSummary["delivered"] = [];
  try {
    for (let round = 1; round <= options.satRounds; round++) {
      for (const variant of ["plain", "webhooks"] as const) {
        const room = `bench-${variant}-${round}-${Date.now().toString(36)}`;
        const paths: string[] = [];
        const ids: string[] = [];
        if (variant === "webhooks") {
          for (let i = 0; i < options.webhooks; i++) {
            const path = `/${room}/${i}`;
            const made = (await owner(server, `/api/rooms/${room}/webhooks`, { url: `${receiver.url}${path}` })) as { webhook: { id: string } };
            paths.push(path);
            ids.push(made.webhook.id);
          }
        }
        const stages = round === 1 ? coarseStages(options) : fineStages(options, best[variant]);
        const trial = await runner.run(server, "room", round, {
          clients: options.satClients,
          senders: options.satSenders,
          stages,
          room,
          abortLatencyMs: Math.max(300, options.p99LimitMs * 3),
        });
        for (const stage of trial.stages) stage.passed = passes(stage, options.p99LimitMs);
        const top = bestPassing(trial);
        perRound[variant].push(top?.deliveriesPerS ?? null);
        if (top && (!best[variant] || top.deliveriesPerS > best[variant]!.deliveriesPerS)) best[variant] = top;
        trials.push(trial);
        progress(trial);
        if (variant === "webhooks") {
          // A staircase stores events far faster than a webhook's 50 a second: its webhooks are
          // deleted at once, so that their backlog does not run beside the next trials.
          const stored = await storedSeq(server, room);
          for (const id of ids) await ownerDelete(server, `/api/rooms/${room}/webhooks/${id}`);
          delivered.push({ stored, received: paths.map((p) => receiver.ids.get(p)?.size ?? 0), complete: false });
          log(`webhooks round ${round}: ${stored} events stored, received ${delivered.at(-1)!.received.join(", ")} by the trial's end`);
        }
      }
    }
    delivered.push(await deliverAll(runner, server, options, receiver, progress, trials, log));
    const hookPosts = await timeHookPosts(server, options.hookPosts, 0);
    const spacedHookPosts = { ...(await timeHookPosts(server, options.hookPosts, options.hookGapMs)), gapMs: options.hookGapMs };
    const plain = best.plain?.deliveriesPerS ?? null;
    const withWebhooks = best.webhooks?.deliveriesPerS ?? null;
    return {
      summary: {
        webhooks: options.webhooks,
        clients: options.satClients,
        senders: options.satSenders,
        plain: perRound.plain,
        withWebhooks: perRound.webhooks,
        ratio: plain && withWebhooks ? Math.round((withWebhooks / plain) * 1000) / 1000 : null,
        delivered,
        hookPosts,
        spacedHookPosts,
      },
      trials,
    };
  } finally {
    await new Promise((resolve) => receiver.server.close(resolve));
  }
}

/**
 * Every event reaches every webhook: a room with the phase's webhooks takes 20 messages a second
 * for 20 s (below a webhook's 50 a second), and the phase waits, bounded by that pace, until
 * each webhook has every event the room stored.
 */
async function deliverAll(
  runner: TrialRunner,
  server: BenchServer,
  options: BenchOptions,
  receiver: Awaited<ReturnType<typeof startReceiver>>,
  progress: (trial: TrialRecord) => void,
  trials: TrialRecord[],
  log: (line: string) => void,
): Promise<WebhooksSummary["delivered"][number]> {
  const room = `bench-delivered-${Date.now().toString(36)}`;
  const paths: string[] = [];
  for (let i = 0; i < options.webhooks; i++) {
    const path = `/${room}/${i}`;
    await owner(server, `/api/rooms/${room}/webhooks`, { url: `${receiver.url}${path}` });
    paths.push(path);
  }
  const trial = await runner.run(server, "room", 0, {
    clients: options.satClients,
    senders: options.satSenders,
    stages: [{ ratePerSender: 20 / options.satSenders, seconds: 20 }],
    room,
  });
  trials.push(trial);
  progress(trial);
  const stored = await storedSeq(server, room);
  const deadline = Date.now() + 30_000 + stored * DELIVERY_SPACING_MS;
  while (Date.now() < deadline && paths.some((p) => (receiver.ids.get(p)?.size ?? 0) < stored)) await new Promise((r) => setTimeout(r, 250));
  const received = paths.map((p) => receiver.ids.get(p)?.size ?? 0);
  log(`webhooks: ${stored} events stored at 20 messages/s, received ${received.join(", ")}`);
  return { stored, received, complete: true };
}

/** The phase's report lines. */
export function webhooksReport(summary: WebhooksSummary): string[] {
  const fmt = (values: (number | null)[]) => values.map((v) => (v === null ? "–" : String(Math.round(v)))).join(", ");
  return [
    "",
    `webhooks: saturation of a room with ${summary.webhooks} webhooks against one without (${summary.clients} clients, ${summary.senders} senders)`,
    `  best passing deliveries/s per round: without ${fmt(summary.plain)}; with ${fmt(summary.withWebhooks)}; ratio with/without ${summary.ratio ?? "–"}`,
    ...summary.delivered.map((d, i) =>
      d.complete
        ? `  every event delivered: ${d.stored} events stored at 20 messages/s; each webhook received ${d.received.join(", ")}${d.received.every((n) => n >= d.stored) ? " (all)" : " (NOT all)"}`
        : `  round ${i + 1}: ${d.stored} events stored; each webhook received ${d.received.join(", ")} by the trial's end (then deleted)`,
    ),
    `hook posts: ${summary.hookPosts.count} one after another, answered in p50 ${summary.hookPosts.p50 ?? "–"} ms, p99 ${summary.hookPosts.p99 ?? "–"} ms`,
    `hook posts: ${summary.spacedHookPosts.count} each ${summary.spacedHookPosts.gapMs} ms after the last answer, answered in p50 ${summary.spacedHookPosts.p50 ?? "–"} ms, p99 ${summary.spacedHookPosts.p99 ?? "–"} ms`,
  ];
}

/** A receiver on 127.0.0.1 that answers 204 and keeps the distinct webhook-ids per path. */
async function startReceiver(): Promise<{ server: Server; url: string; ids: Map<string, Set<string>> }> {
  const ids = new Map<string, Set<string>>();
  const server = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      const path = request.url ?? "/";
      let seen = ids.get(path);
      if (!seen) ids.set(path, (seen = new Set()));
      seen.add(String(request.headers["webhook-id"]));
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, ids };
}

/** An owner's call with the run's admin key. */
async function owner(server: BenchServer, path: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${server.url}${path}`, { method: "POST", headers: { Authorization: `Bearer ${WEBHOOKS_ADMIN_KEY}` }, body: JSON.stringify(body) });
  if (response.status !== 201) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as Record<string, unknown>;
}

/** An owner's DELETE with the run's admin key. */
async function ownerDelete(server: BenchServer, path: string): Promise<void> {
  const response = await fetch(`${server.url}${path}`, { method: "DELETE", headers: { Authorization: `Bearer ${WEBHOOKS_ADMIN_KEY}` } });
  if (response.status !== 204) throw new Error(`${path}: ${response.status} ${await response.text()}`);
}

async function storedSeq(server: BenchServer, room: string): Promise<number> {
  return ((await (await fetch(`${server.url}/api/rooms/${room}`)).json()) as { seq: number }).seq;
}

/** Times `count` hook posts, each `gapMs` after the previous answer, after 20 unrecorded ones. */
async function timeHookPosts(server: BenchServer, count: number, gapMs: number): Promise<HookPostTimes> {
  const room = `bench-hook-${Date.now().toString(36)}`;
  const { hook } = (await owner(server, `/api/rooms/${room}/hooks`, { name: "bench" })) as { hook: { url: string } };
  const times: number[] = [];
  for (let i = -20; i < count; i++) {
    if (gapMs > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
    const started = performance.now();
    const response = await fetch(`${server.url}${hook.url}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text: `post ${i}` }) });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`hook post: ${response.status}`);
    if (i >= 0) times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => (times.length === 0 ? null : Math.round(times[Math.min(times.length - 1, Math.floor(q * times.length))]! * 10) / 10);
  return { count, p50: at(0.5), p99: at(0.99) };
}
