import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, createRng, csrFromPairs, DataFormatError, decodeNpy, RecordingLogger } from "@llminit/core";
import type { TrainingCheckpoint } from "@llminit/models";
import { afterAll, describe, expect, it } from "vitest";
import {
  checkpointFingerprint,
  CheckpointWriter,
  loadTrainingCheckpoint,
  type CheckpointStep,
} from "./training-checkpoint.js";

const root = mkdtempSync(join(tmpdir(), "llminit-checkpoint-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let folders = 0;
const freshDir = () => join(root, `c${folders++}`, "training");

const users = 5;
const items = 3;
const dim = 4;
const train = csrFromPairs(users, items, Int32Array.from([0, 1, 2, 3, 4, 0]), Int32Array.from([0, 1, 2, 0, 1, 2]));
const fingerprint = checkpointFingerprint("lightgcn", train, dim);

/** A checkpoint after `epoch` epochs, its numbers drawn from the epoch (so two epochs differ). */
function checkpointAt(epoch: number, bestEpoch = epoch): TrainingCheckpoint {
  const rng = createRng(epoch);
  const bestRng = createRng(1000 + bestEpoch);
  const table = (from = rng) => Float32Array.from({ length: (users + items) * dim }, () => from.normal());
  return {
    epoch,
    engine: "kernels",
    state: { ego: table(), moment1: table(), moment2: table(), step: 7 * epoch },
    bestEgo: table(bestRng),
    bestEpoch,
    bestValid: 0.1 + bestEpoch / 1000,
    sinceBest: epoch - bestEpoch,
    earlyStopping: epoch % 2 === 0 ? "recbole" : "strict",
    history: Array.from({ length: epoch }, (_, k) => ({
      epoch: k + 1,
      loss: 0.6931 / (k + 1),
      seconds: 0.01 * (k + 1),
      valid: 0.1 + (k + 1) / 1000,
      best: k + 1 <= bestEpoch,
    })),
  };
}

async function saveEpochs(dir: string, epochs: number[], writer = new CheckpointWriter(dir, fingerprint)) {
  for (const epoch of epochs) await writer.save(checkpointAt(epoch, Math.min(epoch, 2)));
  return writer;
}

describe("training checkpoints", { timeout: 60_000 }, () => {
  it("round-trips a checkpoint bitwise, in numpy-readable files and a JSON manifest", async () => {
    const dir = freshDir();
    const checkpoint = checkpointAt(3, 2);
    await new CheckpointWriter(dir, fingerprint).save(checkpoint);
    const loaded = await loadTrainingCheckpoint(dir, fingerprint);
    expect(loaded).toEqual(checkpoint);
    expect(readdirSync(dir).sort()).toEqual([
      "best-ego-000002.npy",
      "epoch-000003-adam-m.npy",
      "epoch-000003-adam-v.npy",
      "epoch-000003-ego.npy",
      "epoch-000003.json",
    ]);
    const ego = decodeNpy(readFileSync(join(dir, "epoch-000003-ego.npy")));
    expect(ego).toMatchObject({ dtype: "float32", shape: [users + items, dim] });
    const manifest = JSON.parse(readFileSync(join(dir, "epoch-000003.json"), "utf8"));
    expect(manifest).toMatchObject({ epoch: 3, step: 21, bestEpoch: 2, sinceBest: 1, engine: "kernels" });
  });

  it("keeps the two newest checkpoints and the best-epoch tables they name", async () => {
    const dir = freshDir();
    await saveEpochs(dir, [1, 2, 3, 4]);
    expect(readdirSync(dir).sort()).toEqual([
      "best-ego-000002.npy",
      "epoch-000003-adam-m.npy",
      "epoch-000003-adam-v.npy",
      "epoch-000003-ego.npy",
      "epoch-000003.json",
      "epoch-000004-adam-m.npy",
      "epoch-000004-adam-v.npy",
      "epoch-000004-ego.npy",
      "epoch-000004.json",
    ]);
    expect((await loadTrainingCheckpoint(dir, fingerprint))?.epoch).toBe(4);
  });

  it("a kill before any step of a write leaves the previous checkpoint or the new one, never a broken one", async () => {
    // Count the steps of one write, then stop a write before each of them in turn.
    const steps: CheckpointStep[] = [];
    const counted = freshDir();
    await saveEpochs(counted, [1, 2]);
    await saveEpochs(
      counted,
      [3],
      new CheckpointWriter(counted, fingerprint, { beforeStep: (step) => steps.push(step) }),
    );
    expect(steps).toContain("sync");
    expect(steps.filter((s) => s === "rename")).toHaveLength(5); // 3 tables, the best table, the manifest
    const outcomes = new Set<number>();
    for (let stop = 0; stop <= steps.length; stop++) {
      const dir = freshDir();
      await saveEpochs(dir, [1, 2]);
      let step = 0;
      const killed = new CheckpointWriter(dir, fingerprint, {
        beforeStep: () => {
          // A kill stops every write at once: each later step fails too.
          if (step++ >= stop) throw new Error("killed");
        },
      });
      await saveEpochs(dir, [3], killed).catch((error: Error) => expect(error.message).toBe("killed"));
      const loaded = await loadTrainingCheckpoint(dir, fingerprint);
      expect([2, 3], `stopped before step ${stop}`).toContain(loaded?.epoch);
      expect(loaded, `stopped before step ${stop}`).toEqual(checkpointAt(loaded!.epoch, 2));
      outcomes.add(loaded!.epoch);
      // The next write, as the resumed run makes it, cleans up whatever the killed one left.
      await saveEpochs(dir, [3, 4]);
      expect(readdirSync(dir).filter((name) => name.includes(".tmp-"))).toEqual([]);
      expect(await loadTrainingCheckpoint(dir, fingerprint)).toEqual(checkpointAt(4, 2));
    }
    expect([...outcomes].sort()).toEqual([2, 3]);
  });

  it.each([
    ["a truncated table", "epoch-000004-ego.npy", (path: string) => truncateSync(path, 100)],
    ["a changed byte", "epoch-000004-adam-v.npy", (path: string) => flipLastByte(path)],
    ["a missing table", "epoch-000004-adam-m.npy", (path: string) => rmSync(path)],
    ["a half-written manifest", "epoch-000004.json", (path: string) => truncateSync(path, 40)],
  ])("%s in the newest checkpoint: the one before is used, with a warning", async (_what, file, damage) => {
    const dir = freshDir();
    await saveEpochs(dir, [1, 2, 3, 4]);
    damage(join(dir, file));
    const logger = new RecordingLogger();
    const loaded = await loadTrainingCheckpoint(dir, fingerprint, logger);
    expect(loaded).toEqual(checkpointAt(3, 2));
    const warning = logger.records.find((r) => r.level === "warn");
    expect(warning?.message).toMatch(/epoch 3: newer ones are damaged/);
    expect(JSON.stringify(warning?.fields)).toContain(file);
  });

  it("every checkpoint damaged is a DataFormatError naming each file; none at all is undefined", async () => {
    const dir = freshDir();
    await saveEpochs(dir, [1, 2]);
    flipLastByte(join(dir, "epoch-000002-ego.npy"));
    writeFileSync(join(dir, "epoch-000001.json"), "{");
    const error = await loadTrainingCheckpoint(dir, fingerprint).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataFormatError);
    expect((error as Error).message).toMatch(/no usable training checkpoint/);
    expect((error as Error).message).toMatch(/epoch-000002-ego\.npy: sha256 differs/);
    expect((error as Error).message).toMatch(/epoch-000001\.json: not a readable checkpoint manifest/);
    expect(await loadTrainingCheckpoint(join(root, "nowhere"), fingerprint)).toBeUndefined();
  });

  it("a checkpoint of other data or another model shape is a ConfigError saying what differs", async () => {
    const dir = freshDir();
    await saveEpochs(dir, [1]);
    const otherTrain = csrFromPairs(users, items, Int32Array.from([0, 1]), Int32Array.from([0, 1]));
    await expect(loadTrainingCheckpoint(dir, checkpointFingerprint("lightgcn", otherTrain, dim))).rejects.toThrow(
      /training interactions differ/,
    );
    await expect(loadTrainingCheckpoint(dir, { ...fingerprint, dim: 8 })).rejects.toThrow(ConfigError);
    await expect(loadTrainingCheckpoint(dir, { ...fingerprint, dim: 8 })).rejects.toThrow(/dim 4 \(now 8\)/);
  });
});

function flipLastByte(path: string): void {
  const bytes = readFileSync(path);
  bytes[bytes.length - 1] ^= 0xff;
  writeFileSync(path, bytes);
}
