// Browser side of engine detection: no native TensorFlow.js backend exists in a page. Same interface as
// `src/node/platform.ts`, which package.json's "browser" field swaps for this file in browser bundles.
import type { NativeBackendStatus } from "../platform-types.js";

/** Native tfjs backends never run in a browser. */
export function nativeBackendStatus(
  _name: "@tensorflow/tfjs-node" | "@tensorflow/tfjs-node-gpu",
  _from?: string | URL,
): NativeBackendStatus {
  return { installed: false };
}
