/** Rows as JSON parameters (src/server/storage/json-rows.ts): split by size, never a row lost or reordered. */
import { describe, expect, it } from "vitest";
import { jsonChunks } from "../../src/server/storage/json-rows.ts";

describe("jsonChunks", () => {
  it("keeps small rows in one parameter", () => {
    expect(jsonChunks([[1, "a"], [2, "b"]])).toEqual(['[[1,"a"],[2,"b"]]']);
    expect(jsonChunks([])).toEqual([]);
  });

  it("splits rows so that no parameter passes the byte limit, in order, a row too large for one alone", () => {
    const rows = Array.from({ length: 50 }, (_, i) => [i, "😀".repeat(i * 10)]);
    const limit = 2_000;
    const chunks = jsonChunks(rows, limit);
    expect(chunks.length).toBeGreaterThan(5);
    expect(chunks.flatMap((c) => JSON.parse(c) as unknown[])).toEqual(rows);
    for (const chunk of chunks) {
      const parsed = JSON.parse(chunk) as unknown[];
      if (parsed.length > 1) expect(new TextEncoder().encode(chunk).length).toBeLessThanOrEqual(limit);
    }
    expect(jsonChunks([[1, "x".repeat(5_000)], [2, "y"]], limit).map((c) => (JSON.parse(c) as unknown[]).length)).toEqual([1, 1]);
  });
});
