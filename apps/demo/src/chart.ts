/** One line of a chart: its points (x, y) and its colour. */
export interface Series {
  points: readonly (readonly [number, number])[];
  color: string;
  name: string;
}

const WIDTH = 460;
const HEIGHT = 260;
const LEFT = 52;
const RIGHT = 12;
const TOP = 10;
const BOTTOM = 30;

function niceTicks(min: number, max: number, count: number): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const step = 10 ** Math.floor(Math.log10(raw));
  const nice = [1, 2, 5, 10].map((m) => m * step).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / nice) * nice; v <= max + nice * 1e-9; v += nice) ticks.push(Number(v.toPrecision(6)));
  return ticks;
}

/** Redraws `svg` as a line chart of `series` (epochs on x), with axes and tick labels. */
export function drawLineChart(svg: SVGSVGElement, series: readonly Series[]): void {
  const all = series.flatMap((s) => s.points);
  const ns = "http://www.w3.org/2000/svg";
  svg.replaceChildren();
  if (all.length === 0) return;
  const xMax = Math.max(2, ...all.map(([x]) => x));
  let yMin = Math.min(...all.map(([, y]) => y));
  let yMax = Math.max(...all.map(([, y]) => y));
  if (yMax - yMin < 1e-9) {
    yMin -= 0.5;
    yMax += 0.5;
  }
  const pad = (yMax - yMin) * 0.05;
  yMin -= pad;
  yMax += pad;
  const x = (v: number) => LEFT + ((v - 1) / (xMax - 1)) * (WIDTH - LEFT - RIGHT);
  const y = (v: number) => TOP + (1 - (v - yMin) / (yMax - yMin)) * (HEIGHT - TOP - BOTTOM);
  const add = (name: string, attributes: Record<string, string | number>, text?: string) => {
    const element = document.createElementNS(ns, name);
    for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
    if (text !== undefined) element.textContent = text;
    svg.appendChild(element);
    return element;
  };
  for (const tick of niceTicks(yMin, yMax, 5)) {
    add("line", { x1: LEFT, x2: WIDTH - RIGHT, y1: y(tick), y2: y(tick), stroke: "#e2e6ec" });
    add("text", { x: LEFT - 6, y: y(tick) + 4, "text-anchor": "end" }, String(tick));
  }
  for (const tick of niceTicks(1, xMax, 6).filter((t) => Number.isInteger(t)))
    add("text", { x: x(tick), y: HEIGHT - 12, "text-anchor": "middle" }, String(tick));
  add("text", { x: WIDTH - RIGHT, y: HEIGHT - 1, "text-anchor": "end" }, "epoch");
  add("line", { x1: LEFT, x2: LEFT, y1: TOP, y2: HEIGHT - BOTTOM, stroke: "#8a94a6" });
  add("line", { x1: LEFT, x2: WIDTH - RIGHT, y1: HEIGHT - BOTTOM, y2: HEIGHT - BOTTOM, stroke: "#8a94a6" });
  for (const s of series) {
    if (s.points.length === 0) continue;
    const d = s.points.map(([px, py], i) => `${i === 0 ? "M" : "L"}${x(px).toFixed(1)},${y(py).toFixed(1)}`).join("");
    add("path", {
      d,
      fill: "none",
      stroke: s.color,
      "stroke-width": 2,
      "data-series": s.name,
      "data-points": s.points.length,
    });
    for (const [px, py] of s.points) add("circle", { cx: x(px), cy: y(py), r: 2.5, fill: s.color });
  }
}
