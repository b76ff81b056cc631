import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "./main.js";
import type { SpeedReport } from "./speed-report.js";
import { renderSpeedMarkdown } from "./speed-report.js";
import { TORCH_ABSENT_TEXT } from "./speed-torch.js";
import { createRng } from "@llminit/core";
import { generatePowerLawGraph } from "./power-law-graph.js";
import { heldOutTruth, measurePaperSettings } from "./speed-ours.js";

function capture() {
  let stdout = "";
  let stderr = "";
  return {
    io: { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) }, env: {} },
    out: () => stdout,
    err: () => stderr,
  };
}

describe("bench speed", () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it("--json on the tiny graph: measured numbers for ours, PyTorch marked absent, files under --out", async () => {
    const out = await mkdtemp(join(tmpdir(), "speed-spec-"));
    dirs.push(out);
    const c = capture();
    const code = await main(
      ["speed", "--json", "--graphs", "tiny", "--repeats", "1", "--python", "/nonexistent/python3", "--out", out],
      c.io,
    );
    expect(code, c.err()).toBe(0);
    const report = JSON.parse(c.out()) as SpeedReport;
    expect(report.ratios).toEqual({ trainEpoch: null, fullRankEval: null });
    expect(report.ratiosGraph).toBe("tiny");
    expect(report.peakRssMiB).toBeGreaterThan(10);
    expect(report.machine.torch).toBeNull();
    expect(report.settings.ompWaitPolicy).toBe("PASSIVE");
    expect(report.graphs).toHaveLength(1);
    const g = report.graphs[0];
    expect([g.name, g.users, g.items, g.interactions, g.truthUsers]).toEqual(["tiny", 60, 40, 400, 60]);
    expect(g.torch).toMatchObject({ available: false, reason: TORCH_ABSENT_TEXT });
    expect(Object.values(g.ratios).every((r) => r === null)).toBe(true);
    expect(g.ours.propagationMs).toBeGreaterThan(0);
    expect(g.ours.propagationFloor.copyGBps).toBeGreaterThan(0.1);
    expect(g.ours.propagationFloor.bytesMoved).toBe(4 * (100 + 1) + 8 * 800 + 2 * 4 * 100 * 64);
    expect(g.ours.propagationFloor.ratio).toBeCloseTo(g.ours.propagationMs / g.ours.propagationFloor.floorMs, 6);
    expect(g.ours.engine).toBe("kernels");
    expect(g.paper).toBeNull(); // generated graphs have no paper-settings row
    expect(g.ours.stepsPerEpoch).toBe(1); // 400 pairs, batch 2048: one partial step, so no full-batch step time
    expect(g.ours.trainStepMs).toBeNull();
    expect(g.ours.trainEpochSeconds).toBeGreaterThan(0);
    expect(g.repeats).toBe(3); // a small graph: 3 × --repeats epochs
    expect(g.ours.epochLosses).toHaveLength(3);
    expect(g.ours.fullRankSeconds).toBeGreaterThan(0);
    expect(g.ours.fullRankRecall).toBeGreaterThanOrEqual(0);
    expect(g.encoding).toBeNull();
    expect(JSON.parse(await readFile(join(out, "speed.json"), "utf8"))).toEqual(report);
    const md = await readFile(join(out, "speed.md"), "utf8");
    expect(md).toBe(renderSpeedMarkdown(report));
  }, 30_000);

  it("the Markdown table shows n/a, not numbers, in the PyTorch columns when torch is absent", async () => {
    const c = capture();
    expect(await main(["speed", "--graphs", "tiny", "--repeats", "1", "--python", "/nonexistent/python3"], c.io)).toBe(
      0,
    );
    const all = c
      .out()
      .split("\n")
      .filter((l) => l.startsWith("| ") && l.includes("| tiny |"));
    const floor = all.filter((l) => l.includes("bandwidth floor"));
    expect(floor).toHaveLength(1); // ours alone: no PyTorch column to fill
    expect(floor[0]).toMatch(/\| \d+\.\d\d× \| — \| — \| ≤ 3× \| [✓✗] \|$/);
    const rows = all.filter((l) => !l.includes("bandwidth floor"));
    expect(rows.length).toBe(5);
    for (const row of rows) {
      const cells = row.split(" | ");
      expect(cells[3]).toBe(`n/a (${TORCH_ABSENT_TEXT})`);
      expect(cells[4]).toBe("n/a");
    }
    expect(c.out()).toContain("/nonexistent/python3 does not exist");
  }, 30_000);

  it("rejects unknown graphs and bad repeats as option errors", async () => {
    const c = capture();
    expect(await main(["speed", "--graphs", "nope"], c.io)).toBe(2);
    expect(c.err()).toContain('unknown graph "nope"');
    expect(await main(["speed", "--repeats", "0"], c.io)).toBe(2);
  });
});

describe("measurePaperSettings", () => {
  it("times epochs and full validations with d = 128, 2 layers, batch 256", async () => {
    const rng = createRng(3);
    const { train } = generatePowerLawGraph({ users: 80, items: 50, interactions: 600, rng });
    const truth = heldOutTruth(train, rng.child("truth"));
    const paper = await measurePaperSettings(train, truth, 2020, 2, { evalRepeats: 2, warmups: 1 });
    expect(paper).toMatchObject({ dim: 128, layers: 2, batchSize: 256, epochs: 2 });
    expect(paper.epochSeconds).toBeGreaterThan(0);
    expect(paper.validationSeconds).toBeGreaterThan(0);
  }, 30_000);
});
