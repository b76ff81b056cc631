import { describe, expect, it, vi } from "vitest";
import type * as Platform from "./node/platform.js";

// Every worker's program fails as it starts (as one whose module cannot be instantiated would).
vi.mock("./node/platform.js", async (importOriginal) => {
  const original = await importOriginal<typeof Platform>();
  return {
    ...original,
    startKernelWorker: (...[body, data, handlers]: Parameters<typeof Platform.startKernelWorker>) =>
      original.startKernelWorker(`throw new Error("no memory for this worker");\n${body}`, data, handlers),
  };
});
const { createKernels } = await import("./kernels.js");

describe("a dead worker thread", () => {
  it("makes the next parallel call throw with its reason instead of running every part on one thread", async () => {
    const k = createKernels({ threads: 2 });
    try {
      const x = k.f32(1 << 18);
      x.array.fill(2);
      // Until the worker's error arrives, the caller runs the part the worker never claims: still correct.
      k.parallel.scale(x.ptr, x.length, 0.5);
      expect(x.array.every((v) => v === 1)).toBe(true);
      await vi.waitFor(
        () =>
          expect(() => k.parallel.scale(x.ptr, x.length, 0.5)).toThrow(/worker 1 stopped: no memory for this worker/),
        { timeout: 10_000, interval: 20 },
      );
      // One thread's kernels still run.
      k.exports.scale(x.ptr, x.length, 2);
    } finally {
      k.dispose();
    }
  });
});
