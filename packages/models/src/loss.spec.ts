import { describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import { selectBackend } from "./backend.js";
import { bprLoss } from "./loss.js";
import { randomValues } from "./test-utils/reference.js";

/** −mean log σ(pos − neg) + λ (‖u‖² + ‖i‖² + ‖j‖²) / 2 / B in float64. */
function reference(
  final: Float32Array,
  ego: Float32Array,
  dim: number,
  users: number[],
  pos: number[],
  neg: number[],
  lambda: number,
): number {
  const dot = (a: number, b: number) => {
    let s = 0;
    for (let c = 0; c < dim; c++) s += final[a * dim + c] * final[b * dim + c];
    return s;
  };
  const sq = (a: number) => {
    let s = 0;
    for (let c = 0; c < dim; c++) s += ego[a * dim + c] ** 2;
    return s;
  };
  let bpr = 0;
  let reg = 0;
  for (let b = 0; b < users.length; b++) {
    bpr += -Math.log(1 / (1 + Math.exp(-(dot(users[b], pos[b]) - dot(users[b], neg[b])))));
    reg += sq(users[b]) + sq(pos[b]) + sq(neg[b]);
  }
  return bpr / users.length + (lambda * reg) / 2 / users.length;
}

describe.each(["wasm", "cpu"] as const)("bprLoss on %s", (backend) => {
  it("matches the float64 formula, with and without regularisation", async () => {
    await selectBackend(backend);
    const dim = 6;
    const nodes = 9;
    const final = randomValues(nodes * dim, 1);
    const ego = randomValues(nodes * dim, 2);
    const users = [0, 1, 1, 2];
    const pos = [3, 5, 4, 8];
    const neg = [6, 3, 7, 3];
    for (const lambda of [0, 1e-4, 0.5]) {
      const stacked = (table: Float32Array) => {
        const rows = [...users, ...pos, ...neg];
        return tf.tensor2d(new Float32Array(rows.flatMap((r) => Array.from(table.subarray(r * dim, (r + 1) * dim)))), [
          rows.length,
          dim,
        ]);
      };
      const value = tf.tidy(
        () => bprLoss(tf, { final: stacked(final), ego: stacked(ego), regWeight: lambda }).dataSync()[0],
      );
      const expected = reference(final, ego, dim, users, pos, neg, lambda);
      expect(Math.abs(value - expected) / expected).toBeLessThan(1e-5);
    }
  });

  it("rejects tables that are not both 3B × dim", async () => {
    await selectBackend(backend);
    tf.tidy(() => {
      expect(() =>
        bprLoss(tf, { final: tf.zeros([4, 2]) as tf.Tensor2D, ego: tf.zeros([4, 2]) as tf.Tensor2D, regWeight: 0 }),
      ).toThrow(/3B × dim/);
      expect(() =>
        bprLoss(tf, { final: tf.zeros([3, 2]) as tf.Tensor2D, ego: tf.zeros([6, 2]) as tf.Tensor2D, regWeight: 0 }),
      ).toThrow(/3B × dim/);
    });
  });

  it("has a finite gradient inside optimizer.minimize", async () => {
    await selectBackend(backend);
    const table = tf.variable(tf.tensor2d(randomValues(5 * 4, 3), [5, 4]));
    const optimizer = tf.train.adam(0.01);
    const indices = (v: number[]) => tf.tensor1d(v, "int32");
    const losses: number[] = [];
    for (let step = 0; step < 20; step++) {
      const loss = optimizer.minimize(() => {
        const rows = tf.gather(table, indices([0, 1, 2, 3, 4, 4])) as tf.Tensor2D;
        return bprLoss(tf, { final: rows, ego: rows, regWeight: 1e-4 });
      }, true);
      losses.push(loss!.dataSync()[0]);
      loss!.dispose();
    }
    table.dispose();
    optimizer.dispose();
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[19]).toBeLessThan(losses[0]);
  });
});
