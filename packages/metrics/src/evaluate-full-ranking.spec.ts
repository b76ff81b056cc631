import { ConfigError, RecordingProgress, createRng, csrFromPairs } from "@llminit/core";
import type { Csr, Rng } from "@llminit/core";
import { describe, expect, it } from "vitest";
import { DEFAULT_DEGREE_BUCKETS, evaluateFullRanking } from "./evaluate-full-ranking.js";
import type { DegreeBucket, EvaluateOptions, EvaluationResult } from "./evaluate-full-ranking.js";
import { METRICS } from "./metric-registry.js";
import type { UserMetric } from "./ranking-metric.js";

const L3 = Math.log2(3);

function csr(rows: number, cols: number, lists: number[][]): Csr {
  const r: number[] = [];
  const c: number[] = [];
  lists.forEach((items, u) => items.forEach((item) => (r.push(u), c.push(item))));
  return csrFromPairs(rows, cols, r, c);
}

/** A score callback over a dense users × items table (tests only), recording its calls. */
function tableScorer(
  table: Float32Array,
  numItems: number,
  calls: number[][] = [],
): NonNullable<EvaluateOptions["score"]> {
  return (users, out) => {
    calls.push(Array.from(users));
    expect(out.length).toBe(users.length * numItems);
    for (let i = 0; i < users.length; i++)
      out.set(table.subarray(users[i] * numItems, (users[i] + 1) * numItems), i * numItems);
  };
}

describe("evaluateFullRanking on a hand-computed case", () => {
  // 4 users × 5 items.
  const numUsers = 4;
  const numItems = 5;
  const table = Float32Array.from([
    // u0: item 1 masked (train) → ranking 2, 0, 4, 3; truth {2, 4} → hits at ranks 1, 3
    0.5, 0.9, 0.9, 0.1, 0.3,
    // u1: no truth → skipped
    1, 2, 3, 4, 5,
    // u2: all tied; train {0}, valid {1} masked → ranking 2, 3, 4; truth {4} → hit at rank 3
    1, 1, 1, 1, 1,
    // u3: ranking 4, 3, 2, 1, 0; truth {0} → hit at rank 5
    0, 0.5, 0.6, 0.7, 0.8,
  ]);
  const truth = csr(numUsers, numItems, [[2, 4], [], [4], [0]]);
  const train = csr(numUsers, numItems, [[1], [0], [0], []]);
  const valid = csr(numUsers, numItems, [[], [], [1], []]);

  async function run(extra: Partial<EvaluateOptions> = {}): Promise<EvaluationResult> {
    return evaluateFullRanking({
      numUsers,
      numItems,
      score: tableScorer(table, numItems),
      truth,
      exclude: [train, valid],
      ks: [10, 2], // 10 > catalogue size: lists are just shorter
      ...extra,
    });
  }

  it("computes every metric at every k, skipping users without truth", async () => {
    const result = await run();
    expect(result.users).toBe(3);
    expect(result.skippedUsers).toBe(1);
    expect(result.maskedTruthItems).toBe(0);
    const idcg2 = 1 + 1 / L3;
    const expected: Record<string, number> = {
      // per user: u0, u2, u3
      "recall@2": (1 / 2 + 0 + 0) / 3,
      "recall@10": (1 + 1 + 1) / 3,
      "precision@2": (1 / 2 + 0 + 0) / 3,
      "precision@10": (2 / 10 + 1 / 10 + 1 / 10) / 3,
      "hit@2": 1 / 3,
      "hit@10": 1,
      "mrr@2": (1 + 0 + 0) / 3,
      "mrr@10": (1 + 1 / 3 + 1 / 5) / 3,
      "ndcg@2": (1 / idcg2 + 0 + 0) / 3,
      "ndcg@10": ((1 + 1 / 2) / idcg2 + 1 / 2 + 1 / Math.log2(6)) / 3,
      "map@2": (1 / 2 + 0 + 0) / 3,
      "map@10": ((1 + 2 / 3) / 2 + 1 / 3 + 1 / 5) / 3,
    };
    expect(Object.keys(result.metrics).sort()).toEqual(Object.keys(expected).sort());
    for (const [key, value] of Object.entries(expected)) expect(result.metrics[key], key).toBeCloseTo(value, 14);
    // Keys come in canonical metric order, ascending k.
    expect(Object.keys(result.metrics).slice(0, 4)).toEqual(["recall@2", "recall@10", "ndcg@2", "ndcg@10"]);
  });

  it("reports the registry's beyond-accuracy metrics: coverage, popularity (ARP) and novelty", async () => {
    const itemPopularity = Int32Array.of(1, 2, 4, 0, 3);
    const result = await run({ itemPopularity, metrics: ["coverage", "popularity", "novelty", "hit"] });
    // Keys follow the registry's order, whatever order they were asked in.
    expect(Object.keys(result.metrics)).toEqual([
      "hit@2",
      "hit@10",
      "novelty@2",
      "novelty@10",
      "popularity@2",
      "popularity@10",
      "coverage@2",
      "coverage@10",
    ]);
    // top-2 lists: u0 {2, 0}, u2 {2, 3}, u3 {4, 3}
    expect(result.metrics["coverage@2"]).toBe(4 / 5);
    expect(result.metrics["coverage@10"]).toBe(1);
    expect(result.metrics["popularity@2"]).toBeCloseTo((5 / 2 + 4 / 2 + 3 / 2) / 3, 12);
    // full lists: u0 {2, 0, 4, 3}, u2 {2, 3, 4}, u3 {4, 3, 2, 1, 0}
    expect(result.metrics["popularity@10"]).toBeCloseTo((8 / 4 + 7 / 3 + 10 / 5) / 3, 12);
    // Self-information −log2(max(pop, 1) / 4 users): item 3 (never seen) counts as seen once.
    const info = (item: number) => -Math.log2(Math.max(itemPopularity[item], 1) / 4);
    const mean = (items: number[]) => items.reduce((s, i) => s + info(i), 0) / items.length;
    expect(result.metrics["novelty@2"]).toBeCloseTo((mean([2, 0]) + mean([2, 3]) + mean([4, 3])) / 3, 12);
    expect(result.metrics["novelty@10"]).toBeCloseTo(
      (mean([2, 0, 4, 3]) + mean([2, 3, 4]) + mean([4, 3, 2, 1, 0])) / 3,
      12,
    );
    // The per-user metrics break down by degree; coverage (over all lists) does not.
    const byDegree = await run({
      itemPopularity,
      metrics: ["coverage", "novelty"],
      userDegrees: Int32Array.of(1, 0, 5, 20),
    });
    expect(Object.keys(byDegree.byDegree[0].metrics)).toEqual(["novelty@2", "novelty@10"]);
  });

  it("refuses a metric whose needs are not given, naming the option and the metric", async () => {
    const error = await run({ metrics: ["recall", "novelty"] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).key).toBe("itemPopularity");
    expect((error as Error).message).toMatch(/novelty/);
  });

  it("returns every evaluated user's per-user values, whose means are the metrics", async () => {
    const result = await run({ perUser: true, metrics: ["recall", "mrr", "coverage"] });
    const table = result.perUser!;
    expect(Array.from(table.users)).toEqual([0, 2, 3]);
    expect(table.columns).toEqual(["recall@2", "recall@10", "mrr@2", "mrr@10"]);
    expect(Array.from(table.values)).toEqual([0.5, 1, 1, 1, 0, 1, 0, 1 / 3, 0, 1, 0, 1 / 5]);
    table.columns.forEach((key, c) => {
      const values = [0, 1, 2].map((row) => table.values[row * table.columns.length + c]);
      expect(result.metrics[key]).toBe((values[0] + values[1] + values[2]) / 3);
    });
    expect((await run()).perUser).toBeUndefined();
  });

  it("takes a caller's own metric object, with a per-user accumulate, and leaves NaN values out of the mean", async () => {
    // Reciprocal of the list length: undefined (NaN) for nobody here; the second one skips user 2.
    const listLength: UserMetric = {
      name: "length",
      title: "Length",
      description: "items in the top k",
      needs: ["ranking"],
      scope: "user",
      prepare:
        ({ ks }) =>
        (ranking, out, offset) => {
          ks.forEach((k, c) => (out[offset + c] = ranking.user === 2 ? NaN : Math.min(k, ranking.items.length)));
        },
    };
    const result = await run({ metrics: [listLength, "hit"], perUser: true });
    expect(result.metrics).toEqual({ "hit@2": 1 / 3, "hit@10": 1, "length@2": 2, "length@10": (4 + 5) / 2 });
    expect(result.perUser!.columns).toEqual(["hit@2", "hit@10", "length@2", "length@10"]);
    const clash = { ...listLength, name: "recall" };
    await expect(run({ metrics: [clash] })).rejects.toThrow(/registered name "recall"/);
  });

  it("breaks metrics down by training degree", async () => {
    const result = await run({ userDegrees: Int32Array.of(1, 0, 5, 20), metrics: ["hit", "mrr"] });
    expect(result.byDegree.map((g) => [g.bucket, g.users])).toEqual([
      ["<=3", 1],
      ["4-7", 1],
      ["8-15", 0],
      [">15", 1],
    ]);
    expect(result.byDegree[0].metrics).toEqual({ "mrr@2": 1, "mrr@10": 1, "hit@2": 1, "hit@10": 1 });
    expect(result.byDegree[1].metrics).toEqual({ "mrr@2": 0, "mrr@10": 1 / 3, "hit@2": 0, "hit@10": 1 });
    expect(result.byDegree[2].metrics["hit@2"]).toBeNaN();
    expect(result.byDegree[3].metrics).toEqual({ "mrr@2": 0, "mrr@10": 0.2, "hit@2": 0, "hit@10": 1 });
    expect((await run()).byDegree).toEqual([]);
  });

  it("puts users outside every custom bucket in an 'other' group", async () => {
    const buckets: DegreeBucket[] = [{ label: "cold", min: 0, max: 2 }];
    const result = await run({ userDegrees: Int32Array.of(1, 0, 5, 20), buckets, metrics: ["hit"], ks: [2] });
    expect(result.byDegree).toEqual([
      { bucket: "cold", users: 1, metrics: { "hit@2": 1 } },
      { bucket: "other", users: 2, metrics: { "hit@2": 0 } },
    ]);
  });

  it("masks train items only when valid is not excluded", async () => {
    // With valid masked u2's truth item 4 is at rank 3 (hit@3 = 2/3 over u0, u2, u3); without
    // it u2 ranks 1, 2, 3, 4 and item 4 falls to rank 4.
    const withValid = await run({ ks: [3], metrics: ["hit"] });
    expect(withValid.metrics["hit@3"]).toBeCloseTo(2 / 3, 15);
    const result = await evaluateFullRanking({
      numUsers,
      numItems,
      score: tableScorer(table, numItems),
      truth,
      exclude: [train],
      ks: [3],
      metrics: ["hit"],
    });
    expect(result.metrics["hit@3"]).toBeCloseTo(1 / 3, 15);
  });

  it("counts truth items that are masked and still divides by |truth|", async () => {
    const result = await evaluateFullRanking({
      numUsers,
      numItems,
      score: tableScorer(table, numItems),
      truth: csr(numUsers, numItems, [[1, 2], [], [], []]),
      exclude: [train],
      ks: [5],
      metrics: ["recall"],
    });
    expect(result.maskedTruthItems).toBe(1);
    expect(result.metrics["recall@5"]).toBe(0.5);
  });

  it("calls the scorer in chunks of evaluated users and reports progress", async () => {
    const calls: number[][] = [];
    const progress = new RecordingProgress();
    await evaluateFullRanking({
      numUsers,
      numItems,
      score: tableScorer(table, numItems, calls),
      truth,
      exclude: [train],
      chunkSize: 2,
      progress,
    });
    expect(calls).toEqual([[0, 2], [3]]);
    expect(progress.tasks).toEqual([expect.objectContaining({ total: 3, done: 3, ticks: 2, ended: true })]);
  });

  it("throws when the scorer leaves a score NaN, and honours an abort signal", async () => {
    await expect(evaluateFullRanking({ numUsers, numItems, score: () => {}, truth })).rejects.toThrow(
      /user 0: top-K: score of item 0 is NaN/,
    );
    const controller = new AbortController();
    controller.abort(new Error("stop"));
    await expect(
      evaluateFullRanking({
        numUsers,
        numItems,
        score: tableScorer(table, numItems),
        truth,
        signal: controller.signal,
      }),
    ).rejects.toThrow("stop");
  });

  it("averages to NaN when no user has truth items", async () => {
    const result = await evaluateFullRanking({
      numUsers,
      numItems,
      score: tableScorer(table, numItems),
      truth: csr(numUsers, numItems, []),
      ks: [1],
      metrics: ["hit"],
    });
    expect(result.users).toBe(0);
    expect(result.skippedUsers).toBe(4);
    expect(result.metrics["hit@1"]).toBeNaN();
    const withCoverage = await evaluateFullRanking({
      numUsers,
      numItems,
      score: tableScorer(table, numItems),
      truth: csr(numUsers, numItems, []),
      ks: [1],
      metrics: ["coverage"],
    });
    expect(withCoverage.metrics["coverage@1"]).toBe(0);
  });
});

describe("evaluateFullRanking option validation", () => {
  const truth = csr(2, 3, [[0], [1]]);
  const base: EvaluateOptions = { numUsers: 2, numItems: 3, score: (_users, out) => void out.fill(0), truth };
  const cases: [string, Partial<EvaluateOptions> & Record<string, unknown>][] = [
    ["numItems", { numItems: 0 }],
    ["truth", { truth: csr(3, 3, []) }],
    ["truth", { numItems: 4 }],
    ["exclude[1]", { exclude: [truth, csr(2, 4, [])] }],
    ["ks[1]", { ks: [10, 0] }],
    ["ks[0]", { ks: [2.5] }],
    ["ks", { ks: [] }],
    ["metrics[1]", { metrics: ["ndcg", "auc"] }],
    ["metrics", { metrics: [] }],
    ["metrics[0].scope", { metrics: [{ name: "x", scope: "list" } as never] }],
    ["metrics[0].name", { metrics: [{ name: "a b" } as never] }],
    ["itemPopularity", { metrics: ["popularity"] }],
    ["chunkSize", { chunkSize: 0 }],
    ["userDegrees", { userDegrees: new Int32Array(3) }],
    ["itemPopularity", { itemPopularity: new Int32Array(2) }],
    [
      "buckets[1]",
      {
        buckets: [
          { label: "a", min: 0, max: 5 },
          { label: "b", min: 5, max: Infinity },
        ],
      },
    ],
    ["buckets[0].max", { buckets: [{ label: "a", min: 4, max: 3 }] }],
    ["buckets[1].label", { buckets: [DEFAULT_DEGREE_BUCKETS[0], { label: "<=3", min: 9, max: 9 }] }],
    ["score", { score: undefined }],
    ["score", { rank: () => undefined }],
  ];
  it.each(cases)("rejects a bad %s with a ConfigError naming it", async (key, patch) => {
    const error = await evaluateFullRanking({ ...base, ...patch }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).key).toBe(key);
  });

  it("rejects a malformed CSR with the broken invariant", async () => {
    const broken: Csr = { rows: 2, cols: 3, indptr: Int32Array.of(0, 1, 2), indices: Int32Array.of(0, 7) };
    await expect(evaluateFullRanking({ ...base, exclude: [broken] })).rejects.toThrow(/exclude\[0\].*out of range/);
  });
});

// ---------------------------------------------------------------------------------------------
// Random data: chunk-size invariance and a float64 brute-force reference.

interface RandomCase {
  numUsers: number;
  numItems: number;
  table: Float32Array;
  truth: Csr;
  train: Csr;
  valid: Csr;
  userDegrees: Int32Array;
  itemPopularity: Int32Array;
}

function randomLists(
  rng: Rng,
  numUsers: number,
  numItems: number,
  maxPerUser: number,
  taken: Set<number>[],
): number[][] {
  return Array.from({ length: numUsers }, (_, u) => {
    const count = rng.int(maxPerUser + 1);
    const items: number[] = [];
    for (let t = 0; t < count; t++) {
      const item = rng.int(numItems);
      if (taken[u].has(item)) continue;
      taken[u].add(item);
      items.push(item);
    }
    return items;
  });
}

function randomCase(seed: number, numUsers: number, numItems: number, levels: number): RandomCase {
  const rng = createRng(seed);
  const table = new Float32Array(numUsers * numItems);
  // Few distinct levels → many ties.
  for (let i = 0; i < table.length; i++) table[i] = levels > 0 ? rng.int(levels) / levels : rng.normal();
  const taken = Array.from({ length: numUsers }, () => new Set<number>());
  const truthLists = randomLists(rng, numUsers, numItems, 4, taken);
  const trainLists = randomLists(rng, numUsers, numItems, Math.floor(numItems * 0.8), taken);
  const validLists = randomLists(rng, numUsers, numItems, 2, taken);
  const itemPopularity = new Int32Array(numItems);
  for (let j = 0; j < numItems; j++) itemPopularity[j] = rng.int(100);
  return {
    numUsers,
    numItems,
    table,
    truth: csr(numUsers, numItems, truthLists),
    train: csr(numUsers, numItems, trainLists),
    valid: csr(numUsers, numItems, validLists),
    userDegrees: Int32Array.from(trainLists, (l) => l.length),
    itemPopularity,
  };
}

/** Independent float64 reference: sort all unmasked items, then the textbook formulas. */
function bruteForce(data: RandomCase, ks: number[], buckets: readonly DegreeBucket[]): EvaluationResult {
  const { numUsers, numItems, table } = data;
  const sums: Record<string, number> = {};
  const groupSums = buckets.map(() => ({ users: 0, sums: {} as Record<string, number> }));
  const recommended = ks.map(() => new Set<number>());
  let users = 0;
  const add = (target: Record<string, number>, key: string, value: number): void => {
    target[key] = (target[key] ?? 0) + value;
  };
  for (let u = 0; u < numUsers; u++) {
    const truthItems = new Set(Array.from(data.truth.indices.subarray(data.truth.indptr[u], data.truth.indptr[u + 1])));
    if (truthItems.size === 0) continue;
    users++;
    const maskedItems = new Set([
      ...Array.from(data.train.indices.subarray(data.train.indptr[u], data.train.indptr[u + 1])),
      ...Array.from(data.valid.indices.subarray(data.valid.indptr[u], data.valid.indptr[u + 1])),
    ]);
    const order: number[] = [];
    for (let j = 0; j < numItems; j++) if (!maskedItems.has(j)) order.push(j);
    order.sort((a, b) => table[u * numItems + b] - table[u * numItems + a] || a - b);
    const group = groupSums[buckets.findIndex((b) => data.userDegrees[u] >= b.min && data.userDegrees[u] <= b.max)];
    group.users++;
    ks.forEach((k, c) => {
      const top = order.slice(0, k);
      top.forEach((item) => recommended[c].add(item));
      // Every random user here has rankable items: no empty list, so no NaN to leave out.
      expect(top.length).toBeGreaterThan(0);
      const popularity = top.reduce((s, item) => s + data.itemPopularity[item], 0) / top.length;
      const novelty =
        top.reduce((s, item) => s - Math.log2(Math.max(data.itemPopularity[item], 1) / numUsers), 0) / top.length;
      let hitCount = 0;
      let dcg = 0;
      let ap = 0;
      let rr = 0;
      top.forEach((item, p) => {
        if (!truthItems.has(item)) return;
        hitCount++;
        dcg += 1 / Math.log2(p + 2);
        ap += hitCount / (p + 1);
        if (rr === 0) rr = 1 / (p + 1);
      });
      let idcg = 0;
      for (let p = 0; p < Math.min(truthItems.size, k); p++) idcg += 1 / Math.log2(p + 2);
      const values: Record<string, number> = {
        recall: hitCount / truthItems.size,
        ndcg: dcg / idcg,
        mrr: rr,
        hit: hitCount > 0 ? 1 : 0,
        precision: hitCount / k,
        map: ap / Math.min(truthItems.size, k),
        novelty,
        popularity,
      };
      for (const [name, value] of Object.entries(values)) {
        add(sums, `${name}@${k}`, value);
        add(group.sums, `${name}@${k}`, value);
      }
    });
  }
  const mean = (s: Record<string, number>, n: number): Record<string, number> =>
    Object.fromEntries(Object.entries(s).map(([key, v]) => [key, v / n]));
  const metrics = mean(sums, users);
  ks.forEach((k, c) => (metrics[`coverage@${k}`] = recommended[c].size / numItems));
  return {
    metrics,
    users,
    skippedUsers: numUsers - users,
    maskedTruthItems: 0,
    byDegree: buckets.map((b, i) => ({
      bucket: b.label,
      users: groupSums[i].users,
      metrics: mean(groupSums[i].sums, groupSums[i].users),
    })),
  };
}

function expectRelClose(actual: Record<string, number>, expected: Record<string, number>, label: string): void {
  expect(Object.keys(actual).sort(), label).toEqual(Object.keys(expected).sort());
  for (const [key, value] of Object.entries(expected)) {
    const got = actual[key];
    const scale = Math.max(Math.abs(value), 1e-300);
    expect(Math.abs(got - value) / scale, `${label} ${key}: ${got} vs ${value}`).toBeLessThanOrEqual(1e-9);
  }
}

describe("evaluateFullRanking on random data", () => {
  it("gives identical results for chunk sizes 1, 7 and all users (sync and async scorers)", async () => {
    const data = randomCase(2020, 50, 37, 6);
    const run = (chunkSize: number, asyncScorer: boolean): Promise<EvaluationResult> => {
      const scorer = tableScorer(data.table, data.numItems);
      return evaluateFullRanking({
        numUsers: data.numUsers,
        numItems: data.numItems,
        score: asyncScorer
          ? async (users, out) => {
              await new Promise((r) => setTimeout(r, 0));
              await scorer(users, out);
            }
          : scorer,
        truth: data.truth,
        exclude: [data.train, data.valid],
        ks: [1, 5, 20, 50],
        chunkSize,
        userDegrees: data.userDegrees,
        itemPopularity: data.itemPopularity,
      });
    };
    const reference = await run(data.numUsers, false);
    expect(reference.skippedUsers).toBeGreaterThan(0);
    expect(reference.users).toBeGreaterThan(30);
    for (const chunkSize of [1, 7, 1000]) expect(await run(chunkSize, false)).toEqual(reference);
    expect(await run(7, true)).toEqual(reference);
  });

  it.each([
    ["many ties", 11, 4],
    ["continuous scores", 12, 0],
  ])("agrees with a float64 brute-force full sort (%s) to 1e-9 relative", async (_name, seed, levels) => {
    const data = randomCase(seed, 200, 120, levels);
    const ks = [1, 3, 10, 20, 50, 200]; // 200 > 120 items
    const buckets: DegreeBucket[] = [
      { label: "light", min: 0, max: 30 },
      { label: "mid", min: 31, max: 60 },
      { label: "heavy", min: 61, max: Infinity },
    ];
    const result = await evaluateFullRanking({
      numUsers: data.numUsers,
      numItems: data.numItems,
      score: tableScorer(data.table, data.numItems),
      truth: data.truth,
      exclude: [data.train, data.valid],
      ks,
      chunkSize: 13,
      userDegrees: data.userDegrees,
      buckets,
      itemPopularity: data.itemPopularity,
      metrics: [...METRICS.keys()],
    });
    const expected = bruteForce(data, ks, buckets);
    expect(result.users).toBe(expected.users);
    expect(result.skippedUsers).toBe(expected.skippedUsers);
    expect(Object.keys(result.metrics)).toHaveLength(METRICS.size * ks.length);
    expectRelClose(result.metrics, expected.metrics, "overall");
    expect(result.byDegree.map((g) => [g.bucket, g.users])).toEqual(expected.byDegree.map((g) => [g.bucket, g.users]));
    result.byDegree.forEach((group, i) => {
      expect(group.users).toBeGreaterThan(0);
      expectRelClose(group.metrics, expected.byDegree[i].metrics, group.bucket);
    });
    // The data really exercise the edge cases.
    expect(result.metrics["hit@200"]).toBeGreaterThan(result.metrics["hit@1"]);
    expect(result.metrics["precision@200"]).toBeLessThan(result.metrics["recall@200"] / 2);
  });
});

describe("evaluateFullRanking streams its users", () => {
  // 2 M users, every one with a truth item: a per-user list (4 B each) would add 8 MB of array
  // buffers while the evaluation runs; streamed chunks add only the chunk buffers.
  it("keeps working memory independent of the number of users", async () => {
    const numUsers = 2_000_000;
    const numItems = 8;
    const indptr = new Int32Array(numUsers + 1);
    for (let u = 0; u <= numUsers; u++) indptr[u] = u;
    const indices = new Int32Array(numUsers);
    for (let u = 0; u < numUsers; u++) indices[u] = u % numItems;
    const truth: Csr = { rows: numUsers, cols: numItems, indptr, indices };
    const before = process.memoryUsage().arrayBuffers;
    let peak = 0;
    let calls = 0;
    let next = 0;
    const result = await evaluateFullRanking({
      numUsers,
      numItems,
      truth,
      ks: [1],
      metrics: ["hit"],
      chunkSize: 4096,
      rank: (users, k, _exclude, items, counts) => {
        for (let i = 0; i < users.length; i++) {
          if (users[i] !== next++) throw new Error(`user ${users[i]} out of order`);
          items[i * k] = users[i] % numItems;
          counts[i] = 1;
        }
        if (calls++ % 64 === 0) peak = Math.max(peak, process.memoryUsage().arrayBuffers - before);
      },
    });
    expect(result.users).toBe(numUsers);
    expect(result.metrics["hit@1"]).toBe(1);
    expect(next).toBe(numUsers);
    expect(peak).toBeLessThan(1 << 20);
  });
});
