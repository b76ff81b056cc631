// @llminit/kernels: float32 kernels compiled to WebAssembly with 128-bit SIMD.
//
// Every pointer is a byte offset into the imported memory; matrices are row-major float32.
// Kernels that say "d % 4 == 0" read and write whole 4-lane vectors: callers pad rows with
// zero columns (exact for every kernel here). Accumulation is float32, in a fixed order that
// does not depend on how work is split, so results are reproducible.

@inline function f32At(p: usize, i: i32): f32 {
  return load<f32>(p + (<usize>i << 2));
}

@inline function i32At(p: usize, i: i32): i32 {
  return load<i32>(p + (<usize>i << 2));
}

/** One pass of pullRows over a row's entries [start, end): 24 columns from byte cb on (six), else 16. */
@inline function pullColumns(indices: usize, values: usize, x: usize, rowBytes: usize, start: i32, end: i32, o: usize, cb: usize, six: bool): void {
  let a0 = f32x4.splat(0);
  let a1 = f32x4.splat(0);
  let a2 = f32x4.splat(0);
  let a3 = f32x4.splat(0);
  let a4 = f32x4.splat(0);
  let a5 = f32x4.splat(0);
  for (let k = start; k < end; k++) {
    const w = v128.load32_splat(values + (<usize>k << 2));
    const s = x + <usize>i32At(indices, k) * rowBytes + cb;
    a0 = f32x4.add(a0, f32x4.mul(w, v128.load(s)));
    a1 = f32x4.add(a1, f32x4.mul(w, v128.load(s, 16)));
    a2 = f32x4.add(a2, f32x4.mul(w, v128.load(s, 32)));
    a3 = f32x4.add(a3, f32x4.mul(w, v128.load(s, 48)));
    if (six) {
      a4 = f32x4.add(a4, f32x4.mul(w, v128.load(s, 64)));
      a5 = f32x4.add(a5, f32x4.mul(w, v128.load(s, 80)));
    }
  }
  const p = o + cb;
  v128.store(p, a0);
  v128.store(p, a1, 16);
  v128.store(p, a2, 32);
  v128.store(p, a3, 48);
  if (six) {
    v128.store(p, a4, 64);
    v128.store(p, a5, 80);
  }
}

/**
 * Sparse × dense, pulled by output row: `out[r] = Σ_k values[k] · x[indices[k]]` over the CSR
 * row r, for r = rows[n] with n in [from, to) (rows == 0: r = n). Other rows of out are untouched.
 */
export function pullRows(indptr: usize, indices: usize, values: usize, x: usize, dim: i32, out: usize, rows: usize, from: i32, to: i32): void {
  const rowBytes = <usize>dim << 2;
  const quads = dim & ~3;
  for (let n = from; n < to; n++) {
    const r: i32 = rows == 0 ? n : i32At(rows, n);
    const start = i32At(indptr, r);
    const end = i32At(indptr, r + 1);
    const o = out + <usize>r * rowBytes;
    // Passes over the row's entries, 24 columns at a time (six accumulators: the widest that V8
    // keeps in registers with the loaded rows), then 16, 4, 1. Each output is a sum in k order.
    let c = 0;
    for (; c + 24 <= dim; c += 24) pullColumns(indices, values, x, rowBytes, start, end, o, <usize>c << 2, true);
    for (; c + 16 <= dim; c += 16) pullColumns(indices, values, x, rowBytes, start, end, o, <usize>c << 2, false);
    for (; c < quads; c += 4) {
      let a = f32x4.splat(0);
      const cb = <usize>c << 2;
      for (let k = start; k < end; k++) {
        a = f32x4.add(a, f32x4.mul(v128.load32_splat(values + (<usize>k << 2)), v128.load(x + <usize>i32At(indices, k) * rowBytes + cb)));
      }
      v128.store(o + cb, a);
    }
    for (; c < dim; c++) {
      let a: f32 = 0;
      for (let k = start; k < end; k++) a += f32At(values, k) * f32At(x + <usize>i32At(indices, k) * rowBytes, c);
      store<f32>(o + (<usize>c << 2), a);
    }
  }
}

/** One pass of sumShared over a row's entries: 24 columns from byte cb on (six), else 16; stores scale · sum. */
@inline function sumColumns(offsets: usize, base: usize, start: i32, end: i32, o: usize, cb: usize, scale: v128, six: bool): void {
  let a0 = f32x4.splat(0);
  let a1 = f32x4.splat(0);
  let a2 = f32x4.splat(0);
  let a3 = f32x4.splat(0);
  let a4 = f32x4.splat(0);
  let a5 = f32x4.splat(0);
  const b = base + cb;
  for (let k = start; k < end; k++) {
    const s = b + <usize>i32At(offsets, k);
    a0 = f32x4.add(a0, v128.load(s));
    a1 = f32x4.add(a1, v128.load(s, 16));
    a2 = f32x4.add(a2, v128.load(s, 32));
    a3 = f32x4.add(a3, v128.load(s, 48));
    if (six) {
      a4 = f32x4.add(a4, v128.load(s, 64));
      a5 = f32x4.add(a5, v128.load(s, 80));
    }
  }
  const p = o + cb;
  v128.store(p, f32x4.mul(scale, a0));
  v128.store(p, f32x4.mul(scale, a1), 16);
  v128.store(p, f32x4.mul(scale, a2), 32);
  v128.store(p, f32x4.mul(scale, a3), 48);
  if (six) {
    v128.store(p, f32x4.mul(scale, a4), 64);
    v128.store(p, f32x4.mul(scale, a5), 80);
  }
}

/** As sumColumns for 4 columns; two chains (even and odd entries, added at the end). */
@inline function sumColumns4(offsets: usize, base: usize, start: i32, end: i32, o: usize, cb: usize, scale: v128): void {
  let even = f32x4.splat(0);
  let odd = f32x4.splat(0);
  const b = base + cb;
  let k = start;
  for (; k + 1 < end; k += 2) {
    even = f32x4.add(even, v128.load(b + <usize>i32At(offsets, k)));
    odd = f32x4.add(odd, v128.load(b + <usize>i32At(offsets, k + 1)));
  }
  if (k < end) even = f32x4.add(even, v128.load(b + <usize>i32At(offsets, k)));
  v128.store(o + cb, f32x4.mul(scale, f32x4.add(even, odd)));
}

/**
 * `Â · x` for a bipartite `Â = D^-1/2 A D^-1/2` (A binary), rows [from, to) of out, from a plan
 * of shared partial sums (built in JS; layout below); d % 4 == 0. Per half of the graph (users
 * pull items, items pull users) that meets [from, to): the half's leaves are scaled into
 * `scratch` (x'[j] = s[leafFrom + j] · x[leafFrom + j]), then its sums of pairs are appended
 * there (in order: a pair may hold an earlier sum), then each row is s[r] · (sum of its entries,
 * byte offsets into scratch, in order). Every output is the same sum whatever [from, to) is.
 *
 * Plan (i32 words): [0] scales (f32 per node); per half h, from word 1 + 8h: rowFrom, rowTo,
 * leafFrom, leafTo, pairCount, pairs (2 byte offsets each), indptr (rowTo − rowFrom + 1), offsets.
 */
export function sumShared(plan: usize, x: usize, dim: i32, out: usize, scratch: usize, from: i32, to: i32): void {
  const rowBytes = <usize>dim << 2;
  const scales = <usize>i32At(plan, 0);
  for (let h = 0; h < 2; h++) {
    const half = plan + 4 + (<usize>h << 5);
    const rowFrom = i32At(half, 0);
    const first = max(from, rowFrom);
    const last = min(to, i32At(half, 1));
    if (first >= last) continue;
    const leafFrom = i32At(half, 2);
    const leafTo = i32At(half, 3);
    for (let j = leafFrom; j < leafTo; j++) {
      const s = v128.load32_splat(scales + (<usize>j << 2));
      const src = x + <usize>j * rowBytes;
      const dst = scratch + <usize>(j - leafFrom) * rowBytes;
      for (let c: usize = 0; c < rowBytes; c += 16) v128.store(dst + c, f32x4.mul(s, v128.load(src + c)));
    }
    const pairCount = i32At(half, 4);
    const pairs = <usize>i32At(half, 5);
    const sums = scratch + <usize>(leafTo - leafFrom) * rowBytes;
    const wide = rowBytes & ~(<usize>63);
    for (let n = 0; n < pairCount; n++) {
      const a = scratch + <usize>i32At(pairs, 2 * n);
      const b = scratch + <usize>i32At(pairs, 2 * n + 1);
      const dst = sums + <usize>n * rowBytes;
      let c: usize = 0;
      for (; c < wide; c += 64) {
        const s0 = f32x4.add(v128.load(a + c), v128.load(b + c));
        const s1 = f32x4.add(v128.load(a + c, 16), v128.load(b + c, 16));
        const s2 = f32x4.add(v128.load(a + c, 32), v128.load(b + c, 32));
        const s3 = f32x4.add(v128.load(a + c, 48), v128.load(b + c, 48));
        v128.store(dst + c, s0);
        v128.store(dst + c, s1, 16);
        v128.store(dst + c, s2, 32);
        v128.store(dst + c, s3, 48);
      }
      for (; c < rowBytes; c += 16) v128.store(dst + c, f32x4.add(v128.load(a + c), v128.load(b + c)));
    }
    const indptr = <usize>i32At(half, 6);
    const offsets = <usize>i32At(half, 7);
    for (let r = first; r < last; r++) {
      const start = i32At(indptr, r - rowFrom);
      const end = i32At(indptr, r - rowFrom + 1);
      const o = out + <usize>r * rowBytes;
      const scale = v128.load32_splat(scales + (<usize>r << 2));
      let c = 0;
      for (; c + 24 <= dim; c += 24) sumColumns(offsets, scratch, start, end, o, <usize>c << 2, scale, true);
      for (; c + 16 <= dim; c += 16) sumColumns(offsets, scratch, start, end, o, <usize>c << 2, scale, false);
      for (; c < dim; c += 4) sumColumns4(offsets, scratch, start, end, o, <usize>c << 2, scale);
    }
  }
}

/** `out[k] += alpha · x[k]` for k in [0, n); n % 4 == 0. */
export function axpy(out: usize, x: usize, n: i32, alpha: f32): void {
  const a = f32x4.splat(alpha);
  const end = out + (<usize>n << 2);
  let q = x;
  for (let p = out; p < end; p += 16) {
    v128.store(p, f32x4.add(v128.load(p), f32x4.mul(a, v128.load(q))));
    q += 16;
  }
}

/** `x[k] *= alpha` for k in [0, n); n % 4 == 0. */
export function scale(x: usize, n: i32, alpha: f32): void {
  const a = f32x4.splat(alpha);
  const end = x + (<usize>n << 2);
  for (let p = x; p < end; p += 16) v128.store(p, f32x4.mul(a, v128.load(p)));
}

/** `out[n] += alpha · x[rows[n]]` for n in [0, count): gathers rows of x into out (count × d); d % 4 == 0. */
export function addGatheredRows(out: usize, x: usize, rows: usize, count: i32, dim: i32, alpha: f32): void {
  const rowBytes = <usize>dim << 2;
  const a = f32x4.splat(alpha);
  for (let n = 0; n < count; n++) {
    const o = out + <usize>n * rowBytes;
    const s = x + <usize>i32At(rows, n) * rowBytes;
    for (let c: usize = 0; c < rowBytes; c += 16) v128.store(o + c, f32x4.add(v128.load(o + c), f32x4.mul(a, v128.load(s + c))));
  }
}

/** `out[rows[n]] += alpha · x[n]` for n in [0, count), in order (repeated rows add up); d % 4 == 0. */
export function scatterAddRows(out: usize, x: usize, rows: usize, count: i32, dim: i32, alpha: f32): void {
  const rowBytes = <usize>dim << 2;
  const a = f32x4.splat(alpha);
  for (let n = 0; n < count; n++) {
    const o = out + <usize>i32At(rows, n) * rowBytes;
    const s = x + <usize>n * rowBytes;
    for (let c: usize = 0; c < rowBytes; c += 16) v128.store(o + c, f32x4.add(v128.load(o + c), f32x4.mul(a, v128.load(s + c))));
  }
}

// The 32-bit finaliser of MurmurHash3 (a bijection with full avalanche), on 4 lanes.
@inline function mix32x4(h: v128): v128 {
  h = v128.xor(h, i32x4.shr_u(h, 16));
  h = i32x4.mul(h, i32x4.splat(0x85ebca6b));
  h = v128.xor(h, i32x4.shr_u(h, 13));
  h = i32x4.mul(h, i32x4.splat(0xc2b2ae35));
  return v128.xor(h, i32x4.shr_u(h, 16));
}

/** `noiseUniform(seed, i)` for i = first … first + 3, with lanes at or past `dim` set to 0 (c: the lane-0 column). */
@inline function uniform4(seed: u32, first: u32, c: i32, dim: i32): v128 {
  const index = i32x4.add(i32x4.splat(first), i32x4(0, 1, 2, 3));
  const h = mix32x4(i32x4.add(i32x4.splat(seed), i32x4.mul(index, i32x4.splat(0x9e3779b9))));
  const u = f32x4.mul(f32x4.convert_i32x4_u(i32x4.shr_u(h, 8)), f32x4.splat(5.9604644775390625e-8));
  return v128.and(u, i32x4.lt_s(i32x4.add(i32x4.splat(c), i32x4(0, 1, 2, 3)), i32x4.splat(dim)));
}

/**
 * SimGCL's noise, rows [from, to) of x (rows of `width` floats, width % 4 == 0; the first `dim`
 * are the model's): `x[r][c] += sign(x[r][c]) · ε · u[r][c] / max(‖u[r]‖, 1e-12)` with
 * `u[r][c] = noiseUniform(seed, r · dim + c)` for c < dim (a counter-based uniform in [0, 1)
 * with 24 bits: every row is the same whoever computes it). Columns from dim on stay as they are.
 */
export function addSignedNoise(x: usize, width: i32, dim: i32, seed: u32, epsilon: f32, from: i32, to: i32): void {
  const zero = f32x4.splat(0);
  const one = f32x4.splat(1);
  for (let r = from; r < to; r++) {
    const row = x + (<usize>r * <usize>width << 2);
    const first = <u32>r * <u32>dim;
    let squares = f32x4.splat(0);
    for (let c = 0; c < width; c += 4) {
      const u = uniform4(seed, first + <u32>c, c, dim);
      squares = f32x4.add(squares, f32x4.mul(u, u));
    }
    const scale = f32x4.splat(epsilon / max(sqrt<f32>(horizontalSum(squares)), <f32>1e-12));
    for (let c = 0; c < width; c += 4) {
      const p = row + (<usize>c << 2);
      const v = v128.load(p);
      const sign = f32x4.sub(v128.and(f32x4.gt(v, zero), one), v128.and(f32x4.lt(v, zero), one));
      v128.store(p, f32x4.add(v, f32x4.mul(sign, f32x4.mul(uniform4(seed, first + <u32>c, c, dim), scale))));
    }
  }
}

/**
 * One Adam step over n parameters (n % 4 == 0), as PyTorch's `torch.optim.Adam` (no weight
 * decay): m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²; p ← p − stepSize · m / (√v / bc2Sqrt + ε),
 * with stepSize = lr / (1 − β1ᵗ) and bc2Sqrt = √(1 − β2ᵗ) computed by the caller.
 */
export function adam(param: usize, grad: usize, m: usize, v: usize, n: i32, stepSize: f32, beta1: f32, beta2: f32, epsilon: f32, bc2Sqrt: f32): void {
  const b1 = f32x4.splat(beta1);
  const c1 = f32x4.splat(1 - beta1);
  const b2 = f32x4.splat(beta2);
  const c2 = f32x4.splat(1 - beta2);
  const eps = f32x4.splat(epsilon);
  const invBc2 = f32x4.splat(1 / bc2Sqrt);
  const step = f32x4.splat(stepSize);
  for (let k: usize = 0; k < (<usize>n << 2); k += 16) {
    const g = v128.load(grad + k);
    const mk = f32x4.add(f32x4.mul(b1, v128.load(m + k)), f32x4.mul(c1, g));
    const vk = f32x4.add(f32x4.mul(b2, v128.load(v + k)), f32x4.mul(c2, f32x4.mul(g, g)));
    v128.store(m + k, mk);
    v128.store(v + k, vk);
    const denom = f32x4.add(f32x4.mul(f32x4.sqrt(vk), invBc2), eps);
    v128.store(param + k, f32x4.sub(v128.load(param + k), f32x4.mul(step, f32x4.div(mk, denom))));
  }
}

@inline function horizontalSum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

@inline function dot(a: usize, b: usize, bytes: usize): f32 {
  let s = f32x4.splat(0);
  for (let c: usize = 0; c < bytes; c += 16) s = f32x4.add(s, f32x4.mul(v128.load(a + c), v128.load(b + c)));
  return horizontalSum(s);
}

/**
 * `c[i·n + j] = a_i · b_j` (a: m × d, b: n × d, c: m × n); d % 4 == 0. Each entry is the same
 * 4-lane sum in the same order whatever m, n and the tiling: a user's scores do not depend on
 * which other users share the call.
 */
export function gemmNT(a: usize, b: usize, c: usize, m: i32, n: i32, dim: i32): void {
  const bytes = <usize>dim << 2;
  const rowC = <usize>n << 2;
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const a0 = a + <usize>i * bytes;
    const a1 = a0 + bytes;
    const a2 = a1 + bytes;
    const a3 = a2 + bytes;
    const o0 = c + <usize>i * rowC;
    let j = 0;
    for (; j + 2 <= n; j += 2) {
      const b0 = b + <usize>j * bytes;
      const b1 = b0 + bytes;
      let s00 = f32x4.splat(0), s01 = f32x4.splat(0);
      let s10 = f32x4.splat(0), s11 = f32x4.splat(0);
      let s20 = f32x4.splat(0), s21 = f32x4.splat(0);
      let s30 = f32x4.splat(0), s31 = f32x4.splat(0);
      for (let q: usize = 0; q < bytes; q += 16) {
        const x0 = v128.load(b0 + q);
        const x1 = v128.load(b1 + q);
        const y0 = v128.load(a0 + q);
        const y1 = v128.load(a1 + q);
        const y2 = v128.load(a2 + q);
        const y3 = v128.load(a3 + q);
        s00 = f32x4.add(s00, f32x4.mul(y0, x0));
        s01 = f32x4.add(s01, f32x4.mul(y0, x1));
        s10 = f32x4.add(s10, f32x4.mul(y1, x0));
        s11 = f32x4.add(s11, f32x4.mul(y1, x1));
        s20 = f32x4.add(s20, f32x4.mul(y2, x0));
        s21 = f32x4.add(s21, f32x4.mul(y2, x1));
        s30 = f32x4.add(s30, f32x4.mul(y3, x0));
        s31 = f32x4.add(s31, f32x4.mul(y3, x1));
      }
      const o = o0 + (<usize>j << 2);
      store<f32>(o, horizontalSum(s00));
      store<f32>(o, horizontalSum(s01), 4);
      store<f32>(o + rowC, horizontalSum(s10));
      store<f32>(o + rowC, horizontalSum(s11), 4);
      store<f32>(o + 2 * rowC, horizontalSum(s20));
      store<f32>(o + 2 * rowC, horizontalSum(s21), 4);
      store<f32>(o + 3 * rowC, horizontalSum(s30));
      store<f32>(o + 3 * rowC, horizontalSum(s31), 4);
    }
    for (; j < n; j++) {
      const b0 = b + <usize>j * bytes;
      const o = o0 + (<usize>j << 2);
      store<f32>(o, dot(a0, b0, bytes));
      store<f32>(o + rowC, dot(a1, b0, bytes));
      store<f32>(o + 2 * rowC, dot(a2, b0, bytes));
      store<f32>(o + 3 * rowC, dot(a3, b0, bytes));
    }
  }
  for (; i < m; i++) {
    const a0 = a + <usize>i * bytes;
    const o0 = c + <usize>i * rowC;
    for (let j = 0; j < n; j++) store<f32>(o0 + (<usize>j << 2), dot(a0, b + <usize>j * bytes, bytes));
  }
}

/**
 * `c_i += alpha · Σ_j P(i, j) · b_j` for i < m (b: n × d, c: m × d; d % 4 == 0), where
 * P(i, j) is the float32 at `p + i·pRow + j·pCol` (byte strides): P is m × n row-major with
 * (pRow, pCol) = (4n, 4), or the transpose of an n × m row-major matrix with (4, 4m). Sums over
 * j in order, two terms at a time.
 */
export function gemmNN(p: usize, pRow: i32, pCol: i32, b: usize, c: usize, m: i32, n: i32, dim: i32, alpha: f32): void {
  const bytes = <usize>dim << 2;
  const rowP = <usize>pRow;
  const colP = <usize>pCol;
  const pairs = n & ~1;
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const p0 = p + <usize>i * rowP;
    const c0 = c + <usize>i * bytes;
    const c1 = c0 + bytes;
    const c2 = c1 + bytes;
    const c3 = c2 + bytes;
    let j = 0;
    for (; j < pairs; j += 2) {
      const pj = p0 + <usize>j * colP;
      const pk = pj + colP;
      const w0 = f32x4.splat(alpha * load<f32>(pj));
      const w1 = f32x4.splat(alpha * load<f32>(pj + rowP));
      const w2 = f32x4.splat(alpha * load<f32>(pj + 2 * rowP));
      const w3 = f32x4.splat(alpha * load<f32>(pj + 3 * rowP));
      const v0 = f32x4.splat(alpha * load<f32>(pk));
      const v1 = f32x4.splat(alpha * load<f32>(pk + rowP));
      const v2 = f32x4.splat(alpha * load<f32>(pk + 2 * rowP));
      const v3 = f32x4.splat(alpha * load<f32>(pk + 3 * rowP));
      const bj = b + <usize>j * bytes;
      const bk = bj + bytes;
      for (let q: usize = 0; q < bytes; q += 16) {
        const x = v128.load(bj + q);
        const y = v128.load(bk + q);
        v128.store(c0 + q, f32x4.add(v128.load(c0 + q), f32x4.add(f32x4.mul(w0, x), f32x4.mul(v0, y))));
        v128.store(c1 + q, f32x4.add(v128.load(c1 + q), f32x4.add(f32x4.mul(w1, x), f32x4.mul(v1, y))));
        v128.store(c2 + q, f32x4.add(v128.load(c2 + q), f32x4.add(f32x4.mul(w2, x), f32x4.mul(v2, y))));
        v128.store(c3 + q, f32x4.add(v128.load(c3 + q), f32x4.add(f32x4.mul(w3, x), f32x4.mul(v3, y))));
      }
    }
    for (; j < n; j++) {
      const pj = p0 + <usize>j * colP;
      const w0 = f32x4.splat(alpha * load<f32>(pj));
      const w1 = f32x4.splat(alpha * load<f32>(pj + rowP));
      const w2 = f32x4.splat(alpha * load<f32>(pj + 2 * rowP));
      const w3 = f32x4.splat(alpha * load<f32>(pj + 3 * rowP));
      const bj = b + <usize>j * bytes;
      for (let q: usize = 0; q < bytes; q += 16) {
        const x = v128.load(bj + q);
        v128.store(c0 + q, f32x4.add(v128.load(c0 + q), f32x4.mul(w0, x)));
        v128.store(c1 + q, f32x4.add(v128.load(c1 + q), f32x4.mul(w1, x)));
        v128.store(c2 + q, f32x4.add(v128.load(c2 + q), f32x4.mul(w2, x)));
        v128.store(c3 + q, f32x4.add(v128.load(c3 + q), f32x4.mul(w3, x)));
      }
    }
  }
  for (; i < m; i++) {
    const pi = p + <usize>i * rowP;
    const ci = c + <usize>i * bytes;
    let j = 0;
    for (; j < pairs; j += 2) {
      const w = f32x4.splat(alpha * load<f32>(pi + <usize>j * colP));
      const v = f32x4.splat(alpha * load<f32>(pi + <usize>(j + 1) * colP));
      const bj = b + <usize>j * bytes;
      const bk = bj + bytes;
      for (let q: usize = 0; q < bytes; q += 16) {
        v128.store(ci + q, f32x4.add(v128.load(ci + q), f32x4.add(f32x4.mul(w, v128.load(bj + q)), f32x4.mul(v, v128.load(bk + q)))));
      }
    }
    for (; j < n; j++) {
      const w = f32x4.splat(alpha * load<f32>(pi + <usize>j * colP));
      const bj = b + <usize>j * bytes;
      for (let q: usize = 0; q < bytes; q += 16) v128.store(ci + q, f32x4.add(v128.load(ci + q), f32x4.mul(w, v128.load(bj + q))));
    }
  }
}

// exp(x) for float32 lanes, Cephes' expf: x = n·ln2 + r with |r| ≤ ln2/2, e^r by a degree-7
// polynomial, 2^n through the exponent bits. Relative error ≈ 2e-7 on [−87, 88]; inputs below
// −87.3 give ≈ 1e-38 instead of 0 (harmless next to a softmax denominator ≥ 1).
@inline function expLanes(v: v128): v128 {
  let x = f32x4.max(f32x4.min(v, f32x4.splat(88.3762626647949)), f32x4.splat(-87.3365447504019));
  const fx = f32x4.floor(f32x4.add(f32x4.mul(x, f32x4.splat(1.44269504088896341)), f32x4.splat(0.5)));
  x = f32x4.sub(x, f32x4.mul(fx, f32x4.splat(0.693359375)));
  x = f32x4.sub(x, f32x4.mul(fx, f32x4.splat(-2.12194440e-4)));
  let y = f32x4.splat(1.9875691500e-4);
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(1.3981999507e-3));
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(8.3334519073e-3));
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(4.1665795894e-2));
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(1.6666665459e-1));
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(5.0000001201e-1));
  y = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(y, x), x), x), f32x4.splat(1));
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(fx), i32x4.splat(127)), 23);
  return f32x4.mul(y, scale);
}

/**
 * Row-wise scaled softmax in place: for each of `rows` rows of `cols` values x (row-major),
 * with t = scale · x: `lse[r] = max t + ln Σ exp(t − max t)` and `x ← weight · softmax(t)`.
 */
export function softmaxRows(x: usize, rows: i32, cols: i32, scale: f32, weight: f32, lse: usize): void {
  const quads = cols & ~3;
  const s = f32x4.splat(scale);
  for (let r = 0; r < rows; r++) {
    const row = x + <usize>r * (<usize>cols << 2);
    let mv = f32x4.splat(-Infinity);
    for (let c = 0; c < quads; c += 4) mv = f32x4.max(mv, f32x4.mul(s, v128.load(row + (<usize>c << 2))));
    let top = max<f32>(max<f32>(f32x4.extract_lane(mv, 0), f32x4.extract_lane(mv, 1)), max<f32>(f32x4.extract_lane(mv, 2), f32x4.extract_lane(mv, 3)));
    for (let c = quads; c < cols; c++) top = max<f32>(top, scale * load<f32>(row + (<usize>c << 2)));
    const shift = f32x4.splat(top);
    let sv = f32x4.splat(0);
    for (let c = 0; c < quads; c += 4) {
      const at = row + (<usize>c << 2);
      const e = expLanes(f32x4.sub(f32x4.mul(s, v128.load(at)), shift));
      v128.store(at, e);
      sv = f32x4.add(sv, e);
    }
    let sum = horizontalSum(sv);
    for (let c = quads; c < cols; c++) {
      const at = row + (<usize>c << 2);
      const e = f32x4.extract_lane(expLanes(f32x4.splat(scale * load<f32>(at) - top)), 0);
      store<f32>(at, e);
      sum += e;
    }
    store<f32>(lse + (<usize>r << 2), top + Mathf.log(sum));
    const w = f32x4.splat(weight / sum);
    for (let c = 0; c < quads; c += 4) {
      const at = row + (<usize>c << 2);
      v128.store(at, f32x4.mul(w, v128.load(at)));
    }
    for (let c = quads; c < cols; c++) {
      const at = row + (<usize>c << 2);
      store<f32>(at, (weight / sum) * load<f32>(at));
    }
  }
}

// Top-K: a bound from block maxima, a candidate buffer cut down by quickselect, then placement
// by counting (a binary min-heap, worst at the root, orders unusually many candidates).
// "a ranks below b": lower score, or the same score and a higher item index.
@inline function worse(sa: f32, ia: i32, sb: f32, ib: i32): bool {
  return sa < sb || (sa == sb && ia > ib);
}

function siftDown(hs: usize, hi: usize, size: i32, start: i32): void {
  let i = start;
  const s = f32At(hs, i);
  const it = i32At(hi, i);
  for (;;) {
    const left = 2 * i + 1;
    if (left >= size) break;
    const right = left + 1;
    let child = left;
    if (right < size && worse(f32At(hs, right), i32At(hi, right), f32At(hs, left), i32At(hi, left))) child = right;
    if (!worse(f32At(hs, child), i32At(hi, child), s, it)) break;
    store<f32>(hs + (<usize>i << 2), f32At(hs, child));
    store<i32>(hi + (<usize>i << 2), i32At(hi, child));
    i = child;
  }
  store<f32>(hs + (<usize>i << 2), s);
  store<i32>(hi + (<usize>i << 2), it);
}

function siftUp(hs: usize, hi: usize, start: i32): void {
  let i = start;
  const s = f32At(hs, i);
  const it = i32At(hi, i);
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!worse(s, it, f32At(hs, parent), i32At(hi, parent))) break;
    store<f32>(hs + (<usize>i << 2), f32At(hs, parent));
    store<i32>(hi + (<usize>i << 2), i32At(hi, parent));
    i = parent;
  }
  store<f32>(hs + (<usize>i << 2), s);
  store<i32>(hi + (<usize>i << 2), it);
}

/** Candidate slots of {@link topKRows}' buffer for a given k: room for k kept plus a batch of newcomers. */
@inline function topKCapacity(k: i32): i32 {
  return 2 * k + 64;
}

/** Scores (then items) of the candidate buffer: its capacity and 4 slots of padding, rounded to 16 bytes. */
@inline function topKSlots(k: i32): i32 {
  return (topKCapacity(k) + 4 + 3) & ~3;
}

/**
 * Scores per block of the block-maximum pre-pass: about 4k blocks (so that the k best scores
 * mostly fall in different blocks), at least 16 scores each, a multiple of 4.
 */
@inline function topKBlockSize(k: i32, cols: i32): i32 {
  const wanted = (cols + 4 * k - 1) / max(4 * k, 1);
  return max(16, (wanted + 3) & ~3);
}

/** Scratch floats {@link topKRows} needs for k of `cols` scores (candidate buffer and block maxima). */
export function topKScratchLength(k: i32, cols: i32): i32 {
  const block = topKBlockSize(k, cols);
  return 2 * topKSlots(k) + (cols + block - 1) / block;
}

@inline function swapEntries(hs: usize, hi: usize, a: i32, b: i32): void {
  const s = f32At(hs, a);
  const it = i32At(hi, a);
  store<f32>(hs + (<usize>a << 2), f32At(hs, b));
  store<i32>(hi + (<usize>a << 2), i32At(hi, b));
  store<f32>(hs + (<usize>b << 2), s);
  store<i32>(hi + (<usize>b << 2), it);
}

/**
 * Quickselect over entries [0, size): afterwards the k best (by `worse`) are in [0, k), in no
 * order. Pivot: median of first, middle and last (deterministic).
 */
function selectBest(hs: usize, hi: usize, size: i32, k: i32): void {
  let lo = 0;
  let hiEnd = size - 1;
  while (lo < hiEnd) {
    const mid = lo + ((hiEnd - lo) >> 1);
    // Order lo, mid, hiEnd best-first, then use mid as the pivot (moved to hiEnd).
    if (worse(f32At(hs, lo), i32At(hi, lo), f32At(hs, mid), i32At(hi, mid))) swapEntries(hs, hi, lo, mid);
    if (worse(f32At(hs, lo), i32At(hi, lo), f32At(hs, hiEnd), i32At(hi, hiEnd))) swapEntries(hs, hi, lo, hiEnd);
    if (worse(f32At(hs, mid), i32At(hi, mid), f32At(hs, hiEnd), i32At(hi, hiEnd))) swapEntries(hs, hi, mid, hiEnd);
    swapEntries(hs, hi, mid, hiEnd);
    const ps = f32At(hs, hiEnd);
    const pi = i32At(hi, hiEnd);
    let boundary = lo;
    for (let t = lo; t < hiEnd; t++) {
      if (worse(ps, pi, f32At(hs, t), i32At(hi, t))) {
        swapEntries(hs, hi, t, boundary);
        boundary++;
      }
    }
    swapEntries(hs, hi, boundary, hiEnd);
    // [lo, boundary) beat the pivot, boundary is the pivot, (boundary, hiEnd] do not.
    if (boundary == k || boundary == k - 1) return;
    if (boundary < k) lo = boundary + 1;
    else hiEnd = boundary - 1;
  }
}

/**
 * The k-th largest of floats [0, n) (1 ≤ k ≤ n; no NaN), reordering them: quickselect with a
 * median-of-3 pivot and branch-free partitions (the values are random: branches would mispredict).
 */
function kthLargest(v: usize, n: i32, k: i32): f32 {
  let lo = 0;
  let hiEnd = n - 1;
  const target = k - 1;
  while (lo < hiEnd) {
    const x = f32At(v, lo);
    const y = f32At(v, lo + ((hiEnd - lo) >> 1));
    const z = f32At(v, hiEnd);
    const low = x < y ? x : y;
    const high = x < y ? y : x;
    const pivot = z < low ? low : z > high ? high : z; // the median of the three
    // [lo, above) > pivot, then [above, equal) == pivot, then the rest < pivot.
    let above = lo;
    for (let t = lo; t <= hiEnd; t++) {
      const value = f32At(v, t);
      store<f32>(v + (<usize>t << 2), f32At(v, above));
      store<f32>(v + (<usize>above << 2), value);
      above += i32(value > pivot);
    }
    let equal = above;
    for (let t = above; t <= hiEnd; t++) {
      const value = f32At(v, t);
      store<f32>(v + (<usize>t << 2), f32At(v, equal));
      store<f32>(v + (<usize>equal << 2), value);
      equal += i32(value == pivot);
    }
    if (target < above) hiEnd = above - 1;
    else if (target < equal) return pivot;
    else lo = equal; // the pivot is one of the values: equal > above, so the range shrinks
  }
  return f32At(v, target);
}

/**
 * A score that the k-th best of the row is sure to reach: the k-th largest of the row's block
 * maxima (k blocks each hold a score at least that high). Returns −Infinity when the row has a
 * NaN (the caller then takes the plain path, which counts them) or fewer than k blocks.
 */
function blockBound(row: usize, cols: i32, k: i32, blockMax: usize): f32 {
  const block = topKBlockSize(k, cols);
  const blocks = (cols + block - 1) / block;
  if (blocks < k) return -Infinity;
  let nan = v128.splat<i32>(0);
  let b = 0;
  let j = 0;
  for (; j + block <= cols; j += block) {
    let m = v128.load(row + (<usize>j << 2));
    nan = v128.or(nan, f32x4.ne(m, m));
    for (let t = j + 4; t < j + block; t += 4) {
      const v = v128.load(row + (<usize>t << 2));
      nan = v128.or(nan, f32x4.ne(v, v));
      m = f32x4.pmax(m, v); // one maxps: NaNs are caught by `nan`, and ±0 tie either way
    }
    const half = f32x4.pmax(m, v128.shuffle<f32>(m, m, 2, 3, 0, 1));
    const x = f32x4.extract_lane(half, 0);
    const y = f32x4.extract_lane(half, 1);
    store<f32>(blockMax + (<usize>b << 2), x > y ? x : y);
    b++;
  }
  if (j < cols) {
    let m: f32 = -Infinity;
    for (; j < cols; j++) {
      const s = f32At(row, j);
      if (s != s) return -Infinity;
      if (s > m) m = s;
    }
    store<f32>(blockMax + (<usize>b << 2), m);
  }
  if (v128.any_true(nan)) return -Infinity;
  return kthLargest(blockMax, blocks, k);
}

/** The largest float below x (x > −Infinity, not NaN): `s > below(x)` is `s ≥ x`. */
@inline function below(x: f32): f32 {
  if (x == 0) return -1.401298464324817e-45;
  const bits = reinterpret<i32>(x);
  return reinterpret<f32>(x > 0 ? bits - 1 : bits + 1);
}

/** Up to this many candidates are placed by counting; more go through quickselect and a heap. */
const PLACE_ALL = 128;

/**
 * Writes the items of the k best of entries [0, n) to `out`, best first, branch-free: each
 * entry's place is the number of entries that rank above it (higher score, or the same score and
 * a lower index), counted four at a time. Entries [n, n + 3] are overwritten with padding.
 */
function placeByCount(hs: usize, hi: usize, n: i32, k: i32, out: usize): void {
  for (let t = n; t < n + 3; t++) {
    store<f32>(hs + (<usize>t << 2), -Infinity); // ranks above nothing, is never placed
    store<i32>(hi + (<usize>t << 2), i32.MAX_VALUE);
  }
  for (let t = 0; t < n; t++) {
    const s = f32x4.splat(f32At(hs, t));
    const it = i32x4.splat(i32At(hi, t));
    let above = i32x4.splat(0);
    for (let j = 0; j < n; j += 4) {
      const sj = v128.load(hs + (<usize>j << 2));
      const ij = v128.load(hi + (<usize>j << 2));
      // Comparison lanes are all ones (−1) where true: subtracting counts them.
      above = i32x4.sub(above, f32x4.gt(sj, s));
      above = i32x4.sub(above, v128.and(f32x4.eq(sj, s), i32x4.lt_s(ij, it)));
    }
    const place = i32x4.extract_lane(above, 0) + i32x4.extract_lane(above, 1) + i32x4.extract_lane(above, 2) + i32x4.extract_lane(above, 3);
    if (place < k) store<i32>(out + (<usize>place << 2), i32At(hi, t));
  }
}

/**
 * Appends scores [from, to) of the row that beat the threshold to the candidates, branch-free:
 * every score is written, only those above the threshold are kept. Returns the new count.
 */
@inline function appendAbove(row: usize, from: i32, to: i32, threshold: f32, hs: usize, hi: usize, size: i32): i32 {
  for (let t = from; t < to; t++) {
    const s = f32At(row, t);
    store<f32>(hs + (<usize>size << 2), s);
    store<i32>(hi + (<usize>size << 2), t);
    size += i32(s > threshold);
  }
  return size;
}

/** The worst of entries [0, k) (k ≥ 1): the score a newcomer must beat. */
function worstScore(hs: usize, hi: usize, k: i32): f32 {
  let ws = f32At(hs, 0);
  let wi = i32At(hi, 0);
  for (let t = 1; t < k; t++) {
    const s = f32At(hs, t);
    const it = i32At(hi, t);
    if (worse(s, it, ws, wi)) {
      ws = s;
      wi = it;
    }
  }
  return ws;
}

/**
 * Cuts a full candidate buffer (size > k) down to its k best, in [0, k); returns their worst
 * score, the threshold a later entry must beat.
 */
@inline function compact(hs: usize, hi: usize, size: i32, k: i32): f32 {
  selectBest(hs, hi, size, k);
  return worstScore(hs, hi, k);
}

/**
 * For each of `rows` rows of `cols` scores (rows `stride` floats apart): the indices of its k
 * best entries, best first, into `items` (rows × k; fewer when fewer are rankable: the count goes
 * to `counts[r]`). Higher score first; equal scores: lower index first. −Infinity marks a masked
 * entry: never ranked. `scratch` has room for {@link topKScratchLength}(k, cols) floats. Returns the
 * number of NaN scores met (they are not ranked).
 *
 * First a bound: the k-th largest block maximum, which the k-th best score reaches, so only
 * scores at or above it can rank (typically a few more than k). Entries that beat the current
 * threshold are appended to a candidate buffer; when it is full, a quickselect keeps its k best
 * and their worst score becomes the threshold. A row's entries arrive in ascending index order,
 * so a later entry equal to that threshold ranks below every kept one and is rightly skipped.
 * Most entries are rejected sixteen at a time (four at a time in a row with a NaN).
 */
export function topKRows(scores: usize, rows: i32, cols: i32, stride: i32, k: i32, items: usize, counts: usize, scratch: usize): i32 {
  const capacity = topKCapacity(k);
  // Scratch: candidate scores (hs) and items (hi), then the block maxima.
  const hs = scratch;
  const hi = scratch + (<usize>topKSlots(k) << 2);
  const blockMax = hi + (<usize>topKSlots(k) << 2);
  let nans = 0;
  for (let r = 0; r < rows; r++) {
    const row = scores + <usize>r * (<usize>stride << 2);
    let size = 0;
    const bound = k > 0 ? blockBound(row, cols, k, blockMax) : -Infinity;
    let threshold: f32 = bound == -Infinity ? bound : below(bound);
    let j = 0;
    if (bound != -Infinity) {
      // The bound pass saw no NaN: sixteen scores per test, no NaN checks.
      for (; j + 16 <= cols; j += 16) {
        const at = row + (<usize>j << 2);
        const t4 = f32x4.splat(threshold);
        const above = v128.or(
          v128.or(f32x4.gt(v128.load(at), t4), f32x4.gt(v128.load(at, 16), t4)),
          v128.or(f32x4.gt(v128.load(at, 32), t4), f32x4.gt(v128.load(at, 48), t4)),
        );
        if (!v128.any_true(above)) continue;
        if (size > capacity - 16) {
          threshold = compact(hs, hi, size, k);
          size = k;
        }
        size = appendAbove(row, j, j + 16, threshold, hs, hi, size);
      }
    } else {
      for (; j + 4 <= cols; j += 4) {
        const v = v128.load(row + (<usize>j << 2));
        if (!v128.any_true(v128.or(f32x4.gt(v, f32x4.splat(threshold)), f32x4.ne(v, v)))) continue;
        if (size > capacity - 4) {
          threshold = compact(hs, hi, size, k);
          size = k;
        }
        size = appendAbove(row, j, j + 4, threshold, hs, hi, size);
        for (let t = j; t < j + 4; t++) {
          const s = f32At(row, t);
          nans += i32(s != s);
        }
      }
    }
    // The last < 16 scores, one at a time.
    for (; j < cols; j++) {
      if (size == capacity) {
        threshold = compact(hs, hi, size, k);
        size = k;
      }
      size = appendAbove(row, j, j + 1, threshold, hs, hi, size);
      const s = f32At(row, j);
      nans += i32(s != s);
    }
    const out = items + <usize>r * (<usize>k << 2);
    if (size <= PLACE_ALL) {
      // Few candidates (the usual case): each goes straight to its place.
      placeByCount(hs, hi, size, k, out);
      if (size > k) size = k;
    } else {
      if (size > k) {
        selectBest(hs, hi, size, k);
        size = k;
      }
      // Heapify (worst at the root), then take the worst out, last place first.
      for (let t = 1; t < size; t++) siftUp(hs, hi, t);
      for (let position = size - 1; position >= 0; position--) {
        store<i32>(out + (<usize>position << 2), i32At(hi, 0));
        store<f32>(hs, f32At(hs, position));
        store<i32>(hi, i32At(hi, position));
        siftDown(hs, hi, position, 0);
      }
    }
    store<i32>(counts + (<usize>r << 2), size);
  }
  return nans;
}

/**
 * Scores against a transposed right operand: `c[i·n + j] = Σ_q a[i·d + q] · bT[q·n + j]`
 * (a: m × d, bT: d × n, c: m × n; any d and n). Keep n a multiple of 16 (pad bT and c with
 * zero columns): then every row of bT and c starts on a 64-byte line, ~1.5× faster.
 * Each score is a plain sum over q in order, so it does not depend on m, n or the tiling: the
 * full-ranking kernel (no horizontal sums; 4 users × 8 items per tile, the tile's slice of bT
 * stays in L1 while the users stream past it).
 */
export function scoreTransposed(a: usize, bT: usize, c: usize, m: i32, n: i32, dim: i32): void {
  const rowA = <usize>dim << 2;
  const rowB = <usize>n << 2;
  const rowC = <usize>n << 2;
  const octets = n & ~7;
  const quads = n & ~3;
  let j = 0;
  for (; j < octets; j += 8) {
    const b0 = bT + (<usize>j << 2);
    let i = 0;
    for (; i + 4 <= m; i += 4) {
      const a0 = a + <usize>i * rowA;
      let s00 = f32x4.splat(0), s01 = f32x4.splat(0), s10 = f32x4.splat(0), s11 = f32x4.splat(0);
      let s20 = f32x4.splat(0), s21 = f32x4.splat(0), s30 = f32x4.splat(0), s31 = f32x4.splat(0);
      let bq = b0;
      let aq = a0;
      for (let q = 0; q < dim; q++) {
        const x0 = v128.load(bq);
        const x1 = v128.load(bq, 16);
        const w0 = v128.load32_splat(aq);
        const w1 = v128.load32_splat(aq + rowA);
        const w2 = v128.load32_splat(aq + 2 * rowA);
        const w3 = v128.load32_splat(aq + 3 * rowA);
        s00 = f32x4.add(s00, f32x4.mul(w0, x0));
        s01 = f32x4.add(s01, f32x4.mul(w0, x1));
        s10 = f32x4.add(s10, f32x4.mul(w1, x0));
        s11 = f32x4.add(s11, f32x4.mul(w1, x1));
        s20 = f32x4.add(s20, f32x4.mul(w2, x0));
        s21 = f32x4.add(s21, f32x4.mul(w2, x1));
        s30 = f32x4.add(s30, f32x4.mul(w3, x0));
        s31 = f32x4.add(s31, f32x4.mul(w3, x1));
        bq += rowB;
        aq += 4;
      }
      const o = c + <usize>i * rowC + (<usize>j << 2);
      v128.store(o, s00);
      v128.store(o, s01, 16);
      v128.store(o + rowC, s10);
      v128.store(o + rowC, s11, 16);
      v128.store(o + 2 * rowC, s20);
      v128.store(o + 2 * rowC, s21, 16);
      v128.store(o + 3 * rowC, s30);
      v128.store(o + 3 * rowC, s31, 16);
    }
    for (; i < m; i++) {
      let s0 = f32x4.splat(0), s1 = f32x4.splat(0);
      let bq = b0;
      let aq = a + <usize>i * rowA;
      for (let q = 0; q < dim; q++) {
        const w = v128.load32_splat(aq);
        s0 = f32x4.add(s0, f32x4.mul(w, v128.load(bq)));
        s1 = f32x4.add(s1, f32x4.mul(w, v128.load(bq, 16)));
        bq += rowB;
        aq += 4;
      }
      const o = c + <usize>i * rowC + (<usize>j << 2);
      v128.store(o, s0);
      v128.store(o, s1, 16);
    }
  }
  for (; j < quads; j += 4) {
    for (let i = 0; i < m; i++) v128.store(c + <usize>i * rowC + (<usize>j << 2), scoreColumns(a + <usize>i * rowA, bT + (<usize>j << 2), rowB, dim, true));
  }
  for (; j < n; j++) {
    // Lane 0 of the same vector arithmetic: identical rounding to the vector columns.
    for (let i = 0; i < m; i++) store<f32>(c + <usize>i * rowC + (<usize>j << 2), f32x4.extract_lane(scoreColumns(a + <usize>i * rowA, bT + (<usize>j << 2), rowB, dim, false), 0));
  }
}

/** Σ_q a[q] · bT[q, j…j+3] for one row of a (four columns, or column j alone in lane 0). */
@inline function scoreColumns(aq: usize, bq: usize, rowB: usize, dim: i32, four: bool): v128 {
  let s0 = f32x4.splat(0);
  for (let q = 0; q < dim; q++) {
    s0 = f32x4.add(s0, f32x4.mul(v128.load32_splat(aq), four ? v128.load(bq) : v128.load32_splat(bq)));
    bq += rowB;
    aq += 4;
  }
  return s0;
}
