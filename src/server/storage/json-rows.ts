/**
 * Rows passed to SQLite as JSON parameters (`json_each(?)`): one statement writes many rows, since
 * each statement costs the runtime far more than each row. A string parameter has a limit (2 MB
 * deployed, 8 MiB under the local runtime), so the rows are split into parameters of at most
 * `MAX_PARAMETER_BYTES`: a burst of long texts then takes a few statements instead of failing the
 * whole commit (issue 19, item 8; test/storage-bounds.test.ts "one commit").
 */

/** UTF-8 bytes one JSON parameter may take: half the deployed limit. */
export const MAX_PARAMETER_BYTES = 1_000_000;

/**
 * The rows as JSON arrays of at most `maxBytes` UTF-8 bytes each (a row larger than that alone).
 * Sizes are bounded by 3 bytes per UTF-16 unit, which never undercounts, so no string is encoded
 * twice just to be measured.
 */
export function jsonChunks(rows: readonly unknown[], maxBytes = MAX_PARAMETER_BYTES): string[] {
  const chunks: string[] = [];
  let parts: string[] = [];
  let bytes = 2;
  for (const row of rows) {
    const json = JSON.stringify(row);
    const size = json.length * 3 + 1;
    if (parts.length > 0 && bytes + size > maxBytes) {
      chunks.push(`[${parts.join(",")}]`);
      parts = [];
      bytes = 2;
    }
    parts.push(json);
    bytes += size;
  }
  if (parts.length > 0) chunks.push(`[${parts.join(",")}]`);
  return chunks;
}
