/**
 * CPU accounting from Linux's /proc: the CPU time of a dev server's whole process group (wrangler's
 * Node process, the proxy workerd on the public port, the workerd running the Worker), and how busy
 * each core was. Elsewhere these return null and the report says "n/a".
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/** `proxy`: the workerd wrangler puts on the public port; `runtime`: the workerd running the Worker; `wrangler`: the rest. */
export type Role = "proxy" | "runtime" | "wrangler";

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
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(entry);
    if (!stat || Number(stat.fields[2]) !== pgid) continue;
    const seconds = (Number(stat.fields[11]) + Number(stat.fields[12])) / TICKS_PER_SECOND;
    usage.total += seconds;
    usage.byRole[roleOf(entry, stat.name, port)] += seconds;
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

/** /proc/PID/stat: the command name, and the fields after it ([2] pgrp, [11] utime, [12] stime). */
function readStat(pid: string): { name: string; fields: string[] } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The name is in parentheses and may hold spaces, so fields are counted from after it.
    const close = stat.lastIndexOf(")");
    return { name: stat.slice(stat.indexOf("(") + 1, close), fields: stat.slice(close + 2).split(" ") };
  } catch {
    return null; // the process ended while we looked
  }
}

/** Roles by pid, read once per process (a pid is not reused within one bench run in practice). */
const roles = new Map<string, Role>();

function roleOf(pid: string, name: string, port: number): Role {
  const known = roles.get(pid);
  if (known) return known;
  let role: Role = "wrangler";
  if (name === "workerd") {
    let cmdline = "";
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    } catch {
      // gone
    }
    role = cmdline.includes(`entry=127.0.0.1:${port}`) ? "proxy" : "runtime";
  }
  roles.set(pid, role);
  return role;
}
