export { createKernels, kernelsSupported, paddedColumns, paddedDim } from "./kernels.js";
export type { KernelBuffer, KernelExports, Kernels } from "./kernels.js";
export { KERNEL_WASM_SHA256 } from "./kernel-wasm.generated.js";
export { createSharedPropagation, sharedSumsPossible } from "./shared-propagation.js";
export type { BipartiteGraph, SharedPropagation, SharedPropagationOptions } from "./shared-propagation.js";
export { planSharedSums } from "./shared-sums.js";
export type { SharedSums, SharedSumsOptions } from "./shared-sums.js";
export { noiseUniform } from "./noise-uniform.js";
