/**
 * CPU accounting from Linux's /proc: the CPU time of a dev server's whole process group (wrangler's
 * Node process, the proxy workerd on the public port, the workerd running the Worker), and how busy
 * each core was. Elsewhere these return null and the report says "n/a".
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { groupMembers, roleOf, type Role } from "./proc.ts";

export type { Role } from "./proc.ts";

/** CPU seconds of one process group, split by what each process is. */
export interface GroupCpu {
  total: number;
  byRole: Record<Role, number>;
}

/** Busy and total jiffies of each core since boot. */
export type CoreTimes = { busy: number; total: number }[];

const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

const HAS_PROC = (() => {
  try {
    readFileSync("/proc/stat");
    return true;
  } catch {
    return false;
  }
})();

/** True when per-process and per-core CPU figures can be read here. */
export function cpuAccountingAvailable(): boolean {
  return HAS_PROC;
}

/** CPU time used so far by every live process in group `pgid`; `port` tells the proxy workerd apart. */
export function groupCpu(pgid: number, port: number): GroupCpu | null {
  if (!HAS_PROC) return null;
  const usage: GroupCpu = { total: 0, byRole: { proxy: 0, runtime: 0, wrangler: 0 } };
  for (const member of groupMembers(pgid)) {
    const seconds = (Number(member.fields[11]) + Number(member.fields[12])) / TICKS_PER_SECOND;
    usage.total += seconds;
    usage.byRole[roleOf(member, port)] += seconds;
  }
  return usage;
}

/** Per-core busy/total jiffies from /proc/stat. */
export function coreTimes(): CoreTimes | null {
  if (!HAS_PROC) return null;
  const cores: CoreTimes = [];
  for (const line of readFileSync("/proc/stat", "utf8").split("\n")) {
    const match = /^cpu(\d+)\s+(.*)$/.exec(line);
    if (!match) continue;
    const [user, nice, system, idle, iowait, irq, softirq, steal] = match[2]!.split(/\s+/).map(Number);
    const idleAll = (idle ?? 0) + (iowait ?? 0);
    const busy = (user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0);
    cores[Number(match[1])] = { busy, total: busy + idleAll };
  }
  return cores;
}

/** Share of each core that was busy between two samples (0–1). */
export function coreBusyBetween(before: CoreTimes | null, after: CoreTimes | null): number[] | null {
  if (!before || !after) return null;
  return after.map((core, i) => {
    const total = core.total - (before[i]?.total ?? 0);
    return total > 0 ? (core.busy - (before[i]?.busy ?? 0)) / total : 0;
  });
}
