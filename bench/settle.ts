/**
 * Before each trial: wait until the server has worked off the last trial (sockets closing, leave
 * broadcasts, backlog), and, for a while, until the neighbours calm down. This machine is shared:
 * other people's tests can take whole cores, and a trial run in their shadow measures them, not us.
 */
import { coreBusyBetween, coreTimes } from "./cpu.ts";
import { serverCpu, type BenchServer, type Pinning } from "./servers.ts";

/** How the wait went. */
export interface Settled {
  waitedMs: number;
  /** False when other processes still kept the server's or the load's core busy at the end. */
  calm: boolean;
}

const SAMPLE_MS = 250;
/** Server under 10% of a core: its leftovers are done. */
const QUIET_SHARE = 0.1;
/** Others under 25% of a core: calm enough to measure. */
const CALM_SHARE = 0.25;

/**
 * How long a server may take to work off the last trial. A saturation staircase ends with a stage
 * past the knee, whose backlog (the senders' frames already in the socket buffers, at the bench's
 * raised limits) can keep the room busy for a minute: a next trial started before it is done
 * found every client waiting (0 of 100 in after 30 s, seen twice at 06:28 on 2026-12-07).
 */
const QUIET_BOUND_MS = 120_000;

/** Waits for a quiet server (up to QUIET_BOUND_MS) and a calm machine (up to `calmMs` more). */
export async function settle(server: BenchServer, pinning: Pinning, calmMs = 2_000): Promise<Settled> {
  const started = performance.now();
  let before = { server: serverCpu(server), cores: coreTimes() };
  if (!before.server || !before.cores) {
    await sleep(500);
    return { waitedMs: 500, calm: true };
  }
  let quietSince: number | null = null;
  let calmDeadline: number | null = null;
  for (;;) {
    await sleep(SAMPLE_MS);
    const after = { server: serverCpu(server), cores: coreTimes() };
    const now = performance.now();
    const serverShare = after.server && before.server ? (after.server.total - before.server.total) / (SAMPLE_MS / 1000) : 0;
    const others = othersShare(coreBusyBetween(before.cores, after.cores), serverShare, pinning);
    before = after;

    const quiet = serverShare < QUIET_SHARE;
    quietSince = quiet ? (quietSince ?? now) : null;
    if (quietSince === null) {
      if (now - started > QUIET_BOUND_MS) return { waitedMs: Math.round(now - started), calm: false };
      continue;
    }
    calmDeadline ??= now + calmMs;
    const calm = others < CALM_SHARE;
    // Two quiet samples in a row, and the neighbours calm (or no more time to wait for them).
    if (now - quietSince >= SAMPLE_MS && (calm || now > calmDeadline)) return { waitedMs: Math.round(now - started), calm };
  }
}

/**
 * CPU share other processes took on the busier of the server's and the load's cores. Both are
 * pinned, so a core's busy share minus ours is theirs; unpinned, the whole machine counts.
 */
export function othersShare(cores: number[] | null, serverShare: number, pinning: Pinning, loadShare = 0): number {
  if (!cores) return 0;
  const serverCore = single(pinning.serverCpus);
  const loadCore = single(pinning.loadCpus);
  if (serverCore === null || loadCore === null) {
    const busy = cores.reduce((a, c) => a + c, 0);
    return Math.max(0, (busy - serverShare - loadShare) / Math.max(1, cores.length));
  }
  return Math.max((cores[serverCore] ?? 0) - serverShare, (cores[loadCore] ?? 0) - loadShare, 0);
}

function single(cpus?: string): number | null {
  return cpus !== undefined && /^\d+$/.test(cpus) ? Number(cpus) : null;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
