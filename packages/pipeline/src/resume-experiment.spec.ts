import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, RecordingLogger } from "@llminit/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveRunConfig, type RunConfig } from "./run-config.js";
import { runExperiment, TRAINING_CHECKPOINT_DIR } from "./run-experiment.js";
import { deterministicSummary, resumeExperiment } from "./resume-experiment.js";
import { LOCK_FILE } from "./folder-lock.js";
import { stagingDir } from "./run-folder.js";
import { writeToyDataset, type ToyDataset } from "./testing/write-toy-dataset.js";

const root = mkdtempSync(join(tmpdir(), "llminit-resume-"));
let toy: ToyDataset;
beforeAll(async () => {
  toy = await writeToyDataset(root);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function config(values: Record<string, unknown>): RunConfig {
  return resolveRunConfig([
    {
      source: "test",
      values: {
        dataset: toy.dir,
        encoder: toy.encoder,
        cacheDir: join(root, "cache"),
        dim: 8,
        batchSize: 64,
        ...values,
      },
    },
  ]);
}

/** Runs until `stopAfter` epochs have been checkpointed, then aborts (a kill, as far as the folder can tell). */
async function interrupted(values: Record<string, unknown>, stopAfter: number): Promise<void> {
  const controller = new AbortController();
  const run = runExperiment(config(values), {
    signal: controller.signal,
    onEpoch: (record) => {
      if (record.epoch === stopAfter) controller.abort(new Error("interrupted"));
    },
  });
  await expect(run).rejects.toThrow("interrupted");
}

describe("resumeExperiment", () => {
  it.each([
    ["lightgcn", "standard", {}],
    ["sgl", "standard", {}],
    ["lightgcn", "official", {}],
    ["lightgcn", "standard, cold items", { coldItems: 0.2, ks: "2,10,20" }],
  ])(
    "%s, %s: continues an interrupted run to the uninterrupted run's bits",
    async (model, label, extra) => {
      const protocol = label.startsWith("official") ? "official" : "standard";
      const values = { model, epochs: 6, patience: 2, threads: 1, protocol, ...extra };
      const whole = await runExperiment(config({ ...values, out: join(root, `${model}-${label}-whole`) }));
      if ("coldItems" in extra) expect(whole.coldStart?.methods.length).toBeGreaterThan(0);
      const out = join(root, `${model}-${label}-cut`);
      await interrupted({ ...values, out }, 2);
      expect(existsSync(join(out, TRAINING_CHECKPOINT_DIR, "epoch-000002.json"))).toBe(true);
      const logger = new RecordingLogger();
      // Another thread count: the kernels give the same bits for any.
      const { summary, alreadyFinished } = await resumeExperiment(out, { threads: "2" }, { logger });
      expect(alreadyFinished).toBe(false);
      expect(logger.records.map((r) => r.message)).toContain(`resuming ${model} after epoch 2`);
      expect(summary.backend).toMatch(/2 threads/);
      expect(JSON.stringify({ ...deterministicSummary(summary), backend: whole.backend })).toBe(
        JSON.stringify(deterministicSummary(whole)),
      );
      expect(summary.runDir).toBe(out);
      expect(existsSync(join(out, TRAINING_CHECKPOINT_DIR))).toBe(false);
      const again = await resumeExperiment(out);
      expect(again.alreadyFinished).toBe(true);
      expect(again.summary).toEqual(JSON.parse(readFileSync(join(out, "metrics.json"), "utf8")));
    },
    120_000,
  );

  it("takes the run lock: refuses a folder a live process holds, takes over a killed run's lock", async () => {
    const out = join(root, "locked");
    await interrupted({ epochs: 3, out }, 1);
    const lock = (pid: number) =>
      writeFileSync(
        join(out, LOCK_FILE),
        JSON.stringify({ pid, host: hostname(), command: "llminit run", started: "then", token: "t" }),
      );
    // This process stands for the original run, still alive.
    lock(process.pid);
    const before = readFileSync(join(out, "log.jsonl"), "utf8");
    await expect(resumeExperiment(out)).rejects.toThrow(/option "--resume": .*locked is in use by llminit run \(pid/);
    expect(readFileSync(join(out, "log.jsonl"), "utf8")).toBe(before);
    // A process that has exited: the lock a kill -9 leaves behind.
    lock(spawnSync(process.execPath, ["-e", ""]).pid);
    const logger = new RecordingLogger();
    const { summary } = await resumeExperiment(out, {}, { logger });
    expect(summary.epochs).toBe(3);
    expect(logger.records.some((r) => r.level === "warn" && /took over a stale lock/.test(r.message))).toBe(true);
    expect(existsSync(join(out, LOCK_FILE))).toBe(false);
  }, 60_000);

  it("runExperiment with folder.resume on a new folder starts the run, config.json included", async () => {
    const out = join(root, "resume-new");
    const summary = await runExperiment(config({ epochs: 1, out }), { folder: { resume: true } });
    expect(summary.epochs).toBe(1);
    expect(JSON.parse(readFileSync(join(out, "config.json"), "utf8"))).toMatchObject({ epochs: 1, dim: 8 });
  }, 60_000);

  it("finishes the swap of a replacing run killed between its metrics.json and the swap", async () => {
    const target = join(root, "swap");
    await runExperiment(config({ init: "none", epochs: 0, out: target }));
    await runExperiment(config({ init: "none", epochs: 0, seed: 7, out: target }), { folder: { overwrite: true } });
    const summary = readFileSync(join(target, "metrics.json"), "utf8");
    // The state a kill right before the swap leaves: the previous run in place, the new one beside it.
    const staging = stagingDir(target);
    cpSync(target, staging, { recursive: true });
    writeFileSync(join(staging, ".llminit-replaces.json"), JSON.stringify({ replaces: target }));
    writeFileSync(join(target, "metrics.json"), "{}");
    const outcome = await resumeExperiment(staging);
    expect(outcome.alreadyFinished).toBe(true);
    expect(existsSync(staging)).toBe(false);
    expect(readFileSync(join(target, "metrics.json"), "utf8")).toBe(summary);
    expect(existsSync(join(target, LOCK_FILE))).toBe(false);
  });

  it("trains from the first epoch when the run stopped before its first checkpoint", async () => {
    const whole = await runExperiment(config({ epochs: 2, out: join(root, "early-whole") }));
    const out = join(root, "early-cut");
    await interrupted({ epochs: 2, out }, 2);
    rmSync(join(out, TRAINING_CHECKPOINT_DIR), { recursive: true });
    const logger = new RecordingLogger();
    const { summary } = await resumeExperiment(out, {}, { logger });
    expect(logger.records.some((r) => r.level === "warn" && /training from the first epoch/.test(r.message))).toBe(
      true,
    );
    expect(JSON.stringify(deterministicSummary(summary))).toBe(JSON.stringify(deterministicSummary(whole)));
    expect(readFileSync(join(out, "log.jsonl"), "utf8").trim().split("\n")).toHaveLength(2);
  }, 60_000);

  it("refuses changed data, options that change results, and folders that are not runs", async () => {
    const data = join(root, "moved");
    cpSync(toy.dir, data, { recursive: true });
    const out = join(root, "changed");
    await interrupted({ dataset: data, epochs: 4, out }, 2);
    // One interaction fewer: the training graph differs.
    const inter = join(data, "toy.inter");
    const lines = readFileSync(inter, "utf8").trim().split("\n");
    writeFileSync(inter, `${lines.filter((_, k) => k !== 5).join("\n")}\n`);
    await expect(resumeExperiment(out)).rejects.toThrow(/training interactions differ/);

    await expect(resumeExperiment(out, { dim: 4 } as never)).rejects.toThrow(ConfigError);
    await expect(resumeExperiment(out, { dim: 4 } as never)).rejects.toThrow(/option "dim": cannot be changed/);
    await expect(resumeExperiment(root)).rejects.toThrow(/has no config\.json: not a run folder/);
    writeFileSync(join(root, "config.json"), "{");
    await expect(resumeExperiment(root)).rejects.toThrow(/config\.json: not valid JSON/);
  }, 60_000);
});
