import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { nativeBackendStatus } from "./platform.js";

const root = mkdtempSync(join(tmpdir(), "llminit-native-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A package folder as npm leaves it: package.json and its main file. */
function writePackage(project: string, name: string): string {
  const dir = join(project, "node_modules", ...name.split("/"));
  mkdirSync(join(dir, "dist"), { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name, version: "4.22.0", main: "dist/index.js" }));
  writeFileSync(join(dir, "dist", "index.js"), "module.exports = {};\n");
  return dir;
}

describe("nativeBackendStatus", () => {
  it("says not installed when the package cannot be resolved", () => {
    const project = join(root, "none");
    mkdirSync(project, { recursive: true });
    expect(nativeBackendStatus("@tensorflow/tfjs-node-gpu", join(project, "index.js"))).toEqual({ installed: false });
  });

  it("does not take a package whose install script never built its native binding", () => {
    const project = join(root, "unbuilt");
    writePackage(project, "@tensorflow/tfjs-node-gpu");
    writePackage(project, "@tensorflow/tfjs-core");
    const status = nativeBackendStatus("@tensorflow/tfjs-node-gpu", join(project, "index.js"));
    expect(status.installed).toBe(true);
    expect(status.problem).toMatch(/tfjs_binding\.node is missing .*npm rebuild @tensorflow\/tfjs-node-gpu/);
  });

  it("needs tfjs-core beside a built package, and takes it when both are there", () => {
    const project = join(root, "built");
    const dir = writePackage(project, "@tensorflow/tfjs-node-gpu");
    mkdirSync(join(dir, "lib", "napi-v8"), { recursive: true });
    writeFileSync(join(dir, "lib", "napi-v8", "tfjs_binding.node"), "");
    const from = join(project, "index.js");
    expect(nativeBackendStatus("@tensorflow/tfjs-node-gpu", from).problem).toMatch(/@tensorflow\/tfjs-core is not/);
    writePackage(project, "@tensorflow/tfjs-core");
    expect(nativeBackendStatus("@tensorflow/tfjs-node-gpu", from)).toEqual({ installed: true });
  });
});
