// Before/after timing of training, for changes too small for one `pnpm bench speed` run to show.
// Usage: node apps/bench/scripts/ab-train.mjs ROOT THREADS DIM LAYERS BATCH EPOCHS
// ROOT is a built checkout of this repository; run it alternately on two checkouts. Trains LightGCN
// (kernels engine, xavier, seed 7) on a fixed generated graph and prints one JSON line: total
// seconds, median epoch seconds and the last loss (equal across checkouts when the maths is).
const [root, threads, dim, layers, batch, epochs] = process.argv.slice(2);
if (epochs === undefined) {
  console.error("usage: node ab-train.mjs ROOT THREADS DIM LAYERS BATCH EPOCHS");
  process.exit(2);
}
const core = await import(`${root}/packages/core/dist/index.js`);
const models = await import(`${root}/packages/models/dist/index.js`);

// 943 users × 1,682 items × 80,000 distinct pairs, skewed towards low ids (ml-100k's shape).
const rng = core.createRng(2020);
const users = 943;
const items = 1682;
const seen = new Set();
const us = [];
const is = [];
while (us.length < 80_000) {
  const u = Math.floor(users * Math.pow(rng.next(), 1.5));
  const i = Math.floor(items * Math.pow(rng.next(), 2));
  if (seen.has(u * items + i)) continue;
  seen.add(u * items + i);
  us.push(u);
  is.push(i);
}
const train = core.csrFromPairs(users, items, Int32Array.from(us), Int32Array.from(is));
const config = {
  ...models.modelDefaults.lightgcn,
  model: "lightgcn",
  dim: Number(dim),
  layers: Number(layers),
  batchSize: Number(batch),
  learningRate: 1e-3,
  epochs: Number(epochs),
  patience: 1000,
};
const t0 = performance.now();
const result = await models.trainModel({
  train,
  config,
  init: { kind: "xavier" },
  rng: core.createRng(7),
  engine: "kernels",
  threads: Number(threads),
  logger: core.silentLogger,
});
const seconds = result.history.map((h) => h.seconds).sort((a, b) => a - b);
const total = (performance.now() - t0) / 1000;
console.log(JSON.stringify({ total, median: seconds[seconds.length >> 1], loss: result.history.at(-1).loss }));
