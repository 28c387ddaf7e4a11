/**
 * The signed phase (`npm run bench -- --phases signed`): what signed identity costs a join. One
 * server, started with AUTH_SECRET and an AUTH_JWKS_URL that this process serves on 127.0.0.1;
 * N clients (1,000) join a fresh room with anonymous tokens, with HS256 tokens, and with ES256
 * tokens of the key set, in an order that rotates over R rounds (3). It reports, per kind, the
 * median time until every client had its welcome and the server's CPU per join, and each signed
 * kind over anonymous, against the targets of issue 20: joining within 1.1× the anonymous time,
 * and under 1 ms more server CPU per hello. A fresh room is a fresh object, so each ES256 trial
 * fetches the key set once, on its first hello, and verifies the other N − 1 against the cache.
 * Tokens are signed before a trial starts, so the load process's signing is not in the figures.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { SignJWT, exportJWK, generateKeyPair } from "jose";
import type { BenchOptions } from "./options.ts";
import type { TrialRecord } from "./records.ts";
import type { BenchServer } from "./servers.ts";
import { median, ratio } from "./stats.ts";
import type { TrialRunner } from "./trial-runner.ts";

/** The HS256 key of the phase's server (a local dev server of this run only). */
export const SIGNED_SECRET = "bench-signed-phase-hs256-key-of-this-run-only";

/** How the clients of a trial identify themselves. */
export type SignedKind = "anonymous" | "hs256" | "es256";
const KINDS: readonly SignedKind[] = ["anonymous", "hs256", "es256"];

/** The targets: joining takes at most this many times the anonymous time, and this much more CPU per hello. */
export const JOIN_RATIO_TARGET = 1.1;
export const EXTRA_US_TARGET = 1_000;

/** The test identity provider of the phase: an ES256 key whose public set it serves. */
export interface BenchIssuer {
  jwksUrl: string;
  /** A token for `sub`, an hour long. */
  sign(kind: Exclude<SignedKind, "anonymous">, sub: string): Promise<string>;
  stop(): Promise<void>;
}

/** One kind's figures: medians over the rounds. */
export interface SignedSide {
  kind: SignedKind;
  welcomedMs: number | null;
  serverUsPerJoin: number | null;
  rounds: { welcomedMs: number | null; serverUsPerJoin: number | null; error?: string }[];
}

/** The whole phase. */
export interface SignedSummary {
  clients: number;
  rounds: number;
  connectWindow: number;
  sides: SignedSide[];
  /** Each signed kind over anonymous: join time ratio, and extra server CPU per hello (µs). */
  costs: { kind: SignedKind; joinRatio: number | null; extraUsPerHello: number | null; joinOk: boolean | null; cpuOk: boolean | null }[];
}

/** Starts the phase's identity provider: a key set endpoint on 127.0.0.1. */
export async function startIssuer(): Promise<BenchIssuer> {
  const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
  const kid = "bench-es256";
  const set = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid, alg: "ES256", use: "sig" }] });
  const server = createServer((request, response) => {
    if (request.url !== "/jwks") return void response.writeHead(404).end();
    response.writeHead(200, { "Content-Type": "application/json" }).end(set);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const secret = new TextEncoder().encode(SIGNED_SECRET);
  return {
    jwksUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`,
    sign(kind, sub) {
      const token = new SignJWT({ sub, name: sub }).setIssuedAt().setExpirationTime("1h");
      return kind === "hs256" ? token.setProtectedHeader({ alg: "HS256" }).sign(secret) : token.setProtectedHeader({ alg: "ES256", kid }).sign(privateKey);
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Runs the phase on `server` (started with SIGNED_SECRET and the issuer's key set URL). */
export async function runSigned(
  runner: TrialRunner,
  server: BenchServer,
  issuer: BenchIssuer,
  options: BenchOptions,
  progress: (trial: TrialRecord) => void,
): Promise<{ summary: SignedSummary; trials: TrialRecord[] }> {
  const clients = options.signedClients;
  const trials: TrialRecord[] = [];
  const byKind = new Map<SignedKind, SignedSide["rounds"]>(KINDS.map((kind) => [kind, []]));
  for (let round = 1; round <= options.signedRounds; round++) {
    // Each kind goes first in one round: a trial right after another pays for its cleanup.
    const order = KINDS.map((_, k) => KINDS[(k + round - 1) % KINDS.length]!);
    for (const kind of order) {
      const auths = kind === "anonymous" ? undefined : await Promise.all(Array.from({ length: clients }, (_, i) => issuer.sign(kind, `bench-${kind}-${round}-${i}`)));
      const trial = await runner.run(server, "room", round, {
        clients,
        senders: Math.min(5, clients),
        stages: [{ ratePerSender: 1, seconds: options.smoke ? 1 : 2 }],
        presence: false,
        connectWindow: options.bigWindow,
        connectDeadlineMs: 15_000 + clients * 25,
        ...(auths ? { auths } : {}),
      });
      trials.push(trial);
      progress(trial);
      const measured: SignedSide["rounds"][number] = { welcomedMs: trial.connect?.welcomedMs ?? null, serverUsPerJoin: trial.connectServerUsPerClient ?? null };
      if (trial.error) measured.error = trial.error;
      byKind.get(kind)!.push(measured);
    }
  }
  const sides = KINDS.map((kind): SignedSide => {
    const rounds = byKind.get(kind)!;
    return { kind, welcomedMs: medianOf(rounds.map((r) => r.welcomedMs)), serverUsPerJoin: medianOf(rounds.map((r) => r.serverUsPerJoin)), rounds };
  });
  const anonymous = sides[0]!;
  const costs = sides.slice(1).map((side) => {
    const joinRatio = ratio(side.welcomedMs, anonymous.welcomedMs);
    const extraUsPerHello = side.serverUsPerJoin !== null && anonymous.serverUsPerJoin !== null ? side.serverUsPerJoin - anonymous.serverUsPerJoin : null;
    return {
      kind: side.kind,
      joinRatio,
      extraUsPerHello,
      joinOk: joinRatio === null ? null : joinRatio <= JOIN_RATIO_TARGET,
      cpuOk: extraUsPerHello === null ? null : extraUsPerHello < EXTRA_US_TARGET,
    };
  });
  return { summary: { clients, rounds: options.signedRounds, connectWindow: options.bigWindow, sides, costs }, trials };
}

/** The phase's lines of the report. */
export function signedReport(summary: SignedSummary): string[] {
  const lines = [`Signed identity: ${summary.clients} clients join a fresh room, ${summary.connectWindow} at once, median of ${summary.rounds} rounds`];
  for (const side of summary.sides) {
    lines.push(`  ${side.kind.padEnd(9)} all welcomed in ${side.welcomedMs ?? "–"} ms, server CPU ${side.serverUsPerJoin ?? "–"} µs per join`);
  }
  for (const cost of summary.costs) {
    const verdict = (ok: boolean | null) => (ok === null ? "not measured" : ok ? "ok" : "MISSED");
    lines.push(
      `  ${cost.kind} over anonymous: join time ×${cost.joinRatio ?? "–"} (target ≤ ${JOIN_RATIO_TARGET}: ${verdict(cost.joinOk)}), ` +
        `${cost.extraUsPerHello ?? "–"} µs more server CPU per hello (target < ${EXTRA_US_TARGET}: ${verdict(cost.cpuOk)})`,
    );
  }
  return lines;
}

function medianOf(values: (number | null)[]): number | null {
  const present = values.filter((v): v is number => v !== null);
  return present.length ? median(present) : null;
}
