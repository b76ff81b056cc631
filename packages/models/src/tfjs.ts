/**
 * `@llminit/models/tfjs`: choose and activate a TensorFlow.js backend yourself (`trainModel` does it for the tfjs
 * engine). Needs `@tensorflow/tfjs-core` and `@tensorflow/tfjs` (optional peers) plus a backend package.
 */
export { selectBackend } from "./backend.js";
export type { BackendPreference, SelectedBackend, Tf } from "./backend.js";
export { registerFastSegmentSum } from "./segment-sum-kernel.js";
