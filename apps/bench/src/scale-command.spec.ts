import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { createRng, csrFromPairs } from "@llminit/core";
import { main } from "./main.js";
import { buildRealTitles } from "./real-titles.js";
import { modelBytes, sampleTruthUsers } from "./scale-command.js";
import type { ScaleReport } from "./scale-report.js";
import { deriveScale } from "./scale-report.js";
import { TORCH_ABSENT_TEXT } from "./speed-torch.js";

function capture() {
  let stdout = "";
  let stderr = "";
  return {
    io: { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) }, env: {} },
    out: () => stdout,
    err: () => stderr,
  };
}

const QUICK = [
  "--steps",
  "2",
  "--warmup-steps",
  "1",
  "--min-step-seconds",
  "0",
  "--eval-repeats",
  "1",
  "--skip-encoding",
];

describe("bench scale", () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it("on the tiny graph: our step and evaluation measured, PyTorch marked absent, scale.md/.svg/.json written", async () => {
    const out = await mkdtemp(join(tmpdir(), "scale-spec-"));
    dirs.push(out);
    const c = capture();
    const code = await main(
      ["scale", "--sizes", "tiny", "--out", out, "--python", "/nonexistent/python3", "--json", ...QUICK],
      c.io,
    );
    expect(code, c.err()).toBe(0);
    const report = JSON.parse(c.out()) as ScaleReport;
    expect(JSON.parse(await readFile(join(out, "scale.json"), "utf8"))).toEqual(report);
    const size = report.sizes[0];
    expect([size.name, size.users, size.items, size.interactions, size.truthUsers]).toEqual([
      "tiny",
      300,
      200,
      3000,
      300,
    ]);
    expect(size.torch).toMatchObject({ available: false, reason: TORCH_ABSENT_TEXT });
    const ours = size.ours;
    expect(ours).not.toBeNull();
    if (ours === null) return;
    expect(ours.timedSteps).toBeGreaterThanOrEqual(2);
    expect(ours.trainStepMs).toBeGreaterThan(0);
    expect(ours.stepsPerEpoch).toBe(2); // 3,000 pairs in batches of 2,048
    expect(ours.trainEpochSeconds).toBeCloseTo((2 * ours.trainStepMs) / 1000, 9);
    expect(ours.evalUsers).toBe(300);
    expect(ours.evalRecall).toBeGreaterThanOrEqual(0);
    expect(ours.backend).toMatch(/^kernels \(wasm SIMD/);
    expect(size.oursIsolated).toBe(false); // from sources there is no child script: in-process
    expect(size.fits).toMatchObject({ ok: true });
    expect(size.model).toEqual(modelBytes(300, 200, 3000, 64));
    const d = deriveScale(size);
    expect(d.stepRatio).toBeNull();
    expect(d.oursStepNsPerEdge).toBeCloseTo((ours.trainStepMs * 1e6) / 3000, 6);
    expect(d.oursEvalNsPerPair).toBeCloseTo((ours.evalSampleSeconds * 1e9) / (300 * 200), 6);

    const markdown = await readFile(join(out, "scale.md"), "utf8");
    expect(markdown).toContain("![log-log: time against interactions](scale.svg)");
    expect(markdown).toMatch(/\| tiny \(test\) \| 300 × 200 × 3,000 \| \d+\.\d \| n\/a \| n\/a n\/a \|/);
    expect(markdown).toContain(`tiny: PyTorch ${TORCH_ABSENT_TEXT}`);
    const svg = await readFile(join(out, "scale.svg"), "utf8");
    expect(svg).toContain('data-chart="scale"');
    expect(svg).toContain('data-marks="2"'); // our step and our evaluation; PyTorch absent
  });

  it("a size the kernels engine cannot hold is reported with the check's message, before any training", async () => {
    const out = await mkdtemp(join(tmpdir(), "scale-spec-"));
    dirs.push(out);
    const c = capture();
    const code = await main(
      ["scale", "--sizes", "tiny", "--dim", "200000", "--out", out, "--python", "/nonexistent/python3", ...QUICK],
      c.io,
    );
    expect(code, c.err()).toBe(0);
    const report = JSON.parse(await readFile(join(out, "scale.json"), "utf8")) as ScaleReport;
    const size = report.sizes[0];
    expect(size.ours).toBeNull();
    expect(size.fits.ok).toBe(false);
    expect(size.fits.largestDim).toBeGreaterThan(1000);
    expect(size.fits.largestDim).toBeLessThan(200000);
    const markdown = await readFile(join(out, "scale.md"), "utf8");
    expect(markdown).toMatch(/tiny: does not fit; the run stops before training: .*4 GiB.*--engine tfjs/);
    expect(c.err()).toMatch(/ours not run/);
  });

  it("rejects unknown or repeated sizes and bad numbers as usage errors", async () => {
    for (const args of [
      ["--sizes", "XL"],
      ["--sizes", "S,S"],
      ["--steps", "-1"],
      ["--min-step-seconds", "x"],
    ]) {
      const c = capture();
      expect(await main(["scale", ...args], c.io), args.join(" ")).toBe(2);
      expect(c.err()).toMatch(/option "/);
    }
  });
});

describe("sampleTruthUsers", () => {
  const truth = csrFromPairs(10, 5, [0, 1, 2, 3, 5, 6, 7, 8, 9, 9], [1, 2, 3, 4, 0, 1, 2, 3, 4, 0]);

  it("keeps a seeded sample of the users with a truth item, all of their items, ascending", () => {
    const a = sampleTruthUsers(truth, 4, createRng(1));
    const b = sampleTruthUsers(truth, 4, createRng(1));
    expect(Array.from(a.indptr)).toEqual(Array.from(b.indptr));
    const users = Array.from({ length: 10 }, (_, u) => u).filter((u) => a.indptr[u + 1] > a.indptr[u]);
    expect(users).toHaveLength(4);
    expect(users).not.toContain(4); // user 4 has no truth item
    for (const u of users)
      expect(Array.from(a.indices.subarray(a.indptr[u], a.indptr[u + 1]))).toEqual(
        Array.from(truth.indices.subarray(truth.indptr[u], truth.indptr[u + 1])),
      );
  });

  it("keeps every such user when the sample is as large", () => {
    const all = sampleTruthUsers(truth, 100, createRng(1));
    expect(Array.from(all.indptr)).toEqual(Array.from(truth.indptr));
  });
});

describe("buildRealTitles", () => {
  it("recombines titles, years, genres and categories of the item files into distinct texts", async () => {
    const dir = await mkdtemp(join(tmpdir(), "titles-"));
    try {
      await mkdir(join(dir, "amazon-office-products"));
      await mkdir(join(dir, "ml-100k"));
      await writeFile(
        join(dir, "amazon-office-products", "amazon-office-products.item"),
        "item_id:token\ttext:token_seq\nB1\tHP 12C Financial Calculator Scientific HP\nB2\tStapler\n",
      );
      await writeFile(
        join(dir, "ml-100k", "ml-100k.item"),
        "item_id:token\tmovie_title:token_seq\trelease_year:token\tclass:token_seq\n1\tToy Story\t1995\tAnimation Comedy\n",
      );
      const { texts, source } = await buildRealTitles(dir);
      expect(texts).toEqual([
        "HP 12C Financial Calculator Scientific HP",
        "Office Products: HP 12C Financial Calculator Scientific HP",
        "Stapler",
        "Office Products: Stapler",
        "Toy Story",
        "Toy Story (1995)",
        "Toy Story, Animation, Comedy",
        "Toy Story (1995): Animation, Comedy",
      ]);
      expect(source).toMatch(/amazon-office-products\.item \(2 items.*ml-100k\.item \(1 movies/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  const shared = join(fileURLToPath(new URL("../../..", import.meta.url)), "..", "shared", "data");
  it("gives at least 10 k texts from the real datasets", async (context) => {
    if (!existsSync(join(shared, "ml-100k")) || !existsSync(join(shared, "amazon-office-products"))) {
      const reason = `${shared} lacks ml-100k or amazon-office-products`;
      console.warn(`skipping the real-titles count: ${reason}`);
      context.skip(reason);
    }
    const { texts } = await buildRealTitles(shared);
    expect(new Set(texts).size).toBe(texts.length);
    expect(texts.length).toBeGreaterThanOrEqual(10_000);
  });
});
