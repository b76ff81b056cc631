/**
 * The uniform in [0, 1) (24 random bits) that the `addSignedNoise` kernel uses for element
 * `index` of a noise draw with `seed`: MurmurHash3's 32-bit finaliser of `seed + index · φ`
 * (φ = 0x9e3779b9), top 24 bits. Counter-based, so any engine or thread computes the same value
 * for the same (seed, index): a TensorFlow.js engine draws exactly the kernels' noise with it.
 */
export function noiseUniform(seed: number, index: number): number {
  let h = (seed + Math.imul(index, 0x9e3779b9)) | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 8) * 5.9604644775390625e-8;
}
