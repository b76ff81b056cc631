import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readNpy } from "@llminit/core/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recommendFromRun } from "./recommend-from-run.js";
import { resolveRunConfig, type RunConfig } from "./run-config.js";
import { runExperiment } from "./run-experiment.js";
import { readUserMetrics } from "./user-metrics-file.js";
import { writeToyDataset, type ToyDataset } from "./testing/write-toy-dataset.js";

const root = mkdtempSync(join(tmpdir(), "llminit-pipeline-"));
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

describe("runExperiment", () => {
  it("scores the untrained LLMInit-var initialisation far above the xavier one", async () => {
    const llm = await runExperiment(config({ init: "var", epochs: 0, out: join(root, "var0") }));
    const xavier = await runExperiment(config({ init: "none", epochs: 0, out: join(root, "none0") }));
    expect(llm.dataset).toMatchObject({ users: 60, items: 40, interactions: 480, valid: 60, test: 60 });
    expect(llm.epochs).toBe(0);
    // var must find the planted columns 3, 7, 11 among the 8 it keeps.
    expect(llm.selectedColumns).toEqual(expect.arrayContaining([3, 7, 11]));
    expect(llm.test["recall@10"]).toBeGreaterThan(xavier.test["recall@10"] + 0.2);
    expect(llm.encoder).toMatchObject({ encoder: toy.encoder, dimension: 16, items: 40 });
  }, 60_000);

  it("trains, writes a complete run folder and is deterministic for a seed", async () => {
    const out = join(root, "trained");
    const summary = await runExperiment(config({ init: "var", epochs: 3, out }));
    expect(summary.epochs).toBe(3);
    for (const file of [
      "config.json",
      "log.jsonl",
      "metrics.json",
      "user.npy",
      "item.npy",
      "users.txt",
      "items.txt",
      "checkpoint/user.npy",
      "checkpoint/train-indptr.npy",
    ]) {
      expect(existsSync(join(out, file)), file).toBe(true);
    }
    const log = readFileSync(join(out, "log.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(log.map((r) => r.epoch)).toEqual([1, 2, 3]);
    const metrics = JSON.parse(readFileSync(join(out, "metrics.json"), "utf8"));
    expect(Object.keys(metrics.test)).toEqual(
      expect.arrayContaining(["recall@10", "ndcg@20", "mrr@50", "hit@10", "precision@10", "map@10"]),
    );
    expect(metrics.testByDegree.reduce((n: number, g: { users: number }) => n + g.users, 0)).toBe(60);
    const item = await readNpy(join(out, "item.npy"));
    expect(item.shape).toEqual([40, 8]);

    const again = await runExperiment(config({ init: "var", epochs: 3, out: join(root, "trained-again") }));
    expect(again.test).toEqual(summary.test);
    // config.json records the run without its folder, so that replaying it starts a new run.
    const recorded = JSON.parse(readFileSync(join(out, "config.json"), "utf8"));
    expect(recorded).toMatchObject({ init: "var", epochs: 3, dim: 8 });
    expect(recorded.out).toBeUndefined();
    // A folder holding a run is refused, and replaced only with overwrite (starting a fresh log).
    await expect(runExperiment(config({ init: "var", epochs: 2, out }))).rejects.toThrow(
      /trained is not empty .*--overwrite.*--resume/,
    );
    expect(readFileSync(join(out, "log.jsonl"), "utf8").trim().split("\n")).toHaveLength(3);
    await runExperiment(config({ init: "var", epochs: 2, out }), { folder: { overwrite: true } });
    expect(readFileSync(join(out, "log.jsonl"), "utf8").trim().split("\n")).toHaveLength(2);
    expect(readdirSync(out).filter((name) => name.startsWith(".llminit.lock"))).toEqual([]);

    const [recommendation] = await recommendFromRun(out, ["u0"], 5);
    expect(recommendation.items).toHaveLength(5);
    const users = readFileSync(join(out, "users.txt"), "utf8").trim().split("\n");
    const items = readFileSync(join(out, "items.txt"), "utf8").trim().split("\n");
    const indptr = (await readNpy(join(out, "checkpoint/train-indptr.npy"))).data as Int32Array;
    const indices = (await readNpy(join(out, "checkpoint/train-indices.npy"))).data as Int32Array;
    const u = users.indexOf("u0");
    const trained = new Set(Array.from(indices.subarray(indptr[u], indptr[u + 1]), (i) => items[i]));
    expect(trained.size).toBe(6);
    for (const { item } of recommendation.items) expect(trained.has(item)).toBe(false);
    await expect(recommendFromRun(out, ["nobody"], 5)).rejects.toThrow(/not in this run: nobody/);
  }, 120_000);

  it("stores per-user valid and test metrics whose means are the reported ones", async () => {
    const out = join(root, "per-user");
    const summary = await runExperiment(config({ init: "var", epochs: 1, out }));
    expect(summary.userMetricsDir).toBe(join(out, "user-metrics"));
    for (const split of ["valid", "test"] as const) {
      const table = await readUserMetrics(out, split);
      expect(table.users).toHaveLength(60);
      expect(table.users[0]).toMatch(/^u\d+$/);
      expect(table.columns).toEqual(expect.arrayContaining(["recall@10", "ndcg@20", "novelty@10", "popularity@50"]));
      expect(table.columns.some((c) => c.startsWith("coverage"))).toBe(false);
      table.columns.forEach((key, c) => {
        let sum = 0;
        for (let row = 0; row < table.users.length; row++) sum += table.values[row * table.columns.length + c];
        expect(sum / table.users.length, `${split} ${key}`).toBe(summary[split][key]);
      });
      expect(Array.from(table.trainDegrees).every((d) => d >= 1)).toBe(true);
    }
    expect(Object.keys(summary.test)).toEqual(expect.arrayContaining(["coverage@10", "novelty@10", "popularity@10"]));
  }, 60_000);

  it("--protocol official ranks training items too and trains with the official sampler and stopping rule", async () => {
    // Same embeddings (no training): only the masking differs, so the truth item ranks no better unmasked.
    const standard = await runExperiment(config({ init: "var", epochs: 0, out: join(root, "standard0") }));
    const official = await runExperiment(
      config({ init: "var", epochs: 0, protocol: "official", out: join(root, "official0") }),
    );
    expect(official.protocol).toBe("official");
    expect(official.trainConfig).toMatchObject({ negatives: "exclude-positive", earlyStopping: "recbole" });
    expect(standard.trainConfig).toMatchObject({ negatives: "exclude-train", earlyStopping: "strict" });
    const hits = async (dir: string) => {
      const table = await readUserMetrics(join(root, dir), "test");
      const c = table.columns.indexOf("hit@10");
      return table.users.map((_, row) => table.values[row * table.columns.length + c]);
    };
    const [masked, unmasked] = [await hits("standard0"), await hits("official0")];
    unmasked.forEach((hit, row) => expect(hit).toBeLessThanOrEqual(masked[row]));
    expect(official.test["hit@10"]).toBeLessThan(standard.test["hit@10"]);
    const trained = await runExperiment(
      config({ init: "var", epochs: 2, protocol: "official", out: join(root, "official") }),
    );
    expect(trained.epochs).toBe(2);
    expect(JSON.parse(readFileSync(join(root, "official", "config.json"), "utf8")).protocol).toBe("official");
  }, 60_000);

  it("runs the sparse setting: thinned train, valid and test unchanged", async () => {
    const summary = await runExperiment(config({ init: "var", epochs: 0, sparseKeep: 2, out: join(root, "sparse") }));
    expect(summary.dataset).toMatchObject({ interactions: 480, train: 120, valid: 60, test: 60 });
    expect(summary.testByDegree.find((g) => g.bucket === "<=3")?.users).toBe(60);
  }, 60_000);

  it.each(["sgl", "sgcl"])(
    "trains the %s backbone through the same pipeline",
    async (model) => {
      const summary = await runExperiment(config({ model, init: "var", epochs: 1, out: join(root, model) }));
      expect(summary.model).toBe(model);
      expect(summary.epochs).toBe(1);
      expect(summary.trainConfig).toMatchObject({ model, temperature: 0.2, dim: 8 });
      expect(summary.test["recall@10"]).toBeGreaterThan(0);
    },
    60_000,
  );
});
