import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
// @ts-expect-error -- a plain .mjs build script without types
import { GENERATED, compileKernels, generatedSource } from "../scripts/compile-assembly.mjs";

describe("kernel-wasm.generated.ts", () => {
  it("holds exactly what assembly/index.ts compiles to (run `pnpm compile-assembly` after editing it)", async () => {
    const wasm: Uint8Array = await compileKernels();
    expect(readFileSync(GENERATED as string, "utf8")).toBe(generatedSource(wasm));
  }, 60_000);
});
