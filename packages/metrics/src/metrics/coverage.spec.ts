import { describe, expect, it } from "vitest";
import { coverage } from "./coverage.js";

describe("coverage (catalogue metric)", () => {
  it("counts the distinct items in any user's top k over the catalogue", () => {
    const accumulator = coverage.prepare({ numUsers: 3, numItems: 10, ks: [1, 3] });
    for (const items of [
      [4, 2, 7],
      [4, 1],
      [9, 2, 0],
    ])
      accumulator.add({ user: 0, items: Int32Array.from(items), hits: new Uint8Array(items.length), truthCount: 1 });
    const out = new Float64Array(2);
    accumulator.finish(out, 0);
    // top 1: {4, 9}; top 3: {4, 2, 7, 1, 9, 0}
    expect(Array.from(out)).toEqual([0.2, 0.6]);
  });
});
