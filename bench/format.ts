/** How the bench's text reports write numbers and tables. */

/** A number with exactly `digits` decimals and thousands separators, or "n/a". */
export function num(value: number | null | undefined, digits: number): string {
  return value == null ? "n/a" : value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** A share of one core (or any 0–1 share) as a whole percentage, or "n/a". */
export function pct(share: number | null | undefined): string {
  return share == null ? "n/a" : `${Math.round(share * 100)}%`;
}

/** Right-aligns every column but the second (the server's name). */
export function align(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) => r.map((cell, i) => (i === 1 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  "));
}
