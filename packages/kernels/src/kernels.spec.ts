import { availableParallelism } from "node:os";
import { describe, expect, it } from "vitest";
import { createRng } from "@llminit/core";
import { createKernels, paddedDim } from "./kernels.js";
import { noiseUniform } from "./noise-uniform.js";
import { relativeError } from "./test-utils/relative-error.js";

function randomArray(length: number, seed: number): Float64Array {
  const rng = createRng(seed);
  return Float64Array.from({ length }, () => rng.normal());
}

describe("kernels", () => {
  it("pullRows equals a float64 sparse × dense product, for all rows or a row list, any width", () => {
    const k = createKernels();
    // 5 nodes, CSR with an empty row (2) and a repeated column.
    const indptr = [0, 2, 5, 5, 6, 8];
    const indices = [1, 3, 0, 4, 4, 2, 0, 1];
    const values = [0.5, -1.25, 2, 0.75, 0.5, 1.5, -0.25, 3];
    for (const dim of [1, 3, 4, 7, 16, 21, 24, 30, 40, 52, 64]) {
      const x = randomArray(5 * dim, dim);
      const want = new Float64Array(5 * dim);
      for (let r = 0; r < 5; r++)
        for (let e = indptr[r]; e < indptr[r + 1]; e++)
          for (let c = 0; c < dim; c++) want[r * dim + c] += values[e] * x[indices[e] * dim + c];
      const bp = k.i32(6),
        bi = k.i32(8),
        bv = k.f32(8),
        bx = k.f32(5 * dim),
        bo = k.f32(5 * dim),
        rows = k.i32(2);
      bp.array.set(indptr);
      bi.array.set(indices);
      bv.array.set(values);
      bx.array.set(x);
      k.exports.pullRows(bp.ptr, bi.ptr, bv.ptr, bx.ptr, dim, bo.ptr, 0, 0, 5);
      expect(relativeError(bo.array, want)).toBeLessThan(1e-6);
      // Only rows 3 and 1 (in that order); other rows stay as they were (sentinel 9).
      bo.array.fill(9);
      rows.array.set([3, 1]);
      k.exports.pullRows(bp.ptr, bi.ptr, bv.ptr, bx.ptr, dim, bo.ptr, rows.ptr, 0, 2);
      for (const r of [0, 2, 4])
        expect(Array.from(bo.array.subarray(r * dim, (r + 1) * dim))).toEqual(new Array(dim).fill(9));
      for (const r of [1, 3])
        expect(
          relativeError(bo.array.subarray(r * dim, (r + 1) * dim), want.subarray(r * dim, (r + 1) * dim)),
        ).toBeLessThan(1e-6);
    }
  });

  it("axpy, scale, addGatheredRows and scatterAddRows (repeats add up)", () => {
    const k = createKernels();
    const dim = 8;
    const x = k.f32(4 * dim);
    const out = k.f32(4 * dim);
    x.array.set(randomArray(4 * dim, 1));
    out.array.set(randomArray(4 * dim, 2));
    const before = Float64Array.from(out.array);
    k.exports.axpy(out.ptr, x.ptr, 4 * dim, 0.5);
    expect(
      relativeError(
        out.array,
        before.map((v, i) => v + 0.5 * x.array[i]),
      ),
    ).toBeLessThan(1e-7);
    k.exports.scale(out.ptr, 4 * dim, -2);
    expect(
      relativeError(
        out.array,
        before.map((v, i) => -2 * (v + 0.5 * x.array[i])),
      ),
    ).toBeLessThan(1e-7);

    const rows = k.i32(3);
    rows.array.set([2, 0, 2]);
    const gathered = k.f32(3 * dim);
    k.exports.addGatheredRows(gathered.ptr, x.ptr, rows.ptr, 3, dim, 3);
    for (let n = 0; n < 3; n++)
      for (let c = 0; c < dim; c++)
        expect(gathered.array[n * dim + c]).toBeCloseTo(3 * x.array[rows.array[n] * dim + c], 5);
    const scattered = k.f32(4 * dim);
    k.exports.scatterAddRows(scattered.ptr, gathered.ptr, rows.ptr, 3, dim, 1);
    for (let c = 0; c < dim; c++) {
      expect(scattered.array[2 * dim + c]).toBeCloseTo(6 * x.array[2 * dim + c], 5);
      expect(scattered.array[c]).toBeCloseTo(3 * x.array[c], 5);
      expect(scattered.array[dim + c]).toBe(0);
    }
  });

  it("addSignedNoise adds sign(x) · ε · u / ‖u‖ per row with noiseUniform's u, leaving zeros and padding alone", () => {
    const k = createKernels();
    for (const dim of [1, 5, 8, 13]) {
      const width = paddedDim(dim);
      const [rows, seed, epsilon] = [7, 0xdeadbeef, 0.1];
      const x = k.f32(rows * width);
      const start = randomArray(rows * width, dim);
      for (let r = 0; r < rows; r++) for (let c = dim; c < width; c++) start[r * width + c] = 0;
      start[3 * width + (1 % dim)] = 0; // a zero entry gets no noise (sign 0)
      x.array.set(start);
      k.exports.addSignedNoise(x.ptr, width, dim, seed, epsilon, 2, 6);
      const want = Float64Array.from(x.array);
      for (let r = 2; r < 6; r++) {
        const u = Array.from({ length: dim }, (_, c) => noiseUniform(seed, r * dim + c));
        const norm = Math.sqrt(u.reduce((s, v) => s + v * v, 0));
        for (let c = 0; c < dim; c++)
          want[r * width + c] = start[r * width + c] + Math.sign(start[r * width + c]) * epsilon * (u[c] / norm);
      }
      for (const r of [0, 1, 6]) want.set(Float32Array.from(start.subarray(r * width, (r + 1) * width)), r * width);
      expect(relativeError(x.array, want)).toBeLessThan(1e-6);
      expect(x.array[3 * width + (1 % dim)]).toBe(0);
      for (let r = 0; r < rows; r++) for (let c = dim; c < width; c++) expect(x.array[r * width + c]).toBe(0);
    }
  });

  it("noiseUniform is uniform in [0, 1) and differs by seed", () => {
    const values = Array.from({ length: 20_000 }, (_, i) => noiseUniform(7, i));
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
    const deciles = new Array(10).fill(0);
    for (const v of values) deciles[Math.floor(v * 10)]++;
    for (const count of deciles) expect(Math.abs(count - 2000)).toBeLessThan(200);
    expect(noiseUniform(8, 0)).not.toBe(noiseUniform(7, 0));
  });

  it("adam matches a float64 PyTorch-style Adam over several steps", () => {
    const k = createKernels();
    const n = 12;
    const p = k.f32(n),
      g = k.f32(n),
      m = k.f32(n),
      v = k.f32(n);
    const p64 = randomArray(n, 3);
    const m64 = new Float64Array(n),
      v64 = new Float64Array(n);
    p.array.set(p64);
    const [lr, b1, b2, eps] = [1e-2, 0.9, 0.999, 1e-8];
    for (let t = 1; t <= 5; t++) {
      const grad = randomArray(n, 10 + t);
      g.array.set(grad);
      const bc1 = 1 - b1 ** t;
      const bc2 = 1 - b2 ** t;
      k.exports.adam(p.ptr, g.ptr, m.ptr, v.ptr, n, lr / bc1, b1, b2, eps, Math.sqrt(bc2));
      for (let i = 0; i < n; i++) {
        const gi = Math.fround(grad[i]);
        m64[i] = b1 * m64[i] + (1 - b1) * gi;
        v64[i] = b2 * v64[i] + (1 - b2) * gi * gi;
        p64[i] -= ((lr / bc1) * m64[i]) / (Math.sqrt(v64[i]) / Math.sqrt(bc2) + eps);
      }
    }
    expect(relativeError(p.array, p64)).toBeLessThan(1e-6);
  });

  it("gemmNT and gemmNN (plain and transposed P) equal float64 products, with odd shapes and tails", () => {
    const k = createKernels();
    for (const [m, n, dim] of [
      [1, 1, 4],
      [5, 3, 8],
      [9, 7, 12],
      [4, 2, 128],
    ]) {
      const a64 = randomArray(m * dim, m);
      const b64 = randomArray(n * dim, n + 100);
      const p64 = randomArray(m * n, m * n);
      const a = k.f32(m * dim),
        b = k.f32(n * dim),
        c = k.f32(m * n),
        p = k.f32(m * n);
      a.array.set(a64);
      b.array.set(b64);
      p.array.set(p64);
      const a32 = Float64Array.from(a.array),
        b32 = Float64Array.from(b.array),
        p32 = Float64Array.from(p.array);
      k.exports.gemmNT(a.ptr, b.ptr, c.ptr, m, n, dim);
      const nt = new Float64Array(m * n);
      for (let i = 0; i < m; i++)
        for (let j = 0; j < n; j++) for (let q = 0; q < dim; q++) nt[i * n + j] += a32[i * dim + q] * b32[j * dim + q];
      expect(relativeError(c.array, nt)).toBeLessThan(1e-6);

      const cm = k.f32(m * dim); // c_i += 2 · Σ_j p_ij b_j, starting from ones
      cm.array.fill(1);
      k.exports.gemmNN(p.ptr, 4 * n, 4, b.ptr, cm.ptr, m, n, dim, 2);
      const nn = new Float64Array(m * dim).fill(1);
      for (let i = 0; i < m; i++)
        for (let j = 0; j < n; j++)
          for (let q = 0; q < dim; q++) nn[i * dim + q] += 2 * p32[i * n + j] * b32[j * dim + q];
      expect(relativeError(cm.array, nn)).toBeLessThan(1e-6);

      const cn = k.f32(n * dim); // c_j += −0.5 · Σ_i p_ij a_i: Pᵀ through the strides
      k.exports.gemmNN(p.ptr, 4, 4 * n, a.ptr, cn.ptr, n, m, dim, -0.5);
      const tn = new Float64Array(n * dim);
      for (let i = 0; i < m; i++)
        for (let j = 0; j < n; j++)
          for (let q = 0; q < dim; q++) tn[j * dim + q] += -0.5 * p32[i * n + j] * a32[i * dim + q];
      expect(relativeError(cn.array, tn)).toBeLessThan(1e-6);
    }
  });

  it("softmaxRows: weighted softmax and log-sum-exp of scaled rows match float64, stable for large logits", () => {
    const k = createKernels();
    for (const cols of [1, 3, 4, 9, 130]) {
      const rows = 3;
      const x = k.f32(rows * cols);
      const values = randomArray(rows * cols, cols).map((v) => 4 * v);
      values[0] = 900; // exp(900 · 0.2) overflows float32 without the max shift
      x.array.set(values);
      const lse = k.f32(rows);
      k.exports.softmaxRows(x.ptr, rows, cols, 0.2, 0.5, lse.ptr);
      for (let r = 0; r < rows; r++) {
        const t = Array.from(values.subarray(r * cols, (r + 1) * cols), (v) => 0.2 * Math.fround(v));
        const top = Math.max(...t);
        const total = t.reduce((s, v) => s + Math.exp(v - top), 0);
        expect(Math.abs(lse.array[r] - (top + Math.log(total)))).toBeLessThan(1e-5 * Math.max(1, Math.abs(top)));
        const want = t.map((v) => (0.5 * Math.exp(v - top)) / total);
        expect(relativeError(x.array.subarray(r * cols, (r + 1) * cols), want)).toBeLessThan(1e-6);
      }
    }
  });

  it("scoreTransposed equals float64 products for any d and n (vector and scalar tails), independent of m", () => {
    const k = createKernels();
    for (const [m, n, dim] of [
      [1, 1, 1],
      [5, 13, 3],
      [9, 21, 64],
      [4, 8, 7],
    ]) {
      const a64 = randomArray(m * dim, m + 1);
      const b64 = randomArray(n * dim, n + 2);
      const a = k.f32(m * dim),
        bT = k.f32(n * dim),
        c = k.f32(m * n),
        one = k.f32(n);
      a.array.set(a64);
      for (let j = 0; j < n; j++) for (let q = 0; q < dim; q++) bT.array[q * n + j] = b64[j * dim + q];
      k.exports.scoreTransposed(a.ptr, bT.ptr, c.ptr, m, n, dim);
      const want = new Float64Array(m * n);
      for (let i = 0; i < m; i++)
        for (let j = 0; j < n; j++)
          for (let q = 0; q < dim; q++) want[i * n + j] += a.array[i * dim + q] * bT.array[q * n + j];
      expect(relativeError(c.array, want)).toBeLessThan(1e-6);
      for (let i = 0; i < m; i++) {
        k.exports.scoreTransposed(a.ptr + 4 * i * dim, bT.ptr, one.ptr, 1, n, dim);
        expect(Array.from(one.array)).toEqual(Array.from(c.array.subarray(i * n, (i + 1) * n)));
      }
    }
  });

  it("gemmNT gives a row the same scores whatever rows share the call (chunk-independent)", () => {
    const k = createKernels();
    const dim = 16,
      n = 11;
    const a = k.f32(6 * dim),
      b = k.f32(n * dim),
      all = k.f32(6 * n),
      one = k.f32(n);
    a.array.set(randomArray(6 * dim, 7));
    b.array.set(randomArray(n * dim, 8));
    k.exports.gemmNT(a.ptr, b.ptr, all.ptr, 6, n, dim);
    for (let i = 0; i < 6; i++) {
      k.exports.gemmNT(a.ptr + i * dim * 4, b.ptr, one.ptr, 1, n, dim);
      expect(Array.from(one.array)).toEqual(Array.from(all.array.subarray(i * n, (i + 1) * n)));
    }
  });

  it("buffers survive memory growth and come zeroed and aligned", () => {
    const k = createKernels({ initialBytes: 0 });
    const first = k.f32(10);
    first.array.set([1, 2, 3]);
    const big = k.f32(1 << 20); // forces a grow
    expect(big.array.length).toBe(1 << 20);
    expect(Array.from(first.array.subarray(0, 3))).toEqual([1, 2, 3]);
    expect(first.ptr % 16).toBe(0);
    expect(big.ptr % 16).toBe(0);
    expect(big.array.every((v) => v === 0)).toBe(true);
    expect(k.allocatedBytes).toBeGreaterThanOrEqual(4 * ((1 << 20) + 10));
    expect(() => k.f32(-1)).toThrow(RangeError);
  });

  it("paddedDim rounds up to a multiple of 4", () => {
    expect([1, 4, 5, 64, 127].map(paddedDim)).toEqual([4, 4, 8, 64, 128]);
  });

  it("topKRows: best first, lower index wins ties, −Infinity is masked, NaNs are counted, k beyond the row", () => {
    const k = createKernels();
    const cols = 7;
    const rows = [
      [0.5, 2, -1, 2, 9, -Infinity, 0.5],
      [-Infinity, -Infinity, 3, NaN, -Infinity, -Infinity, -Infinity],
      [1, 1, 1, 1, 1, 1, 1],
    ];
    const scores = k.f32(3 * cols);
    scores.array.set(rows.flat());
    const items = k.i32(3 * 4);
    const counts = k.i32(3);
    const scratch = k.f32(k.exports.topKScratchLength(4, cols));
    const nans = k.exports.topKRows(scores.ptr, 3, cols, cols, 4, items.ptr, counts.ptr, scratch.ptr);
    expect(nans).toBe(1);
    expect(Array.from(counts.array)).toEqual([4, 1, 4]);
    expect(Array.from(items.array.subarray(0, 4))).toEqual([4, 1, 3, 0]);
    expect(items.array[4]).toBe(2);
    expect(Array.from(items.array.subarray(8, 12))).toEqual([0, 1, 2, 3]);
  });

  it("topKRows agrees with a sort on random rows with many ties, and reads only `cols` of each `stride`", () => {
    const k = createKernels();
    const [rowsN, cols, stride, top] = [20, 57, 64, 10];
    const rng = createRng(4);
    const values = Float32Array.from({ length: rowsN * cols }, () => Math.round(rng.normal() * 3) / 3);
    const scores = k.f32(rowsN * stride);
    scores.array.fill(1e9); // the padding beyond `cols` would win if it were read
    for (let r = 0; r < rowsN; r++) scores.array.set(values.subarray(r * cols, (r + 1) * cols), r * stride);
    const items = k.i32(rowsN * top);
    const counts = k.i32(rowsN);
    k.exports.topKRows(
      scores.ptr,
      rowsN,
      cols,
      stride,
      top,
      items.ptr,
      counts.ptr,
      k.f32(k.exports.topKScratchLength(top, cols)).ptr,
    );
    for (let r = 0; r < rowsN; r++) {
      const order = Array.from({ length: cols }, (_, j) => j).sort(
        (a, b) => values[r * cols + b] - values[r * cols + a] || a - b,
      );
      expect(Array.from(items.array.subarray(r * top, (r + 1) * top))).toEqual(order.slice(0, top));
    }
  });

  // Long rows fill the candidate buffer many times over (rising scores: every entry is a candidate).
  it.each([1, 3, 20, 64])(
    "topKRows with k = %i on long rows (rising, falling, tied, random, masked, NaN) agrees with a sort",
    (top) => {
      const k = createKernels();
      const cols = 1999;
      const rng = createRng(top);
      const patterns: ((j: number) => number)[] = [
        (j) => j,
        (j) => -j,
        () => 0.25,
        () => Math.round(rng.normal() * 4) / 4,
        (j) => (j % 3 === 0 ? -Infinity : rng.normal()),
        (j) => (j % 7 === 0 ? NaN : j % 50),
        (j) => (j < 1990 ? -Infinity : j),
      ];
      const rowsN = patterns.length;
      const values = new Float32Array(rowsN * cols);
      patterns.forEach((f, r) => {
        for (let j = 0; j < cols; j++) values[r * cols + j] = f(j);
      });
      const scores = k.f32(rowsN * cols);
      scores.array.set(values);
      const items = k.i32(rowsN * top);
      const counts = k.i32(rowsN);
      const nans = k.exports.topKRows(
        scores.ptr,
        rowsN,
        cols,
        cols,
        top,
        items.ptr,
        counts.ptr,
        k.f32(k.exports.topKScratchLength(top, cols)).ptr,
      );
      expect(nans).toBe(Math.ceil(cols / 7));
      for (let r = 0; r < rowsN; r++) {
        const row = values.subarray(r * cols, (r + 1) * cols);
        const rankable = Array.from({ length: cols }, (_, j) => j).filter(
          (j) => !Number.isNaN(row[j]) && row[j] !== -Infinity,
        );
        const order = rankable.sort((a, b) => row[b] - row[a] || a - b).slice(0, top);
        expect(counts.array[r]).toBe(order.length);
        expect(Array.from(items.array.subarray(r * top, r * top + order.length))).toEqual(order);
      }
    },
  );

  it("worker threads do not spin while the instance is idle", async () => {
    const k = createKernels({ threads: 2 });
    try {
      const x = k.f32(4 * 65536);
      for (let r = 0; r < 20; r++) k.parallel.scale(x.ptr, x.length, 0.5); // split over both threads
      const before = process.cpuUsage();
      await new Promise((resolve) => setTimeout(resolve, 300));
      const used = process.cpuUsage(before);
      // Spins end within 0.5 ms of the last call; a thread left spinning would use ~300 ms here.
      expect((used.user + used.system) / 1000).toBeLessThan(100);
    } finally {
      k.dispose();
    }
  });

  // More threads than cores: some parts find their worker descheduled and the caller runs them.
  it.each([2, 2 * availableParallelism() + 1])(
    "parallel kernels on %i threads give bitwise the results of one thread",
    (threads) => {
      const one = createKernels();
      const two = createKernels({ threads });
      try {
        expect(two.threads).toBe(threads);
        const rng = createRng(9);
        // A CSR of 300 rows with skewed degrees, d = 12; then the other kernels on larger arrays.
        const nodes = 300;
        const dim = 12;
        const indptr = [0];
        const indices: number[] = [];
        for (let r = 0; r < nodes; r++) {
          const degree = r % 37 === 0 ? 60 : rng.int(6);
          for (let e = 0; e < degree; e++) indices.push(rng.int(nodes));
          indptr.push(indices.length);
        }
        const values = indices.map(() => rng.normal());
        const x = Float32Array.from({ length: nodes * dim }, () => rng.normal());
        const rows = Int32Array.from({ length: 150 }, () => rng.int(nodes));
        const results = [one, two].map((k) => {
          const p = k.i32(nodes + 1),
            i = k.i32(indices.length),
            v = k.f32(values.length),
            bx = k.f32(nodes * dim);
          p.array.set(indptr);
          i.array.set(indices);
          v.array.set(values);
          bx.array.set(x);
          const all = k.f32(nodes * dim),
            some = k.f32(nodes * dim),
            list = k.i32(rows.length);
          list.array.set(rows);
          k.parallel.pullRows(p, i.ptr, v.ptr, bx.ptr, dim, all.ptr, null, 0, nodes);
          k.parallel.pullRows(p, i.ptr, v.ptr, bx.ptr, dim, some.ptr, list, 10, 140);
          const n = 300_000;
          const big = k.f32(n),
            big2 = k.f32(n),
            m = k.f32(n),
            w = k.f32(n);
          big.array.set(Float32Array.from({ length: n }, (_, q) => Math.sin(q)));
          big2.array.set(Float32Array.from({ length: n }, (_, q) => Math.cos(q)));
          k.parallel.axpy(big.ptr, big2.ptr, n, 0.3);
          k.parallel.scale(big2.ptr, n, -1.5);
          k.parallel.adam(big.ptr, big2.ptr, m.ptr, w.ptr, n, 1e-3, 0.9, 0.999, 1e-8, 0.1);
          const [gm, gn, gd] = [50, 70, 16];
          const a = k.f32(gm * gd),
            b = k.f32(gn * gd),
            c = k.f32(gm * gn),
            cn = k.f32(gn * gd),
            lse = k.f32(gm);
          a.array.set(x.subarray(0, gm * gd));
          b.array.set(x.subarray(0, gn * gd));
          k.parallel.gemmNT(a.ptr, b.ptr, c.ptr, gm, gn, gd);
          const scores = Float32Array.from(c.array);
          k.parallel.gemmNN(c.ptr, 4, 4 * gn, a.ptr, cn.ptr, gn, gm, gd, 0.5);
          const items = k.i32(gm * 5),
            counts = k.i32(gm);
          const scored = k.f32(gm * gn);
          const bT = k.f32(gd * gn);
          bT.array.set(x.subarray(0, gd * gn));
          k.parallel.scoreTransposed(a.ptr, bT.ptr, scored.ptr, gm, gn, gd);
          const nans = k.parallel.topKRows(c.ptr, gm, gn - 3, gn, 5, items.ptr, counts.ptr); // last 3 columns: padding
          k.parallel.softmaxRows(c.ptr, gm, gn, 0.2, 1, lse.ptr);
          const noisy = k.f32(nodes * dim);
          noisy.array.set(x);
          k.parallel.addSignedNoise(noisy.ptr, dim, dim - 1, 12345, 0.2, nodes);
          return [all, some, big, big2, m, w, cn, lse, c, items, counts, scored, noisy]
            .map((buffer) => Array.from(buffer.array))
            .concat([Array.from(scores), [nans]]);
        });
        results[0].forEach((values, q) => expect(results[1][q]).toEqual(values));
      } finally {
        two.dispose();
        two.dispose(); // idempotent
      }
      expect(() => two.parallel.gemmNT(0, 0, 0, 64, 1, 4)).toThrow(/disposed/);
    },
  );
});
