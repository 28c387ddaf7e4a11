/**
 * The client's storage in a folder of small files, so that a restarted bot is the same user and
 * still sends what it had not delivered. One file per key; each write replaces its file whole.
 */
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { OutboxStorage } from "@edge-chat/client";

/** Keeps the client's token and outbox in `folder` (made if missing). */
export function fileStorage(folder: string): OutboxStorage {
  const path = (key: string) => join(folder, encodeURIComponent(key));
  return {
    getItem: (key) => readFile(path(key), "utf8").catch(() => null),
    async setItem(key, value) {
      await mkdir(folder, { recursive: true });
      const temporary = `${path(key)}.${process.pid}.tmp`;
      await writeFile(temporary, value);
      await rename(temporary, path(key));
    },
    removeItem: (key) => rm(path(key), { force: true }),
  };
}
