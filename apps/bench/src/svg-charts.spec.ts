import { describe, expect, it } from "vitest";
import { barChart, lineChart, niceTicks } from "./svg-charts.js";

const count = (svg: string, re: RegExp) => (svg.match(re) ?? []).length;

describe("svg charts", () => {
  it("draws one circle mark per point, a polyline per series with ≥ 2 points, log2 ticks at the data", () => {
    const svg = lineChart({
      id: "c",
      kind: "collapse",
      title: "Collapse <test>",
      xLabel: "d",
      yLabel: "erank",
      xLog2: true,
      series: [
        {
          label: "none",
          points: [
            { x: 32, y: 30 },
            { x: 64, y: 60 },
            { x: 128, y: 100 },
          ],
        },
        { label: "full", points: [{ x: 512, y: 80 }] },
      ],
    });
    expect(count(svg, /<circle class="mark"/g)).toBe(4);
    expect(count(svg, /<polyline/g)).toBe(1);
    expect(svg).toContain('data-marks="4"');
    expect(svg).toContain('<title id="c-title">Collapse &lt;test&gt;</title>');
    for (const d of ["32", "64", "128", "512"]) expect(svg).toContain(`>${d}</text>`);
    expect(svg).not.toMatch(/NaN|Infinity/);
  });

  it("draws one bar per finite value, nothing for NaN, and says when there is no data", () => {
    const svg = barChart({
      id: "b",
      kind: "degree",
      title: "t",
      yLabel: "Recall@10",
      categories: ["<=3", "4-7", ">15"],
      series: [
        { label: "none", values: [0.1, NaN, 0] },
        { label: "var", values: [0.2, 0.3, NaN] },
      ],
    });
    expect(count(svg, /<rect class="mark"/g)).toBe(4);
    expect(svg).not.toMatch(/NaN|Infinity/);
    const empty = barChart({
      id: "e",
      kind: "degree",
      title: "t",
      yLabel: "y",
      categories: ["a"],
      series: [{ label: "x", values: [NaN] }],
    });
    expect(empty).toContain('data-marks="0"');
    expect(empty).toContain("no data");
  });

  it("picks round ticks", () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0, 0.33)).toEqual([0, 0.1, 0.2, 0.3]);
    expect(niceTicks(2, 2)).toEqual([2]);
  });
});
