import { build } from "esbuild";
import { describe, expect, it } from "vitest";

/** The entry points that must bundle for a browser, each on its own (the demo bundles them together). */
const BROWSER_ENTRIES = [
  "@llminit/core",
  "@llminit/kernels",
  "@llminit/selection",
  "@llminit/metrics",
  "@llminit/models",
  "@llminit/models/define",
  "@llminit/data/browser",
  "@llminit/encoders/browser",
];

async function bundle(entry: string): Promise<{ text: string }> {
  const result = await build({
    stdin: { contents: `export * from "${entry}";`, resolveDir: import.meta.dirname, loader: "js" },
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    // Our code only: TensorFlow.js (an optional peer) guards its own Node branches; the demo bundles and runs it.
    external: ["@tensorflow/*"],
    logLevel: "silent",
  });
  return { text: result.outputFiles.map((f) => f.text).join("\n") };
}

describe("browser bundles (esbuild, platform browser)", () => {
  it.each(BROWSER_ENTRIES)("%s bundles without Node built-ins", { timeout: 60_000 }, async (entry) => {
    const { text } = await bundle(entry);
    expect(text).not.toMatch(/["'](node:)?(fs|fs\/promises|os|path|crypto|module|worker_threads|child_process)["']/);
  });

  it("swaps the kernels' Node threads for Web Workers", { timeout: 60_000 }, async () => {
    const { text } = await bundle("@llminit/kernels");
    expect(text).toContain("self.onmessage");
    expect(text).not.toContain("resourceUsage");
  });
});
