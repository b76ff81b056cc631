import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { createRng, encodeNpy } from "@llminit/core";
import { runExperiment, type RunConfig } from "@llminit/pipeline";
import { writeToyDataset, type ToyDataset } from "@llminit/pipeline/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { main, seedList } from "./main.js";
import { pairedComparison } from "./paired-comparison.js";
import { formatGainInterval, formatP } from "./significance.js";
import { renderInChromium } from "./test-utils/render-in-chromium.js";
import type { CellRecord } from "./types.js";

const root = mkdtempSync(join(tmpdir(), "llminit-bench-"));
let toy: ToyDataset;
beforeAll(async () => {
  toy = await writeToyDataset(root);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const calls: RunConfig[] = [];
const deps = {
  runExperiment: (config: RunConfig, hooks?: Parameters<typeof runExperiment>[1]) => {
    calls.push(config);
    return runExperiment(config, hooks);
  },
};

async function bench(...argv: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const status = await main(
    argv,
    {
      stdout: { write: (t: string) => (stdout += t) },
      stderr: { write: (t: string) => (stderr += t) },
      env: {},
      cwd: root,
    },
    deps,
  );
  return { status, stdout, stderr };
}

/** A cell's per-user test metrics, read from its run folder by hand. */
function userMetricsOf(record: CellRecord): { users: string[]; columns: string[]; values: Float64Array } {
  const dir = join(record.runDir, "user-metrics");
  const lines = (file: string) => readFileSync(join(dir, file), "utf8").trim().split("\n");
  const bytes = readFileSync(join(dir, "test.npy"));
  const headerLength = bytes.readUInt16LE(8);
  const values = new Float64Array(
    bytes.buffer.slice(bytes.byteOffset + 10 + headerLength, bytes.byteOffset + bytes.length),
  );
  return { users: lines("test.users.txt"), columns: lines("test.columns.txt"), values };
}

function results(out: string): CellRecord[] {
  return readFileSync(join(out, "results.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as CellRecord);
}

const shared = (out: string) => [
  "--datasets",
  toy.dir,
  "--cache-dir",
  join(root, "cache"),
  "--batch-size",
  "64",
  "--settings",
  "full",
  "--out",
  out,
];
const common = (out: string) => [...shared(out), "--encoder", toy.encoder, "--dim", "8"];

/** mean ± sample std, as the report prints it. */
function handStat(values: number[]): { mean: number; std: number; text: string } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const std = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1));
  return { mean, std, text: `${mean.toFixed(4)} ± ${std.toFixed(4)}` };
}

async function expectRendersCleanly(
  html: string,
  expected: Record<string, number>,
  skip: (reason: string) => void,
  marks?: { tested: number; significant: number },
): Promise<void> {
  const reason = inject("chromiumSkipReason");
  if (reason !== "") {
    skip(reason);
    return;
  }
  const page = await renderInChromium(html);
  expect(page.problems).toEqual([]);
  expect(Object.fromEntries(page.charts.map((c) => [c.id, c.marks]))).toEqual(expected);
  if (marks !== undefined) expect({ tested: page.testedCells, significant: page.significantMarks }).toEqual(marks);
  for (const chart of page.charts) {
    expect(chart.title.length, chart.id).toBeGreaterThan(10);
    expect(chart.width * chart.height, chart.id).toBeGreaterThan(0);
    expect(chart.visibleMarks, chart.id).toBe(chart.marks);
    expect(chart.declaredMarks, chart.id).toBe(chart.marks);
  }
}

describe("bench paper", () => {
  it("runs the grid, appends every cell, resumes, records a failing cell and reports it", async (context) => {
    const out = join(root, "paper");
    const args = [
      ...common(out),
      "--models",
      "lightgcn",
      "--inits",
      "none,var",
      "--seeds",
      "2020,2021",
      "--epochs",
      "2",
    ];
    const first = await bench("paper", ...args);
    expect(first.stderr).not.toMatch(/FAILED/);
    expect(first.status).toBe(0);
    expect(calls).toHaveLength(4);
    expect(first.stderr).toMatch(/\[4\/4\] paper-toy-full-lightgcn-var-s2021: ok/);
    const records = results(out);
    expect(records.map((r) => [r.init, r.seed, r.status])).toEqual([
      ["none", 2020, "ok"],
      ["none", 2021, "ok"],
      ["var", 2020, "ok"],
      ["var", 2021, "ok"],
    ]);
    for (const r of records) {
      expect(r).toMatchObject({
        experiment: "paper",
        dataset: toy.dir,
        model: "lightgcn",
        setting: "full",
        dim: 8,
        epochs: 2,
        encoder: toy.encoder,
      });
      expect(r.curve?.map((p) => p.epoch)).toEqual([1, 2]);
      expect(r.curve?.every((p) => typeof p.valid === "number")).toBe(true);
      expect(r.config).toMatchObject({ seed: r.seed, init: r.init, epochs: 2, dim: 8, kCore: 5 });
      expect(r.runDir).toBe(join(out, "runs", r.id));
      expect(existsSync(join(r.runDir, "item.npy"))).toBe(true);
      expect(r.machine.cpus).toBeGreaterThan(0);
      expect(r.testByDegree?.reduce((n, g) => n + g.users, 0)).toBe(60);
    }
    expect(records.find((r) => r.init === "var")?.encoderDimension).toBe(16);
    // Seeds change the run.
    expect(records[2].test?.["ndcg@20"]).not.toBe(records[3].test?.["ndcg@20"]);

    // Resumable: a rerun runs nothing.
    const again = await bench("paper", ...args);
    expect(again.status).toBe(0);
    expect(calls).toHaveLength(4);
    expect(again.stderr.match(/skipped \(recorded ok/g)).toHaveLength(4);
    expect(results(out)).toHaveLength(4);

    // A recorded cell with other options is refused instead of mixed in.
    const mixed = await bench("paper", ...args.map((a) => (a === "2" ? "3" : a)));
    expect(mixed.status).toBe(2);
    expect(mixed.stderr).toMatch(/option "epochs": .*run with epochs=2, now 3/);

    // A model the pipeline does not know stops the command before any cell runs.
    const unknown = await bench("paper", ...args.map((a) => (a === "lightgcn" ? "lightgcn,nosuch" : a)));
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/option "models": --models: "nosuch" is not one of lightgcn, mf, sgl, sgcl/);
    expect(results(out)).toHaveLength(4);

    // A dataset whose file turns out broken fails as a cell, with the pipeline's error, and the grid goes on.
    const broken = join(root, "broken");
    mkdirSync(broken, { recursive: true });
    const lines = readFileSync(join(toy.dir, "toy.inter"), "utf8").split("\n");
    lines[2] = lines[2].replace(/\t[25]\t/, "\tfive\t");
    writeFileSync(join(broken, "broken.inter"), lines.join("\n"));
    const failing = await bench(
      "paper",
      ...common(out).map((a) => (a === toy.dir ? `${toy.dir},${broken}` : a)),
      "--models",
      "lightgcn",
      "--inits",
      "none",
      "--seeds",
      "2020",
      "--epochs",
      "2",
    );
    expect(failing.status).toBe(1);
    expect(failing.stderr).toMatch(/paper-toy-full-lightgcn-none-s2020: skipped/);
    expect(failing.stderr).toMatch(/paper-broken-full-lightgcn-none-s2020: FAILED/);
    const all = results(out);
    expect(all).toHaveLength(5);
    expect(all[4]).toMatchObject({ id: "paper-broken-full-lightgcn-none-s2020", status: "failed", model: "lightgcn" });
    expect(all[4].error).toMatch(/broken\.inter:3 field "rating": not a number: "five"/);
    expect(existsSync(join(out, "runs", "paper-broken-full-lightgcn-none-s2020"))).toBe(false);

    // report.md: mean ± std over seeds, by hand from results.jsonl.
    const md = readFileSync(join(out, "report.md"), "utf8");
    const stat = (init: string, metric: string) =>
      handStat(records.filter((r) => r.init === init).map((r) => r.test?.[metric] as number));
    const metrics = ["recall@10", "recall@20", "ndcg@10", "ndcg@20"];
    for (const init of ["none", "var"]) {
      const row = md.split("\n").find((line) => line.startsWith(`| lightgcn | ${init} | 2/2 |`));
      expect(row, `row ${init}`).toBeDefined();
      const cells = row!.split(" | ").slice(3);
      metrics.forEach((metric, m) => {
        const mine = stat(init, metric);
        const other = stat(init === "var" ? "none" : "var", metric);
        expect(cells[m]).toContain(mine.text);
        expect(cells[m].startsWith("**"), `${init} ${metric} bold`).toBe(mine.mean >= other.mean);
        if (init === "var") {
          const none = stat("none", metric).mean;
          const pct = ((mine.mean - none) / none) * 100;
          expect(cells[m]).toContain(`(${pct >= 0 ? "+" : "−"}${Math.abs(pct).toFixed(1)} % [`);
          // The paired test, by hand from the run folders: users matched per seed, pooled.
          const x: number[] = [];
          const y: number[] = [];
          for (const seed of [2020, 2021]) {
            const base = userMetricsOf(records.find((r) => r.init === "none" && r.seed === seed)!);
            const ours = userMetricsOf(records.find((r) => r.init === "var" && r.seed === seed)!);
            ours.users.forEach((user, i) => {
              const j = base.users.indexOf(user);
              x.push(base.values[j * base.columns.length + base.columns.indexOf(metric)]);
              y.push(ours.values[i * ours.columns.length + ours.columns.indexOf(metric)]);
            });
          }
          expect(x).toHaveLength(120);
          const test = pairedComparison(x, y);
          expect(cells[m]).toContain(`${formatGainInterval(test)}, ${formatP(test.p)})`);
          // The toy's planted clusters make var far better: significant even after Holm over 4 cells.
          expect(test.p * 4).toBeLessThan(0.05);
          expect(cells[m]).toContain(`${formatP(test.p)}) †`);
        }
      });
    }
    expect(md).toContain("| lightgcn | none | 0/1 | – | – | – | – |");
    expect(md).toMatch(/Failed cells \(1\):\n\n- `paper-broken-full-lightgcn-none-s2020`: .*broken\.inter:3/);
    expect(md).toMatch(
      /Protocol: --protocol standard \(.*\); filters: rating ≥ 4, 5-core; split: random-loo; full ranking, K ∈ \{10, 20, 50\}; seeds: 2020, 2021; d = 8, 2 layers, ≤ 2 epochs .*encoder: file:.*toy-vectors\.npy \(16-d\); backend: kernels \(wasm SIMD, \d+ threads?(, shared sums)?\); machine: .+ × \d+ cores/,
    );

    // report regenerates both files from results.jsonl alone.
    rmSync(join(out, "report.md"));
    const html = readFileSync(join(out, "report.html"), "utf8");
    rmSync(join(out, "report.html"));
    const report = await bench("report", "--out", out);
    expect(report.status).toBe(0);
    expect(readFileSync(join(out, "report.md"), "utf8")).toBe(md);
    expect(readFileSync(join(out, "report.html"), "utf8")).toBe(html);
    expect(html).not.toMatch(/<script|<link|@import|url\(/);

    // Every chart rendered in Chromium with one mark per (bucket, init) bar and per (epoch, init) point.
    const bars = ["none", "var"].reduce(
      (n, init) =>
        n +
        new Set(
          records
            .filter((r) => r.init === init)
            .flatMap((r) => r.testByDegree!.filter((g) => g.users > 0).map((g) => g.bucket)),
        ).size,
      0,
    );
    await expectRendersCleanly(
      join(out, "report.html"),
      { "degree-paper-toy-full-lightgcn": bars, "training-paper-toy-full-lightgcn": 4 },
      (r) => context.skip(r),
      // The var row's four cells of the overall table are tested, and significant (checked above).
      { tested: (md.match(/ %, p [=<] /g) ?? []).length, significant: (md.match(/\) †/g) ?? []).length },
    );

    // A bench folder reads its own run folders: a copy without per-user metrics has no tests
    // (it never reads the original's), and a moved one keeps every test.
    const copy = join(root, "paper-copy");
    cpSync(out, copy, { recursive: true });
    for (const record of records) rmSync(join(copy, "runs", record.id, "user-metrics"), { recursive: true });
    expect((await bench("report", "--out", copy)).status).toBe(0);
    expect(readFileSync(join(copy, "report.md"), "utf8")).not.toMatch(/ %, p [=<] /);
    const moved = join(root, "paper-moved");
    renameSync(out, moved);
    expect((await bench("report", "--out", moved)).status).toBe(0);
    expect(readFileSync(join(moved, "report.md"), "utf8")).toBe(md);
    renameSync(moved, out);
  }, 60_000);
});

describe("bench collapse and encoders", () => {
  it("collapse: effective rank per d for none, var and full (uni with d = D)", async (context) => {
    const out = join(root, "collapse");
    calls.length = 0;
    const run = await bench(
      "collapse",
      ...shared(out),
      "--encoder",
      toy.encoder,
      "--dims",
      "4,8",
      "--seeds",
      "2020",
      "--epochs",
      "1",
    );
    expect(run.status).toBe(0);
    const records = results(out);
    expect(records.map((r) => [r.init, r.dim])).toEqual([
      ["none", 4],
      ["var", 4],
      ["none", 8],
      ["var", 8],
      ["full", 16],
    ]);
    expect(calls.map((c) => [c.init, c.dim])).toEqual([
      ["none", 4],
      ["var", 4],
      ["none", 8],
      ["var", 8],
      ["uni", 16],
    ]);
    for (const r of records) {
      expect(r.effectiveRank).toBeGreaterThanOrEqual(1);
      expect(r.effectiveRank).toBeLessThanOrEqual(r.dim + 1e-9);
    }
    const md = readFileSync(join(out, "report.md"), "utf8");
    const rank = (init: string, d: number) =>
      (records.find((r) => r.init === init && r.dim === d)?.effectiveRank as number).toFixed(2);
    expect(md).toContain("| init | d = 4 | d = 8 | d = 16 |");
    expect(md).toContain(`| var | ${rank("var", 4)} | ${rank("var", 8)} | – |`);
    expect(md).toContain(`| full | – | – | ${rank("full", 16)} |`);
    await expectRendersCleanly(join(out, "report.html"), { "collapse-toy-full-lightgcn": 5 }, (r) => context.skip(r));
  }, 60_000);

  it("encoders: the same run with each encoder; a wrong encoder file fails as a cell", async () => {
    const out = join(root, "encoders");
    const other = join(root, "random-vectors.npy");
    const rng = createRng(5);
    writeFileSync(
      other,
      encodeNpy(
        Float32Array.from({ length: 40 * 12 }, () => rng.normal()),
        [40, 12],
      ),
    );
    writeFileSync(`${other}.ids.txt`, `${Array.from({ length: 40 }, (_, i) => `i${i}`).join("\n")}\n`);
    // Vectors for other items: found only when the cell encodes.
    const wrongIds = join(root, "wrong-ids.npy");
    writeFileSync(wrongIds, encodeNpy(new Float32Array(40 * 12), [40, 12]));
    writeFileSync(`${wrongIds}.ids.txt`, `${Array.from({ length: 40 }, (_, i) => `x${i}`).join("\n")}\n`);
    const run = await bench(
      "encoders",
      ...shared(out),
      "--dim",
      "8",
      "--encoders",
      `${toy.encoder},file:${other},file:${wrongIds}`,
      "--seeds",
      "2020",
      "--epochs",
      "0",
    );
    expect(run.status).toBe(1);
    const records = results(out);
    expect(records.map((r) => [r.encoder, r.status, r.encoderDimension])).toEqual([
      [toy.encoder, "ok", 16],
      [`file:${other}`, "ok", 12],
      [`file:${wrongIds}`, "failed", undefined],
    ]);
    const md = readFileSync(join(out, "report.md"), "utf8");
    expect(md).toContain("| model | encoder | init | seeds ok | Recall@10 |");
    expect(md).toContain(
      `| lightgcn | file:${other} | var | 1/1 | ${(records[1].test?.["recall@10"] as number).toFixed(4)}`,
    );
  }, 60_000);

  it("reads --seeds as a list, or as a count from 2020", () => {
    expect(seedList(undefined)).toEqual([2020, 2021, 2022]);
    expect(seedList("5")).toEqual([2020, 2021, 2022, 2023, 2024]);
    expect(seedList("2021")).toEqual([2021]);
    expect(seedList("7,8")).toEqual([7, 8]);
  });

  it("names bad options", async () => {
    const out = join(root, "bad");
    expect((await bench("paper", "--out", out, "--seeds", "2020,x")).stderr).toMatch(
      /option "seeds": expected integers/,
    );
    expect((await bench("paper", "--out", out, "--settings", "half")).stderr).toMatch(
      /option "settings": "half" is not one of full, sparse/,
    );
    expect((await bench("paper", "--out", out, "--dim", "0")).status).toBe(2);
    expect((await bench("encoders", "--out", out)).stderr).toMatch(/option "encoders"/);
    expect((await bench("report", "--out", join(root, "nothing"))).stderr).toMatch(/nothing.* does not exist/);
    expect((await bench("paper", "--bogus")).stderr).toMatch(/unknown option --bogus/);
    expect((await bench("paper", "--out", out, "--models", "lightgcn,gcn")).stderr).toMatch(
      /option "models": --models: "gcn" is not one of lightgcn, mf, sgl, sgcl, simgcl, xsimgcl \(llminit models/,
    );
    expect((await bench("paper", "--out", out, "--models", "lightgcn", "--ssl-weight", "0.1")).stderr).toMatch(
      /option "--ssl-weight": is not an option of any model of --models lightgcn/,
    );
    expect((await bench("paper", "--out", out, "--models", "sgl", "--drop-ratio", "1")).stderr).toMatch(
      /option "--drop-ratio": must be ≤ 0\.99, got 1 for sgl \(from command line\)/,
    );
  });

  it("gives a model's own option to the cells of the models that take it", async () => {
    const out = join(root, "model-options");
    calls.length = 0;
    const run = await bench(
      "paper",
      ...common(out),
      "--models",
      "lightgcn,sgl",
      "--inits",
      "none",
      "--seeds",
      "1",
      "--epochs",
      "0",
      "--ssl-weight",
      "0.3",
    );
    expect(run.status).toBe(0);
    expect(calls.map((c) => [c.model, c.sslWeight])).toEqual([
      ["lightgcn", undefined],
      ["sgl", 0.3],
    ]);
    expect(calls[1]).toMatchObject({ temperature: 0.2, regWeight: 1e-5 });
  }, 60_000);
});

describe("one grid per folder", () => {
  it("refuses a second grid on a folder in use, and takes over the lock of a killed one", async () => {
    const out = join(root, "locked");
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started: () => void = () => {};
    const running = new Promise<void>((resolve) => (started = resolve));
    const slow = {
      runExperiment: async (config: RunConfig, hooks?: Parameters<typeof runExperiment>[1]) => {
        started();
        await gate;
        return runExperiment(config, hooks);
      },
    };
    const io = (sink: { stdout: string; stderr: string }) => ({
      stdout: { write: (t: string) => (sink.stdout += t) },
      stderr: { write: (t: string) => (sink.stderr += t) },
      env: {},
      cwd: root,
    });
    const args = [
      "paper",
      ...common(out),
      "--models",
      "lightgcn",
      "--inits",
      "none",
      "--seeds",
      "2020",
      "--epochs",
      "1",
    ];
    const firstSink = { stdout: "", stderr: "" };
    const first = main(args, io(firstSink), slow);
    await running;
    const second = await bench(...args);
    expect(second.status).toBe(2);
    expect(second.stderr).toMatch(
      new RegExp(`option "--out": .*locked is in use by llminit-bench paper \\(pid ${process.pid} on `),
    );
    release();
    expect(await first).toBe(0);
    expect(results(out)).toHaveLength(1);
    expect(existsSync(join(out, ".llminit.lock"))).toBe(false);

    // A lock left by a killed grid (its pid is gone) is taken over, with a warning.
    const dead = Number(
      spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]).stdout.toString(),
    );
    writeFileSync(
      join(out, ".llminit.lock"),
      JSON.stringify({ pid: dead, host: hostname(), command: "llminit-bench paper", started: "then", token: "x" }),
    );
    const again = await bench(...args);
    expect(again.status).toBe(0);
    expect(again.stderr).toMatch(new RegExp(`took over a stale lock: llminit-bench paper \\(pid ${dead} .*no longer`));
    expect(again.stderr).toMatch(/skipped \(recorded ok/);
    expect(results(out)).toHaveLength(1);
  }, 60_000);

  it("prints each command's own help, and runs nothing", async () => {
    const commands = ["paper", "collapse", "encoders", "report", "checkpoint", "resume", "oversubscription"];
    for (const command of [...commands, "speed", "scale"]) {
      // -h anywhere, even after an option the command does not know.
      const help = await bench(command, "--out", join(root, "help"), "--bogus", "-h");
      expect(help.status, command).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^usage: pnpm bench ${command}`, "m"));
      for (const argv of [
        ["help", command],
        ["-h", command],
      ])
        expect((await bench(...argv)).stdout, argv.join(" ")).toBe(help.stdout);
    }
    expect(existsSync(join(root, "help"))).toBe(false);
  });
});
