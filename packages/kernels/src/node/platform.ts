// The Node side of the kernels' threads (worker_threads, os). `src/browser/platform.ts` is the same interface
// on Web Workers; package.json's "browser" field swaps one file for the other in browser bundles.
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { KernelWorker } from "../platform-types.js";

/** Threads that `threads: "auto"` means: the machine's available parallelism. */
export function defaultThreadCount(): number {
  return Math.max(1, availableParallelism());
}

/** Why more than one thread cannot run here; undefined when they can (always, on Node). */
export function threadsUnavailableReason(): string | undefined {
  return undefined;
}

/** Whether a shared WebAssembly memory can be made here (always, on Node). */
export function sharedMemorySupported(): boolean {
  return true;
}

/** The process's involuntary context switches so far (a sign that threads compete for cores). */
export function involuntaryContextSwitches(): number | undefined {
  return process.resourceUsage().involuntaryContextSwitches;
}

/**
 * Starts a worker thread that runs `body` with `workerData` (the given data) and `report(message)` (sends a
 * failure message back) in scope. The worker never keeps the process alive.
 */
export function startKernelWorker(body: string, data: unknown, onMessage: (message: string) => void): KernelWorker {
  const source =
    'const { workerData, parentPort } = require("node:worker_threads");\n' +
    "const report = (message) => parentPort.postMessage(message);\n" +
    body;
  const worker = new Worker(source, { eval: true, workerData: data });
  worker.on("message", (message: unknown) => onMessage(String(message)));
  worker.on("error", (error: Error) => onMessage(error.stack ?? error.message));
  worker.unref();
  return {
    terminate() {
      void worker.terminate();
    },
  };
}
