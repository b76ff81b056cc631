// Micro-benchmark of the tensor ops behind the contrastive losses (wasm), after `pnpm run build`:
//   node bench/ops.mjs [rows=2048] [dim=128]
import { selectBackend } from "../dist/tfjs.js";

const rows = Number(process.argv[2] ?? 2048);
const dim = Number(process.argv[3] ?? 128);
const { tf } = await selectBackend("wasm");
const a = tf.randomNormal([rows, dim]);
const b = tf.randomNormal([rows, dim]);
const bT = tf.transpose(b);
const big = tf.randomNormal([rows, 2 * rows]);
const square = tf.randomNormal([rows, rows]);
function time(label, f, repeats = 5) {
  const times = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    tf.tidy(() => {
      const out = f();
      out.dataSync();
    });
    times.push(performance.now() - t0);
  }
  times.sort((x, y) => x - y);
  console.log(`${label}: min ${times[0].toFixed(1)} ms, median ${times[repeats >> 1].toFixed(1)} ms`);
}
time("matMul(a, bT) [rows×dim · dim×rows]", () => tf.matMul(a, bT));
time("matMul(a, b, false, true)", () => tf.matMul(a, b, false, true));
time("matMul(square, b) [rows×rows · rows×dim]", () => tf.matMul(square, b));
time("matMul(square, b, true, false)", () => tf.matMul(square, b, true, false));
time("transpose(square)", () => tf.transpose(square));
time("exp(rows × 2rows)", () => tf.exp(big));
time("logSumExp(rows × 2rows, 1)", () => tf.logSumExp(big, 1));
time("grad of sum(logSumExp(rows × 2rows, 1))", () => tf.grad((x) => tf.sum(tf.logSumExp(x, 1)))(big));
time("softmax(rows × 2rows)", () => tf.softmax(big));
time("concat([square, square], 1)", () => tf.concat([square, square], 1));
const { pairContrastLoss, infoNceLoss, rowLogSumExp } = await import("../dist/internal.js");
time("grad of sum(rowLogSumExp(rows × 2rows))", () => tf.grad((x) => tf.sum(rowLogSumExp(tf, x)))(big));
const stacked = tf.randomNormal([2 * rows, dim]);
time(`pairContrastLoss value + gradient, B = ${rows}`, () => tf.grad((x) => pairContrastLoss(tf, x, 0.2))(stacked));
const candidates = tf.randomNormal([3260, dim]);
const positives = Int32Array.from({ length: rows }, (_, k) => k % 3260);
time(`infoNceLoss value + gradients, ${rows} anchors × 3260 candidates`, () => {
  const [g1, g2] = tf.grads((x, y) => infoNceLoss(tf, { view1: x, view2: y, positives, temperature: 0.2 }))([
    a,
    candidates,
  ]);
  return tf.add(tf.sum(g1), tf.sum(g2));
});
