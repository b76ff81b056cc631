import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeToyDataset, type ToyDataset } from "@llminit/pipeline/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CheckpointCostReport } from "./checkpoint-command.js";
import { main } from "./main.js";
import type { OversubscriptionReport } from "./oversubscription-command.js";
import type { ResumePair } from "./resume-command.js";

// The checkpoint, resume and oversubscription benchmarks on a small generated dataset: they run
// and report; their figures on real data come from the commands in docs/results/resume.md.

const root = mkdtempSync(join(tmpdir(), "llminit-bench-resume-"));
let toy: ToyDataset;
beforeAll(async () => {
  toy = await writeToyDataset(root, { users: 300, items: 150 });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function bench(...argv: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const status = await main(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: { ...process.env, LLMINIT_DATA_DIR: undefined },
    cwd: root,
  });
  return { status, stdout, stderr };
}

const toyRun = () => ["--dataset", toy.dir, "--encoder", toy.encoder, "--cache-dir", join(root, "cache")];

describe("bench checkpoint / resume / oversubscription", { timeout: 240_000 }, () => {
  it("checkpoint: times the export and the write of every epoch's checkpoint against the epoch", async () => {
    const { status, stdout, stderr } = await bench("checkpoint", "--dataset", toy.dir, "--epochs", "3", "--json");
    expect(status, stderr).toBe(0);
    const report = JSON.parse(stdout) as CheckpointCostReport;
    expect(report.dataset).toMatchObject({ users: 300, items: 150 });
    expect(report.settings).toMatchObject({ dim: 128, layers: 2, batchSize: 256, epochs: 3 });
    expect(report.epochSeconds).toHaveLength(3);
    expect(report.writeSeconds.every((s) => s > 0)).toBe(true);
    // Four 450 × 128 float32 tables with their npy headers, and the manifest.
    expect(report.checkpointBytes).toBeGreaterThan(4 * 450 * 128 * 4);
    expect(report.share).toBeCloseTo(report.medianCheckpointSeconds / report.medianEpochSeconds, 9);
  });

  it("resume: a kill -9 / --resume pair with the same bits as the uninterrupted run, side by side", async () => {
    const out = join(root, "pair");
    const run = [...toyRun(), "--dim", "16", "--batch-size", "32", "--epochs", "12", "--patience", "100"];
    const { status, stdout, stderr } = await bench("resume", ...run, "--kill-after", "2", "--out", out);
    expect(status, stderr).toBe(0);
    expect(stdout).toMatch(/\| test ndcg@10 \| [0-9.]+ \| [0-9.]+ \| yes \|/);
    expect(stdout).not.toMatch(/\*\*no\*\*/);
    const pair = JSON.parse(readFileSync(join(out, "resume.json"), "utf8")) as ResumePair;
    expect(pair).toMatchObject({ identical: true, differences: [], kill: { after: "2" } });
    expect(Math.max(...pair.kill.epochsCheckpointed)).toBeGreaterThanOrEqual(2);
    expect(pair.resumed.test).toEqual(pair.whole.test);
    expect(existsSync(join(out, "resume.md"))).toBe(true);
  });

  it("oversubscription: one run alone, two at once, and the ratio", async () => {
    const out = join(root, "oversubscription");
    const run = [...toyRun(), "--dim", "16", "--epochs", "3"];
    const { status, stdout, stderr } = await bench("oversubscription", ...run, "--out", out, "--json");
    expect(status, stderr).toBe(0);
    const report = JSON.parse(stdout) as OversubscriptionReport;
    expect(report.processes).toBe(2);
    expect(report.alone).toHaveLength(1);
    expect(report.together[0]).toHaveLength(2);
    expect(report.together[0].every((r) => r.epochs === 3 && r.wallSeconds > 0)).toBe(true);
    const slowest = Math.max(...report.together[0].map((r) => r.wallSeconds));
    expect(report.wallRatio).toBeCloseTo(slowest / report.alone[0].wallSeconds, 9);
    expect(readFileSync(join(out, "oversubscription.md"), "utf8")).toMatch(/median slowest ÷ alone: wall/);
  });

  it("checks its own options before running anything", async () => {
    const zero = await bench("resume", ...toyRun(), "--kill-after", "0");
    expect(zero.status).toBe(2);
    expect(zero.stderr).toMatch(/option "kill-after": expected an epoch ≥ 1 or "random"/);
    const late = await bench("resume", ...toyRun(), "--epochs", "3", "--kill-after", "3");
    expect(late.stderr).toMatch(/must be below --epochs \(3\)/);
    const processes = await bench("oversubscription", ...toyRun(), "--processes", "0");
    expect(processes.status).toBe(2);
    expect(processes.stderr).toMatch(/option "processes": expected an integer in \[1, 16\]/);
    const epochs = await bench("checkpoint", "--dataset", toy.dir, "--epochs", "x");
    expect(epochs.stderr).toMatch(/option "epochs": expected an integer ≥ 1/);
    const option = await bench("resume", ...toyRun(), "--dim", "-1");
    expect(option.stderr).toMatch(/option "dim": must be ≥ 1/);
  });
});
