/** A started kernels worker (a Node worker thread or a Web Worker). */
export interface KernelWorker {
  terminate(): void;
}
