// Seconds per epoch on a synthetic graph of Amazon-Office size after leave-one-out
// (3,260 users, 1,583 items, ~29.9k train edges), d = 128, 2 LightGCN layers, lr 1e-3.
// Run after `pnpm run build`:
//   node bench/epoch.mjs [kernels|kernels:<threads>|wasm|cpu|tfjs-node…=kernels] [epochs=3] [batch sizes=256,2048] [model=lightgcn|mf|sgl|sgcl] [key=value …]
// The model's own defaults (modelDefaults) apply, then d = 128, K = 2, then any key=value
// overrides, e.g. `sslNegatives=batch augmentation=rw`.
import { createRng, csrFromPairs, silentLogger } from "@llminit/core";
import { modelDefaults, trainModel } from "../dist/index.js";

// "kernels" (optionally "kernels:2" for threads) is the kernels engine; anything else a tfjs backend.
const where = process.argv[2] ?? "kernels";
const backend = where.startsWith("kernels") ? undefined : where;
const engineOptions = where.startsWith("kernels")
  ? { engine: "kernels", threads: Number(where.split(":")[1] ?? 1) }
  : { engine: "tfjs", backend };
const epochs = Number(process.argv[3] ?? 3);
const batches = (process.argv[4] ?? "256,2048").split(",").map(Number);
const model = process.argv[5] ?? "lightgcn";
const overrides = Object.fromEntries(
  process.argv.slice(6).map((arg) => {
    const [key, value] = arg.split("=");
    return [key, value !== "" && !Number.isNaN(Number(value)) ? Number(value) : value];
  }),
);
const USERS = 3260;
const ITEMS = 1583;
const EDGES = 29900;

// Power-law-ish item popularity, every user at least 5 items.
const rng = createRng(7).child("graph");
const weights = Float64Array.from({ length: ITEMS }, (_, i) => 1 / Math.pow(i + 1, 0.8));
const cumulative = new Float64Array(ITEMS);
let total = 0;
for (let i = 0; i < ITEMS; i++) cumulative[i] = total += weights[i];
const drawItem = () => {
  const x = rng.next() * total;
  let lo = 0;
  let hi = ITEMS - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cumulative[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};
const rows = [];
const cols = [];
const seen = new Set();
const add = (u, i) => {
  const key = u * ITEMS + i;
  if (seen.has(key)) return false;
  seen.add(key);
  rows.push(u);
  cols.push(i);
  return true;
};
for (let u = 0; u < USERS; u++) for (let n = 0; n < 5;) if (add(u, drawItem())) n++;
while (rows.length < EDGES) add(rng.int(USERS), drawItem());
const train = csrFromPairs(USERS, ITEMS, rows, cols);
console.log(
  `graph: ${USERS} users, ${ITEMS} items, ${train.indptr[USERS]} train edges; model ${model}, d = 128, layers = 2, engine ${where}` +
    (Object.keys(overrides).length > 0 ? `, ${JSON.stringify(overrides)}` : ""),
);

// Per-step wall times from the progress ticks: on a shared machine the fastest steps show what an
// idle core does, the median what this run got.
function stepTimer() {
  const steps = [];
  return {
    steps,
    begin() {
      let last = performance.now();
      return {
        tick() {
          const now = performance.now();
          steps.push(now - last);
          last = now;
        },
        end() {},
      };
    },
  };
}

for (const batchSize of batches) {
  const timer = stepTimer();
  const result = await trainModel({
    progress: timer,
    train,
    config: {
      ...modelDefaults[model],
      model,
      dim: 128,
      layers: 2,
      learningRate: 1e-3,
      batchSize,
      epochs,
      patience: 10,
      ...overrides,
    },
    init: { kind: "xavier" },
    rng: createRng(2020),
    ...engineOptions,
    logger: silentLogger,
  });
  const seconds = result.history.map((r) => r.seconds);
  const sorted = [...seconds].sort((a, b) => a - b);
  console.log(
    `batch ${batchSize}: ${Math.ceil(train.indptr[USERS] / batchSize)} steps/epoch, seconds/epoch ${seconds.map((s) => s.toFixed(2)).join(", ")} (median ${sorted[Math.floor(sorted.length / 2)].toFixed(2)}), ` +
      `loss ${result.history.map((r) => r.loss.toFixed(4)).join(" → ")}, backend ${result.backend}`,
  );
  const steps = [...timer.steps].sort((a, b) => a - b);
  const perEpoch = Math.ceil(train.indptr[USERS] / batchSize);
  console.log(
    `  ms/step: min ${steps[0].toFixed(1)}, p10 ${steps[Math.floor(steps.length / 10)].toFixed(1)}, median ${steps[steps.length >> 1].toFixed(1)}` +
      ` → p10 × steps = ${((steps[Math.floor(steps.length / 10)] * perEpoch) / 1000).toFixed(2)} s/epoch`,
  );
}
