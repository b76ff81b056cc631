import type { ChartSeries } from "./report-model.js";

/** Colour-blind-safe palette (Okabe & Ito). */
const PALETTE = ["#000000", "#E69F00", "#56B4E9", "#009E73", "#D55E00", "#0072B2", "#CC79A7", "#F0E442"];

const WIDTH = 640;
const HEIGHT = 360;
const MARGIN = { left: 64, right: 150, top: 16, bottom: 48 };

export function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function fmt(v: number): string {
  return Number.isInteger(v)
    ? String(v)
    : Math.abs(v) >= 100
      ? v.toFixed(0)
      : Math.abs(v) >= 1
        ? v.toFixed(2).replace(/0+$/, "").replace(/\.$/, "")
        : v.toPrecision(2);
}

/** About `count` round tick values covering [min, max]. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

interface Frame {
  x: (v: number) => number;
  y: (v: number) => number;
  yTicks: number[];
}

function yDomain(values: number[]): [number, number] {
  const max = Math.max(...values);
  const min = Math.min(0, ...values);
  return [min, max > min ? max * 1.05 : min + 1];
}

function axes(frame: Frame, xTicks: Array<{ at: number; label: string }>, xLabel: string, yLabel: string): string {
  const bottom = HEIGHT - MARGIN.bottom;
  const parts = [
    `<line class="axis" x1="${MARGIN.left}" y1="${bottom}" x2="${WIDTH - MARGIN.right}" y2="${bottom}" stroke="#444"/>`,
    `<line class="axis" x1="${MARGIN.left}" y1="${MARGIN.top}" x2="${MARGIN.left}" y2="${bottom}" stroke="#444"/>`,
  ];
  for (const t of frame.yTicks) {
    const y = frame.y(t).toFixed(1);
    parts.push(`<line x1="${MARGIN.left - 4}" y1="${y}" x2="${WIDTH - MARGIN.right}" y2="${y}" stroke="#ddd"/>`);
    parts.push(
      `<text x="${MARGIN.left - 8}" y="${y}" text-anchor="end" dominant-baseline="middle" font-size="11">${fmt(t)}</text>`,
    );
  }
  for (const t of xTicks) {
    parts.push(
      `<text x="${t.at.toFixed(1)}" y="${bottom + 16}" text-anchor="middle" font-size="11">${escapeXml(t.label)}</text>`,
    );
  }
  parts.push(
    `<text x="${(MARGIN.left + WIDTH - MARGIN.right) / 2}" y="${HEIGHT - 10}" text-anchor="middle" font-size="12">${escapeXml(xLabel)}</text>`,
  );
  parts.push(
    `<text transform="translate(16 ${(MARGIN.top + bottom) / 2}) rotate(-90)" text-anchor="middle" font-size="12">${escapeXml(yLabel)}</text>`,
  );
  return parts.join("");
}

function legend(labels: string[]): string {
  return labels
    .map((label, i) => {
      const y = MARGIN.top + 8 + i * 18;
      const x = WIDTH - MARGIN.right + 14;
      return `<rect x="${x}" y="${y - 6}" width="12" height="12" fill="${PALETTE[i % PALETTE.length]}"/><text x="${x + 18}" y="${y}" dominant-baseline="middle" font-size="12">${escapeXml(label)}</text>`;
    })
    .join("");
}

function svgOpen(id: string, kind: string, title: string, marks: number): string {
  return (
    `<svg id="${escapeXml(id)}" data-chart="${escapeXml(kind)}" data-marks="${marks}" role="img" aria-labelledby="${escapeXml(id)}-title" ` +
    `xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}">` +
    `<title id="${escapeXml(id)}-title">${escapeXml(title)}</title>`
  );
}

function noData(): string {
  return `<text x="${WIDTH / 2}" y="${HEIGHT / 2}" text-anchor="middle" font-size="14">no data</text>`;
}

/** Powers of ten (with 2× and 5× steps when [min, max] spans under 2.5 decades) covering [min, max]; both > 0. */
export function logTicks(min: number, max: number): number[] {
  const from = Math.floor(Math.log10(min));
  const to = Math.ceil(Math.log10(max));
  const steps = Math.log10(max / min) < 2.5 ? [1, 2, 5] : [1];
  const ticks: number[] = [];
  for (let e = from; e <= to; e++)
    for (const m of steps) {
      const v = Number((m * 10 ** e).toPrecision(12));
      if (v >= min / 1.0001 && v <= max * 1.0001) ticks.push(v);
    }
  return ticks.length > 0 ? ticks : [min];
}

/**
 * A line chart: one polyline and one circle (class "mark") per point and series; x linear or
 * log2 (ticks at the data's x values), or both axes log10 (`logLog`; values must be > 0).
 * Points with non-finite values must be left out by the caller.
 */
export function lineChart(spec: {
  id: string;
  kind: string;
  title: string;
  xLabel: string;
  yLabel: string;
  xLog2: boolean;
  logLog?: boolean;
  series: ChartSeries[];
}): string {
  const points = spec.series.flatMap((s) => s.points);
  if (points.length === 0) return `${svgOpen(spec.id, spec.kind, spec.title, 0)}${noData()}</svg>`;
  const logLog = spec.logLog === true;
  const tx = (v: number): number => (logLog ? Math.log10(v) : spec.xLog2 ? Math.log2(v) : v);
  const ty = (v: number): number => (logLog ? Math.log10(v) : v);
  const xs = points.map((p) => tx(p.x));
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  if (x0 === x1) [x0, x1] = [x0 - 1, x1 + 1];
  const ys = points.map((p) => p.y);
  const [yMin, yMax] = logLog ? [Math.min(...ys) / 1.5, Math.max(...ys) * 1.5] : yDomain(ys);
  const [y0, y1] = [ty(yMin), ty(yMax)];
  const frame: Frame = {
    x: (v) => MARGIN.left + 12 + ((tx(v) - x0) / (x1 - x0)) * (WIDTH - MARGIN.left - MARGIN.right - 24),
    y: (v) => HEIGHT - MARGIN.bottom - ((ty(v) - y0) / (y1 - y0)) * (HEIGHT - MARGIN.top - MARGIN.bottom),
    yTicks: logLog ? logTicks(yMin, yMax) : niceTicks(y0, y1),
  };
  const xValues = [...new Set(points.map((p) => p.x))].sort((a, b) => a - b);
  const xTicks =
    logLog || spec.xLog2 || xValues.length <= 12 ? xValues : niceTicks(xValues[0], xValues[xValues.length - 1], 8);
  const parts = [
    svgOpen(spec.id, spec.kind, spec.title, points.length),
    axes(
      frame,
      xTicks.map((v) => ({ at: frame.x(v), label: fmt(v) })),
      spec.xLabel,
      spec.yLabel,
    ),
  ];
  spec.series.forEach((series, i) => {
    const colour = PALETTE[i % PALETTE.length];
    const sorted = [...series.points].sort((a, b) => a.x - b.x);
    if (sorted.length > 1) {
      parts.push(
        `<polyline class="line" fill="none" stroke="${colour}" stroke-width="2" points="${sorted.map((p) => `${frame.x(p.x).toFixed(1)},${frame.y(p.y).toFixed(1)}`).join(" ")}"/>`,
      );
    }
    for (const p of sorted) {
      parts.push(
        `<circle class="mark" data-series="${escapeXml(series.label)}" cx="${frame.x(p.x).toFixed(1)}" cy="${frame.y(p.y).toFixed(1)}" r="3.5" fill="${colour}">` +
          `<title>${escapeXml(`${series.label}: ${spec.xLabel} ${fmt(p.x)} → ${p.y.toFixed(4)}`)}</title></circle>`,
      );
    }
  });
  parts.push(legend(spec.series.map((s) => s.label)), "</svg>");
  return parts.join("");
}

/** A grouped bar chart: one rect (class "mark") per category and series with a finite value. */
export function barChart(spec: {
  id: string;
  kind: string;
  title: string;
  yLabel: string;
  categories: string[];
  series: Array<{ label: string; values: number[] }>;
}): string {
  const values = spec.series.flatMap((s) => s.values.filter((v) => Number.isFinite(v)));
  if (values.length === 0) return `${svgOpen(spec.id, spec.kind, spec.title, 0)}${noData()}</svg>`;
  const [y0, y1] = yDomain(values);
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const groupWidth = plotWidth / spec.categories.length;
  const barWidth = (groupWidth * 0.8) / spec.series.length;
  const frame: Frame = {
    x: (c) => MARGIN.left + (c + 0.5) * groupWidth,
    y: (v) => HEIGHT - MARGIN.bottom - ((v - y0) / (y1 - y0)) * (HEIGHT - MARGIN.top - MARGIN.bottom),
    yTicks: niceTicks(y0, y1),
  };
  const parts = [
    svgOpen(spec.id, spec.kind, spec.title, values.length),
    axes(
      frame,
      spec.categories.map((label, c) => ({ at: frame.x(c), label })),
      "users by number of training interactions",
      spec.yLabel,
    ),
  ];
  spec.series.forEach((series, s) => {
    series.values.forEach((v, c) => {
      if (!Number.isFinite(v)) return;
      const x = MARGIN.left + c * groupWidth + groupWidth * 0.1 + s * barWidth;
      const top = frame.y(Math.max(v, 0));
      const height = Math.max(Math.abs(frame.y(v) - frame.y(0)), 1);
      parts.push(
        `<rect class="mark" data-series="${escapeXml(series.label)}" x="${x.toFixed(1)}" y="${top.toFixed(1)}" width="${Math.max(barWidth - 1, 1).toFixed(1)}" height="${height.toFixed(1)}" fill="${PALETTE[s % PALETTE.length]}">` +
          `<title>${escapeXml(`${series.label}, ${spec.categories[c]}: ${v.toFixed(4)}`)}</title></rect>`,
      );
    });
  });
  parts.push(legend(spec.series.map((s) => s.label)), "</svg>");
  return parts.join("");
}
