// Node side of engine detection. `src/browser/platform.ts` is the same interface for browsers (where no native
// backend exists); package.json's "browser" field swaps one file for the other in browser bundles.
import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { NativeBackendStatus } from "../platform-types.js";

/**
 * The folder of a package as an `import` from `from` would find it (`node_modules/<name>` in `from`'s folder or
 * above, as Node's ESM resolution looks; NODE_PATH plays no part there), or undefined.
 */
function packageDir(name: string, from: string | URL): string | undefined {
  const file = typeof from === "string" && !from.startsWith("file:") ? from : fileURLToPath(from);
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", ...name.split("/"));
    if (existsSync(join(candidate, "package.json"))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * Whether `@tensorflow/tfjs-node` or `@tensorflow/tfjs-node-gpu` can run: installed where this package resolves
 * it, with the native binding its install script downloads (`lib/napi-v<N>/tfjs_binding.node`), and with
 * `@tensorflow/tfjs-core` resolvable beside it. Checked on disk, without loading libtensorflow. `from`: the
 * module that would import it (default: this package).
 */
export function nativeBackendStatus(
  name: "@tensorflow/tfjs-node" | "@tensorflow/tfjs-node-gpu",
  from: string | URL = import.meta.url,
): NativeBackendStatus {
  const dir = packageDir(name, from);
  if (dir === undefined) return { installed: false };
  const lib = join(dir, "lib");
  const bindings = existsSync(lib)
    ? readdirSync(lib).filter((d) => d.startsWith("napi-v") && existsSync(join(lib, d, "tfjs_binding.node")))
    : [];
  if (bindings.length === 0)
    return {
      installed: true,
      problem:
        `its native binding ${join(lib, "napi-v<N>", "tfjs_binding.node")} is missing (its install script did not ` +
        `run or failed); on a machine with internet access run \`npm rebuild ${name}\` (pnpm: allow its ` +
        `build under allowBuilds in pnpm-workspace.yaml, then \`pnpm rebuild ${name}\`)`,
    };
  if (packageDir("@tensorflow/tfjs-core", from) === undefined)
    return {
      installed: true,
      problem: "@tensorflow/tfjs-core is not installed beside it (npm i @tensorflow/tfjs-core)",
    };
  return { installed: true };
}
