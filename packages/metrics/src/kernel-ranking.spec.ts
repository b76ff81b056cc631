import { describe, expect, it } from "vitest";
import { createMatrix, createRng, csrFromPairs } from "@llminit/core";
import type { Csr } from "@llminit/core";
import { evaluateFullRanking } from "./evaluate-full-ranking.js";
import { kernelDotProductScorer } from "./kernel-dot-product-scorer.js";
import { createKernelRanking } from "./kernel-ranking.js";

function randomCsr(rows: number, cols: number, perRow: number, seed: number): Csr {
  const rng = createRng(seed);
  const r: number[] = [];
  const c: number[] = [];
  for (let u = 0; u < rows; u++)
    for (let e = 0; e < perRow; e++) {
      r.push(u);
      c.push(rng.int(cols));
    }
  return csrFromPairs(rows, cols, r, c);
}

function randomMatrix(rows: number, cols: number, seed: number, round = false) {
  const rng = createRng(seed);
  // Rounded values make many exactly tied scores: the tie rule is exercised.
  return createMatrix(
    rows,
    cols,
    Float32Array.from({ length: rows * cols }, () => (round ? Math.round(rng.normal() * 2) / 2 : rng.normal())),
  );
}

describe("createKernelRanking", () => {
  it.each([1, 2])(
    "%i thread(s): the same evaluation as the kernel scorer + JS top-K, for any chunk size",
    async (threads) => {
      const [users, items, dim] = [90, 61, 6];
      const user = randomMatrix(users, dim, 1, true);
      const item = randomMatrix(items, dim, 2, true);
      const train = randomCsr(users, items, 5, 3);
      const valid = randomCsr(users, items, 1, 4);
      const truth = randomCsr(users, items, 2, 5);
      const ranking = createKernelRanking({ threads });
      try {
        const common = { numUsers: users, numItems: items, truth, exclude: [train, valid], ks: [1, 5, 20, 70] };
        const reference = await evaluateFullRanking({ ...common, score: kernelDotProductScorer(user, item) });
        for (const chunkSize of [1, 7, 256]) {
          const result = await evaluateFullRanking({ ...common, rank: ranking.ranker(user, item), chunkSize });
          expect(result).toEqual(reference);
        }
      } finally {
        ranking.dispose();
      }
    },
  );

  it("reuses its buffers across rankers and names a user with a NaN score", async () => {
    const ranking = createKernelRanking();
    const truth = randomCsr(4, 5, 1, 6);
    const good = randomMatrix(4, 3, 7);
    await evaluateFullRanking({ numUsers: 4, numItems: 5, truth, rank: ranking.ranker(good, randomMatrix(5, 3, 8)) });
    const bad = randomMatrix(4, 3, 9);
    bad.data[2 * 3 + 1] = NaN;
    await expect(
      evaluateFullRanking({ numUsers: 4, numItems: 5, truth, rank: ranking.ranker(bad, randomMatrix(5, 3, 8)) }),
    ).rejects.toThrow(/user 2: score of item \d is NaN/);
    expect(() => ranking.ranker(good, randomMatrix(5, 4, 1))).toThrow(/columns/);
    ranking.dispose();
  });
});
