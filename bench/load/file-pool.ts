/**
 * Files for a trial whose messages carry them (protocol v3): before sending, each sender uploads
 * its pool of small PNGs through `POST /api/rooms/:room/files` with its own token, a few at a time,
 * so that each of its messages can attach a file of its own (a file attaches to one message only).
 */

/** A 1×1 PNG header and some bytes: the room reads the signature and the size, nothing more. */
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89, ...new Array<number>(64).fill(0)]);

/** Uploads at once, across all senders. */
const CONCURRENCY = 16;

/** Uploads `perSender` files for each token; returns each sender's file ids. */
export async function uploadPools(files: { perSender: number; httpBase: string }, room: string, tokens: readonly string[]): Promise<string[][]> {
  const pools = tokens.map(() => [] as string[]);
  const jobs = tokens.flatMap((token, sender) => Array.from({ length: files.perSender }, () => ({ token, sender })));
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const job = jobs[next++]!;
      const response = await fetch(`${files.httpBase}/api/rooms/${room}/files`, {
        method: "POST",
        headers: { Authorization: `Bearer ${job.token}`, "Content-Type": "image/png" },
        body: PNG,
      });
      if (response.status !== 201) throw new Error(`upload for the bench answered ${response.status}: ${(await response.text()).slice(0, 200)}`);
      pools[job.sender]!.push(((await response.json()) as { file: { id: string } }).file.id);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return pools;
}
