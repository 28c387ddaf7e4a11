/** Memory of the dev server: the resident size of every process in its process group (Linux /proc). */
import { readdirSync, readFileSync } from "node:fs";

const PAGE_BYTES = 4096;

/** Resident memory in MiB of all processes whose process group is `pgid`; null where /proc is unreadable. */
export function groupRssMiB(pgid: number): number | null {
  let pages = 0;
  let found = false;
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return null;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // the process ended meanwhile
    }
    // Fields after the command name (which may hold spaces and parentheses): state ppid pgrp ... rss is the 22nd.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[2]) !== pgid) continue;
    found = true;
    pages += Number(fields[21]);
  }
  return found ? Math.round((pages * PAGE_BYTES) / 2 ** 20) : null;
}
