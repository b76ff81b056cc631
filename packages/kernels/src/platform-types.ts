/** A started kernels worker (a Node worker thread or a Web Worker). */
export interface KernelWorker {
  terminate(): void;
}

/** What a kernels worker reports to the thread that started it. */
export interface KernelWorkerHandlers {
  /** A kernel failed in the worker (the worker keeps running). */
  message(message: string): void;
  /** The worker died (it runs no more parts): a short reason, and the details (a stack where there is one). */
  died(reason: string, detail: string): void;
}
