/**
 * Draws latency against offered load from the saturation staircases as a self-contained SVG: p99
 * (solid) and p50 (dashed) per target and round, log scales on both axes, and the p99 bar.
 */
import type { TrialRecord } from "./records.ts";

const WIDTH = 760;
const HEIGHT = 440;
const MARGIN = { left: 70, right: 170, top: 40, bottom: 56 };
/** The colours of room and baseline in every plot. */
export const COLORS = { room: "#d9480f", baseline: "#1c7ed6" } as const;
const MIN_MS = 1;
const MAX_MS = 10_000;

interface Point {
  x: number;
  p50: number;
  p99: number;
  passed: boolean;
}

/** The SVG text of the plot; `title` names the run (machine, date). */
export function latencyPlot(staircases: TrialRecord[], p99LimitMs: number, title: string): string {
  const series = staircases
    .filter((t) => t.stages.length > 0)
    .map((t) => ({
      target: t.target,
      round: t.round,
      points: t.stages.map(
        (s): Point => ({
          x: s.offeredDeliveriesPerS,
          p50: clamp(s.latency.p50 ?? MAX_MS),
          p99: clamp(s.latency.p99 ?? MAX_MS),
          passed: s.passed ?? false,
        }),
      ),
    }));
  const xs = series.flatMap((s) => s.points.map((p) => p.x)).filter((x) => x > 0);
  const xMin = 10 ** Math.floor(Math.log10(xs.length ? Math.min(...xs) : 100));
  const xMax = 10 ** Math.ceil(Math.log10(xs.length ? Math.max(...xs) * 1.01 : 1000));
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const sx = (x: number) => MARGIN.left + (Math.log10(x / xMin) / Math.log10(xMax / xMin)) * plotW;
  const sy = (ms: number) => MARGIN.top + plotH - (Math.log10(ms / MIN_MS) / Math.log10(MAX_MS / MIN_MS)) * plotH;

  const out = svgFrame({
    width: WIDTH, height: HEIGHT, margin: MARGIN, title,
    xTicks: logTickMarks(xMin, xMax, sx),
    yTicks: logTickMarks(MIN_MS, MAX_MS, sy),
    xLabel: "offered deliveries/s (messages/s × clients)",
    yLabel: "latency, ms (send → receipt)",
  });
  out.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${sy(p99LimitMs)}" y2="${sy(p99LimitMs)}" stroke="#2b8a3e" stroke-dasharray="2 3"/>`);
  out.push(`<text x="${MARGIN.left + 4}" y="${sy(p99LimitMs) - 4}" fill="#2b8a3e">p99 bar ${p99LimitMs} ms</text>`);

  for (const s of series) {
    const color = COLORS[s.target];
    const opacity = s.round === 1 ? 1 : 0.55;
    const path = (key: "p50" | "p99") => s.points.map((p, i) => `${i ? "L" : "M"}${sx(p.x).toFixed(1)} ${sy(p[key]).toFixed(1)}`).join(" ");
    out.push(`<path d="${path("p99")}" fill="none" stroke="${color}" stroke-width="2" stroke-opacity="${opacity}"/>`);
    out.push(`<path d="${path("p50")}" fill="none" stroke="${color}" stroke-width="1.5" stroke-dasharray="5 4" stroke-opacity="${opacity}"/>`);
    for (const p of s.points) {
      // Filled dot: the stage passed; hollow: it did not.
      out.push(`<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p.p99).toFixed(1)}" r="3.5" stroke="${color}" fill="${p.passed ? color : "white"}" fill-opacity="${opacity}"/>`);
    }
  }

  const legendX = MARGIN.left + plotW + 16;
  const legend: [string, string, string][] = [
    [COLORS.room, "", "room p99"],
    [COLORS.room, "5 4", "room p50"],
    [COLORS.baseline, "", "baseline p99"],
    [COLORS.baseline, "5 4", "baseline p50"],
  ];
  legend.forEach(([color, dash, label], i) => {
    const y = MARGIN.top + 12 + i * 20;
    out.push(`<line x1="${legendX}" x2="${legendX + 26}" y1="${y}" y2="${y}" stroke="${color}" stroke-width="2" stroke-dasharray="${dash}"/>`);
    out.push(`<text x="${legendX + 32}" y="${y + 4}">${label}</text>`);
  });
  const noteY = MARGIN.top + 12 + legend.length * 20 + 8;
  out.push(`<text x="${legendX}" y="${noteY}">● passed  ○ failed</text>`);
  out.push(`<text x="${legendX}" y="${noteY + 18}">faint: round 2+</text>`);
  out.push(`</svg>`);
  return out.join("\n") + "\n";
}

/** What a plot's frame shows: its size, title, grid lines with their labels (already placed), and axis names. */
export interface PlotFrame {
  width: number;
  height: number;
  margin: { left: number; right: number; top: number; bottom: number };
  title: string;
  xTicks: { at: number; label: string }[];
  yTicks: { at: number; label: string }[];
  xLabel: string;
  yLabel: string;
}

/** The opening of an SVG plot: background, title, grid, border and axis names; close it with `</svg>`. */
export function svgFrame(frame: PlotFrame): string[] {
  const { width, height, margin } = frame;
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="100%" height="100%" fill="white"/>`);
  out.push(`<text x="${margin.left}" y="22" font-size="14" font-weight="bold">${escapeXml(frame.title)}</text>`);
  for (const { at, label } of frame.xTicks) {
    out.push(`<line x1="${at}" x2="${at}" y1="${margin.top}" y2="${margin.top + plotH}" stroke="#eee"/>`);
    out.push(`<text x="${at}" y="${margin.top + plotH + 16}" text-anchor="middle">${label}</text>`);
  }
  for (const { at, label } of frame.yTicks) {
    out.push(`<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${at}" y2="${at}" stroke="#eee"/>`);
    out.push(`<text x="${margin.left - 6}" y="${at + 4}" text-anchor="end">${label}</text>`);
  }
  out.push(`<rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#888"/>`);
  out.push(`<text x="${margin.left + plotW / 2}" y="${height - 14}" text-anchor="middle">${escapeXml(frame.xLabel)}</text>`);
  out.push(`<text transform="translate(18 ${margin.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(frame.yLabel)}</text>`);
  return out;
}

function clamp(ms: number): number {
  return Math.min(MAX_MS, Math.max(MIN_MS, ms));
}

/** Grid lines at 1, 2, 5 × powers of ten between `min` and `max`, placed by `place`. */
export function logTickMarks(min: number, max: number, place: (value: number) => number): { at: number; label: string }[] {
  return logTicks(min, max).map((value) => ({ at: place(value), label: tickLabel(value) }));
}

/** 1, 2, 5 × powers of ten between `min` and `max`. */
function logTicks(min: number, max: number): number[] {
  const ticks: number[] = [];
  for (let decade = min; decade <= max; decade *= 10) {
    for (const m of [1, 2, 5]) if (decade * m <= max) ticks.push(decade * m);
  }
  return ticks;
}

/** A tick's label: 500, 1k, 20k. */
function tickLabel(value: number): string {
  return value >= 1000 ? `${value / 1000}k` : String(value);
}

/** Text made safe for SVG. */
function escapeXml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}
