/**
 * The big room's joining as a self-contained SVG: for each N and server, the share of clients
 * that had their welcome (the baseline: an open socket) against the time since the first
 * connected, on a log time axis. A room whose every join costs a frame to everyone bends upwards.
 */
import type { BigRoomSummary } from "./big-types.ts";
import { COLORS, logTickMarks, svgFrame } from "./plot.ts";

const WIDTH = 760;
const HEIGHT = 420;
const MARGIN = { left: 60, right: 190, top: 40, bottom: 56 };
/** Dash patterns by the order of N in the run: solid, dashed, dotted. */
const DASHES = ["", "6 4", "2 3"];

/** The SVG text of the plot; `title` names the run. */
export function joinPlot(big: BigRoomSummary, title: string): string {
  const series = big.rows.flatMap((row, n) =>
    [row.room, row.baseline].filter((side) => side.curve.length > 0).map((side) => ({ side, dash: DASHES[n % DASHES.length]! })),
  );
  const times = series.flatMap((s) => s.side.curve).filter((t) => t > 0);
  const xMin = 10 ** Math.floor(Math.log10(times.length ? Math.min(...times) : 10));
  const xMax = 10 ** Math.ceil(Math.log10(times.length ? Math.max(...times) * 1.01 : 1000));
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const sx = (ms: number) => MARGIN.left + (Math.log10(Math.max(ms, xMin) / xMin) / Math.log10(xMax / xMin)) * plotW;
  const sy = (share: number) => MARGIN.top + plotH - share * plotH;

  const out = svgFrame({
    width: WIDTH, height: HEIGHT, margin: MARGIN, title,
    xTicks: logTickMarks(xMin, xMax, sx),
    yTicks: [0, 0.25, 0.5, 0.75, 1].map((share) => ({ at: sy(share), label: `${share * 100}%` })),
    xLabel: "ms since the first client connected",
    yLabel: "clients in (room: welcomed; baseline: open)",
  });
  series.forEach(({ side, dash }, i) => {
    const points = side.curve.map((ms, k) => `${k ? "L" : "M"}${sx(ms).toFixed(1)} ${sy((k + 1) / side.curve.length).toFixed(1)}`).join(" ");
    out.push(`<path d="${points}" fill="none" stroke="${COLORS[side.target]}" stroke-width="2" stroke-dasharray="${dash}"/>`);
    const y = MARGIN.top + 12 + i * 20;
    const legendX = MARGIN.left + plotW + 16;
    out.push(`<line x1="${legendX}" x2="${legendX + 26}" y1="${y}" y2="${y}" stroke="${COLORS[side.target]}" stroke-width="2" stroke-dasharray="${dash}"/>`);
    out.push(`<text x="${legendX + 32}" y="${y + 4}">${side.target} N=${side.clients.toLocaleString("en-US")}</text>`);
  });
  out.push(`</svg>`);
  return out.join("\n") + "\n";
}
