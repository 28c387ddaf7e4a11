/**
 * The processes of a dev server, read from Linux's /proc: every member of its process group
 * (wrangler's Node processes, the proxy workerd on the public port, the workerd running the
 * Worker and its Durable Objects), what each one is, and how much memory it holds. Elsewhere the
 * readers return nothing and the reports say "n/a".
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

/** `proxy`: the workerd wrangler puts on the public port; `runtime`: the workerd running the Worker; `wrangler`: the rest. */
export type Role = "proxy" | "runtime" | "wrangler";

/** One process of a group: its pid, command name, and the fields of /proc/PID/stat after the name. */
export interface Member {
  pid: string;
  name: string;
  /** [2] pgrp, [11] utime, [12] stime, [21] rss in pages. */
  fields: string[];
}

const PAGE_BYTES = 4096;

/** Every live process whose process group is `pgid` (none where /proc is unreadable). */
export function groupMembers(pgid: number): Member[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  const members: Member[] = [];
  for (const pid of entries) {
    if (!/^\d+$/.test(pid)) continue;
    const stat = readStat(pid);
    if (stat && Number(stat.fields[2]) === pgid) members.push({ pid, ...stat });
  }
  return members;
}

/** Roles by pid, read once per process (a pid is not reused within one run in practice). */
const roles = new Map<string, Role>();

/** What a member of the dev server on `port` is: the proxy workerd is the one serving that port. */
export function roleOf(member: Member, port: number): Role {
  const known = roles.get(member.pid);
  if (known) return known;
  let role: Role = "wrangler";
  if (member.name === "workerd") {
    let cmdline = "";
    try {
      cmdline = readFileSync(`/proc/${member.pid}/cmdline`, "utf8");
    } catch {
      // gone
    }
    role = cmdline.includes(`entry=127.0.0.1:${port}`) ? "proxy" : "runtime";
  }
  roles.set(member.pid, role);
  return role;
}

/** Resident memory in MiB of the whole group `pgid`; null where /proc is unreadable or the group is gone. */
export function groupRssMiB(pgid: number): number | null {
  return rssMiB(groupMembers(pgid));
}

/** Resident memory in MiB of the group's processes of one role (the room's memory: `runtime`). */
export function roleRssMiB(pgid: number, port: number, role: Role): number | null {
  return rssMiB(groupMembers(pgid).filter((member) => roleOf(member, port) === role));
}

/** The soft limit of open files of process `pid` (its sockets count), or null where /proc does not say. */
export function openFileLimit(pid: number): number | null {
  try {
    const match = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync(`/proc/${pid}/limits`, "utf8"));
    if (!match) return null;
    return match[1] === "unlimited" ? Infinity : Number(match[1]);
  } catch {
    return null;
  }
}

/** TCP ports process `pid` listens on (its own sockets in /proc/PID/net/tcp); empty where /proc does not say. */
export function listeningPorts(pid: string): number[] {
  const inodes = new Set<string>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      const link = /^socket:\[(\d+)\]$/.exec(safeReadlink(`/proc/${pid}/fd/${fd}`));
      if (link) inodes.add(link[1]!);
    }
    const ports: number[] = [];
    for (const line of readFileSync(`/proc/${pid}/net/tcp`, "utf8").split("\n").slice(1)) {
      // local address (hex ip:port), remote, state (0A: listening), …, inode in the tenth field
      const fields = line.trim().split(/\s+/);
      if (fields[3] === "0A" && inodes.has(fields[9] ?? "")) ports.push(parseInt(fields[1]!.split(":")[1]!, 16));
    }
    return ports;
  } catch {
    return [];
  }
}

function safeReadlink(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return ""; // closed meanwhile
  }
}

/**
 * Raises process `pid`'s limit of open files (soft and hard) to `limit` with `prlimit`; false
 * when that is not allowed (above the hard limit it takes root) or not possible here.
 */
export function raiseFileLimit(pid: string, limit: number): boolean {
  return spawnSync("prlimit", ["--pid", pid, `--nofile=${limit}:${limit}`], { stdio: "ignore" }).status === 0;
}

function rssMiB(members: Member[]): number | null {
  if (members.length === 0) return null;
  const pages = members.reduce((sum, member) => sum + Number(member.fields[21]), 0);
  return Math.round((pages * PAGE_BYTES) / 2 ** 20);
}

/** /proc/PID/stat: the command name, and the fields after it. */
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
