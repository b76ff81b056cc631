// Times evaluateFullRanking + dotProductScorer at Amazon-Office and Amazon-Beauty sizes on
// synthetic data (random embeddings, one truth item per user, ~degree train items masked).
// Run from packages/metrics:  pnpm run build && node bench/full-ranking.mjs [office|beauty] [chunkSize]
import { createMatrix, createRng, csrFromPairs } from "@llminit/core";
import { dotProductScorer, evaluateFullRanking } from "../dist/index.js";

const SIZES = {
  office: { users: 3260, items: 1583, dim: 128, trainPerUser: 16 },
  beauty: { users: 22363, items: 12101, dim: 64, trainPerUser: 9 },
};

function randomMatrix(rng, rows, cols) {
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = rng.normal() * 0.1;
  return createMatrix(rows, cols, data);
}

function randomCsr(rng, rows, cols, perRow) {
  const r = [];
  const c = [];
  for (let u = 0; u < rows; u++) for (let t = 0; t < perRow; t++) (r.push(u), c.push(rng.int(cols)));
  return csrFromPairs(rows, cols, r, c);
}

async function bench(name, { users, items, dim, trainPerUser }, chunkSize) {
  const rng = createRng(2020);
  const user = randomMatrix(rng.child("user"), users, dim);
  const item = randomMatrix(rng.child("item"), items, dim);
  const train = randomCsr(rng.child("train"), users, items, trainPerUser);
  const truth = randomCsr(rng.child("truth"), users, items, 1);
  const score = dotProductScorer(user, item);
  let scoring = 0;
  const timedScore = (u, out) => {
    const t = performance.now();
    score(u, out);
    scoring += performance.now() - t;
  };
  for (const ks of [[20], [50], [10, 20, 50]]) {
    scoring = 0;
    const start = performance.now();
    const result = await evaluateFullRanking({
      numUsers: users,
      numItems: items,
      score: timedScore,
      truth,
      exclude: [train],
      ks,
      chunkSize,
    });
    const total = performance.now() - start;
    console.log(
      `${name} ${users}×${items} d=${dim} ks=[${ks}] chunk=${chunkSize}: total ${(total / 1000).toFixed(2)} s ` +
        `(scoring ${(scoring / 1000).toFixed(2)} s, top-K + metrics ${((total - scoring) / 1000).toFixed(2)} s), ` +
        `recall@${ks.at(-1)} ${result.metrics[`recall@${ks.at(-1)}`].toFixed(4)}`,
    );
  }
}

const which = process.argv[2];
const chunkSize = Number(process.argv[3] ?? 256);
for (const [name, size] of Object.entries(SIZES))
  if (which === undefined || which === name) await bench(name, size, chunkSize);
