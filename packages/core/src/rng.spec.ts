import { describe, expect, it } from "vitest";
import { createRng } from "./rng.js";

describe("createRng", () => {
  it("gives the same stream for the same seed and path", () => {
    const a = createRng(2020).child("split");
    const b = createRng(2020).child("split");
    const drawsA = Array.from({ length: 5 }, () => a.nextUint32());
    const drawsB = Array.from({ length: 5 }, () => b.nextUint32());
    expect(drawsA).toEqual(drawsB);
  });

  it("makes children independent of how much the parent or a sibling drew", () => {
    const root1 = createRng(7);
    const root2 = createRng(7);
    for (let i = 0; i < 100; i++) root2.nextUint32();
    root2.child("other").nextUint32();
    expect(root1.child("train").next()).toBe(root2.child("train").next());
  });

  it("separates seeds and names", () => {
    const root = createRng(1);
    expect(root.child("a").nextUint32()).not.toBe(root.child("b").nextUint32());
    expect(createRng(1).nextUint32()).not.toBe(createRng(2).nextUint32());
    expect(root.child("a").child("b").path).toBe("a/b");
  });

  it("draws uniform floats in [0, 1) and unbiased integers", () => {
    const rng = createRng(3);
    const counts = new Array(6).fill(0);
    let sum = 0;
    const n = 60000;
    for (let i = 0; i < n; i++) {
      const x = rng.next();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      sum += x;
      counts[rng.int(6)]++;
    }
    expect(sum / n).toBeCloseTo(0.5, 1);
    for (const c of counts) expect(Math.abs(c - n / 6)).toBeLessThan(500);
  });

  it("draws standard normals", () => {
    const rng = createRng(4);
    let sum = 0;
    let sumSq = 0;
    const n = 40000;
    for (let i = 0; i < n; i++) {
      const x = rng.normal();
      sum += x;
      sumSq += x * x;
    }
    expect(sum / n).toBeCloseTo(0, 1);
    expect(sumSq / n).toBeCloseTo(1, 1);
  });

  it("shuffles into a permutation, reproducibly", () => {
    const a = createRng(5).shuffle(Int32Array.from({ length: 50 }, (_, i) => i));
    const b = createRng(5).shuffle(Int32Array.from({ length: 50 }, (_, i) => i));
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a).sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(Array.from(a)).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it("rejects bad arguments", () => {
    expect(() => createRng(1.5)).toThrow(/seed/);
    expect(() => createRng(1).int(0)).toThrow(/positive/);
    expect(() => createRng(1).child("a/b")).toThrow(/child name/);
  });
});
