export { createKernels, kernelsSupported, paddedColumns, paddedDim } from "./kernels.js";
export type { KernelBuffer, KernelExports, Kernels } from "./kernels.js";
export { KERNEL_WASM_SHA256 } from "./kernel-wasm.generated.js";
