/**
 * One seeded random tree for everything (LensKit's idea). Every consumer derives a named child
 * (`rng.child("split")`); a child's stream depends only on the root seed and its path, so adding
 * a consumer, or drawing more from one, never changes another one's numbers.
 *
 * Generator: xoshiro128** seeded through splitmix32 from a 128-bit hash of `seed/path`.
 * Pure 32-bit integer arithmetic, so the streams are identical on every platform.
 */

export interface Rng {
  /** The root seed this generator descends from. */
  readonly seed: number;
  /** Slash-separated names from the root, e.g. "split/valid". Empty for the root. */
  readonly path: string;
  /** An independent generator for a named consumer. Same name, same stream. */
  child(name: string): Rng;
  /** Uniform integer in [0, 2^32). */
  nextUint32(): number;
  /** Uniform float in [0, 1) with 53 random bits. */
  next(): number;
  /** Uniform integer in [0, maxExclusive), unbiased. */
  int(maxExclusive: number): number;
  /** Standard normal deviate. */
  normal(): number;
  /** Fisher–Yates shuffle in place; returns its argument. */
  shuffle<T extends { length: number; [i: number]: unknown }>(items: T): T;
}

/** The root of a random tree. `seed` is any integer (the paper's code uses 2020). */
export function createRng(seed: number): Rng {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
  return new Xoshiro128(seed, "");
}

function hash128(text: string): [number, number, number, number] {
  // cyrb128: a fast, well-mixed string hash; only used to derive seeds.
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

function splitmix32(state: number): () => number {
  let s = state | 0;
  return () => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

const TWO_POW_32 = 4294967296;

class Xoshiro128 implements Rng {
  readonly seed: number;
  readonly path: string;
  private readonly state = new Uint32Array(4);
  private spareNormal: number | undefined;

  constructor(seed: number, path: string) {
    this.seed = seed;
    this.path = path;
    const [a, b, c, d] = hash128(`${seed}/${path}`);
    const mix = splitmix32(a ^ b ^ c ^ d);
    for (let i = 0; i < 4; i++) this.state[i] = mix() ^ [a, b, c, d][i];
    if ((this.state[0] | this.state[1] | this.state[2] | this.state[3]) === 0) this.state[0] = 1;
  }

  child(name: string): Rng {
    if (name.length === 0 || name.includes("/")) {
      throw new RangeError(`rng child name must be non-empty and contain no "/", got "${name}"`);
    }
    return new Xoshiro128(this.seed, this.path === "" ? name : `${this.path}/${name}`);
  }

  nextUint32(): number {
    const s = this.state;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  next(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low) / 9007199254740992;
  }

  int(maxExclusive: number): number {
    if (!Number.isSafeInteger(maxExclusive) || maxExclusive <= 0) {
      throw new RangeError(`int() bound must be a positive safe integer, got ${maxExclusive}`);
    }
    if (maxExclusive <= TWO_POW_32) {
      // Rejection sampling removes the modulo bias.
      const limit = TWO_POW_32 - (TWO_POW_32 % maxExclusive);
      for (;;) {
        const x = this.nextUint32();
        if (x < limit) return x % maxExclusive;
      }
    }
    return Math.floor(this.next() * maxExclusive);
  }

  normal(): number {
    if (this.spareNormal !== undefined) {
      const value = this.spareNormal;
      this.spareNormal = undefined;
      return value;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  }

  shuffle<T extends { length: number; [i: number]: unknown }>(items: T): T {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
