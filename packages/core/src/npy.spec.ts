import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { decodeNpy, encodeNpy, encodeNpyHeader } from "./npy.js";
import { readNpy, writeNpy } from "./node/npy-file.js";

const dir = mkdtempSync(join(tmpdir(), "llminit-npy-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function numpyAvailable(): boolean {
  try {
    execFileSync("python3", ["-c", "import numpy"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

describe("npy", () => {
  it("writes numpy's exact v1.0 layout", () => {
    const bytes = encodeNpy(Float32Array.of(1, 2, 3, 4, 5, 6), [2, 3]);
    const header = new TextDecoder("latin1").decode(bytes.subarray(10, 128));
    expect(Array.from(bytes.subarray(0, 8))).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    expect(bytes.length).toBe(128 + 24);
    expect(header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }")).toBe(true);
    expect(header.endsWith("\n")).toBe(true);
  });

  it("round-trips every dtype", () => {
    const cases = [
      { data: Float32Array.of(1.5, -2, 3e-8), shape: [3] },
      { data: Float64Array.of(Math.PI, -1), shape: [1, 2] },
      { data: Int32Array.of(-7, 0, 2 ** 31 - 1, 5), shape: [2, 2] },
      { data: BigInt64Array.of(1n, -(2n ** 40n)), shape: [2] },
      { data: Uint8Array.of(0, 255), shape: [2] },
      { data: new Float32Array(0), shape: [0, 4] },
    ];
    for (const { data, shape } of cases) {
      const decoded = decodeNpy(encodeNpy(data, shape));
      expect(decoded.shape).toEqual(shape);
      expect(Array.from(decoded.data as ArrayLike<number | bigint>)).toEqual(
        Array.from(data as ArrayLike<number | bigint>),
      );
    }
  });

  it("reads big-endian and Fortran-order arrays", () => {
    const header = "{'descr': '>i4', 'fortran_order': True, 'shape': (2, 3), }";
    const padded = header + " ".repeat(128 - 10 - header.length - 1) + "\n";
    const bytes = new Uint8Array(128 + 24);
    bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    new DataView(bytes.buffer).setUint16(8, padded.length, true);
    for (let i = 0; i < padded.length; i++) bytes[10 + i] = padded.charCodeAt(i);
    // Column-major [[1, 2, 3], [4, 5, 6]] is 1 4 2 5 3 6.
    [1, 4, 2, 5, 3, 6].forEach((v, i) => new DataView(bytes.buffer).setInt32(128 + 4 * i, v, false));
    const decoded = decodeNpy(bytes);
    expect(Array.from(decoded.data as Int32Array)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("names the file on bad input", () => {
    expect(() => decodeNpy(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]), "x.npy")).toThrow(
      /x\.npy: not a \.npy file/,
    );
    const truncated = encodeNpy(Float32Array.of(1, 2, 3), [3]).subarray(0, 130);
    expect(() => decodeNpy(truncated, "t.npy")).toThrow(/t\.npy: truncated data/);
  });

  it("writes files numpy reads, and reads files numpy writes", async (context) => {
    if (!numpyAvailable()) {
      context.skip("python3 with numpy is not installed; the byte-level tests above still ran");
      return;
    }
    const ours = join(dir, "ours.npy");
    await writeNpy(ours, Float32Array.of(0.5, 1, 2, 4, 8, 16), [3, 2]);
    const summary = execFileSync("python3", [
      "-c",
      `import numpy as np; a = np.load(${JSON.stringify(ours)}); print(a.dtype, a.shape, a.sum(), a[2, 1])`,
    ]).toString();
    expect(summary.trim()).toBe("float32 (3, 2) 31.5 16.0");
    const theirs = join(dir, "theirs.npy");
    execFileSync("python3", [
      "-c",
      `import numpy as np; np.save(${JSON.stringify(theirs)}, np.arange(12, dtype='<f8').reshape(3, 4))`,
    ]);
    const read = await readNpy(theirs);
    expect(read.shape).toEqual([3, 4]);
    expect(read.data[11]).toBe(11);
  });

  it("writes atomically, leaving no temporary file", async () => {
    const path = join(dir, "atomic.npy");
    writeFileSync(path, "old");
    await writeNpy(path, Int32Array.of(1), [1]);
    expect(readFileSync(path).subarray(0, 6)).toEqual(Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]));
  });
});

describe("encodeNpyHeader", () => {
  it("is the header encodeNpy writes before the data, 64-byte aligned", () => {
    const data = Float32Array.from({ length: 12 }, (_, i) => i / 3);
    const whole = encodeNpy(data, [3, 4]);
    const header = encodeNpyHeader("float32", [3, 4]);
    expect(header.length % 64).toBe(0);
    expect(Array.from(whole.subarray(0, header.length))).toEqual(Array.from(header));
    expect(whole.length).toBe(header.length + data.byteLength);
  });
});
