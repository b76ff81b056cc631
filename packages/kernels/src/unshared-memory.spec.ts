import { describe, expect, it } from "vitest";
import { KERNEL_WASM_BASE64 } from "./kernel-wasm.generated.js";
import { createKernels } from "./kernels.js";
import { withUnsharedMemoryImport } from "./unshared-memory.js";

// The WebAssembly globals used here (TypeScript's node types do not declare them without the DOM lib).
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (
    module: object,
    imports: Record<string, Record<string, unknown>>,
  ) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum: number }) => { buffer: ArrayBuffer };
};

const bytes = Uint8Array.from(atob(KERNEL_WASM_BASE64), (c) => c.charCodeAt(0));
const abort = () => {
  throw new Error("abort");
};

describe("withUnsharedMemoryImport", () => {
  it("lets the kernels run in a plain memory, with the same results as in the shared one", () => {
    const plainMemory = new WebAssembly.Memory({ initial: 2, maximum: 65536 });
    // The module as compiled refuses a memory that is not shared …
    expect(
      () => new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory: plainMemory, abort } }),
    ).toThrow();
    // … the patched one takes it.
    const patched = withUnsharedMemoryImport(bytes);
    expect(patched.length).toBe(bytes.length);
    const instance = new WebAssembly.Instance(new WebAssembly.Module(patched), { env: { memory: plainMemory, abort } });
    const gemmNT = instance.exports.gemmNT as (
      a: number,
      b: number,
      c: number,
      m: number,
      n: number,
      d: number,
    ) => void;
    const a = Float32Array.from({ length: 3 * 8 }, (_, i) => Math.sin(i));
    const b = Float32Array.from({ length: 5 * 8 }, (_, i) => Math.cos(i));
    const base = 65536;
    const view = new Float32Array(plainMemory.buffer);
    view.set(a, base / 4);
    view.set(b, base / 4 + a.length);
    gemmNT(base, base + 4 * a.length, base + 4 * (a.length + b.length), 3, 5, 8);
    const plain = view.slice(base / 4 + a.length + b.length, base / 4 + a.length + b.length + 15);

    const k = createKernels();
    const [ka, kb, kc] = [k.f32(a.length), k.f32(b.length), k.f32(15)];
    ka.array.set(a);
    kb.array.set(b);
    k.exports.gemmNT(ka.ptr, kb.ptr, kc.ptr, 3, 5, 8);
    expect(Array.from(plain)).toEqual(Array.from(kc.array));
  });

  it("returns a module without a shared memory import as it is", () => {
    const patched = withUnsharedMemoryImport(bytes);
    expect(withUnsharedMemoryImport(patched)).toBe(patched);
  });

  it("rejects bytes that are not a WebAssembly module", () => {
    expect(() => withUnsharedMemoryImport(Uint8Array.of(1, 2, 3))).toThrow(/not a WebAssembly module/);
  });
});
