import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { csrFromPairs } from "@llminit/core";
import { readNpy } from "@llminit/core/node";
import { runTorchSpeed, TORCH_ABSENT_TEXT } from "./speed-torch.js";

describe("runTorchSpeed", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "speed-torch-spec-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const train = csrFromPairs(3, 4, [0, 0, 1, 2], [1, 3, 0, 2]);
  const truth = csrFromPairs(3, 4, [0, 1, 2], [0, 2, 3]);
  const settings = {
    dim: 4,
    layers: 1,
    batchSize: 2,
    repeats: 1,
    evalRepeats: 1,
    warmups: 0,
    threads: 1,
    topK: 2,
    chunkSize: 2,
    seed: 1,
  };

  async function fakePython(name: string, body: string): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, `#!/bin/sh\n${body}\n`);
    await chmod(path, 0o755);
    return path;
  }

  it("writes the edges as int32 .npy and reports torch missing when the script says so", async () => {
    const python = await fakePython(
      "no-torch",
      `echo "env OMP_WAIT_POLICY=$OMP_WAIT_POLICY" >&2; echo '{"available": false, "reason": "No module named torch"}'`,
    );
    const outcome = await runTorchSpeed({ python, dir, train, truth, ...settings });
    expect(outcome).toEqual({ available: false, reason: TORCH_ABSENT_TEXT, detail: "No module named torch" });
    const users = await readNpy(join(dir, "train_users.npy"));
    const items = await readNpy(join(dir, "train_items.npy"));
    expect(Array.from(users.data as Int32Array)).toEqual([0, 0, 1, 2]);
    expect(Array.from(items.data as Int32Array)).toEqual([1, 3, 0, 2]);
    expect(users.dtype).toBe("int32");
    expect(Array.from((await readNpy(join(dir, "truth_items.npy"))).data as Int32Array)).toEqual([0, 2, 3]);
  });

  it("a crashing script is a failure with its stderr, never numbers", async () => {
    const python = await fakePython("crash", `echo "Traceback: boom" >&2; exit 3`);
    const outcome = await runTorchSpeed({ python, dir, train, truth, ...settings });
    expect(outcome).toEqual({ available: false, reason: "PyTorch run failed (exit 3)", detail: "Traceback: boom" });
  });

  it("passes the results of a working script through, with the OpenMP wait policy set", async () => {
    const log = join(dir, "policy.txt");
    const python = await fakePython(
      "ok",
      `echo "$OMP_WAIT_POLICY" > ${log}; echo '{"available": true, "torch": "9.9", "python": "3", "threads": 1, "blas": "openblas", "propagationMs": 1.5, "trainStepMs": 2, "trainEpochSeconds": 3, "stepsPerEpoch": 2, "epochLosses": [0.69], "fullRankSeconds": 4, "fullRankHits": 1, "peakRssMiB": 100}'`,
    );
    const outcome = await runTorchSpeed({ python, dir, train, truth, ...settings, ompWaitPolicy: "PASSIVE" });
    expect(outcome.available).toBe(true);
    if (outcome.available)
      expect(outcome.result).toMatchObject({
        torch: "9.9",
        propagationMs: 1.5,
        trainEpochSeconds: 3,
        fullRankSeconds: 4,
      });
    expect((await readFile(log, "utf8")).trim()).toBe("PASSIVE");
  });
});
