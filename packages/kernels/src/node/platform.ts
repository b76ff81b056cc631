// The Node side of the kernels' threads (worker_threads, os). `src/browser/platform.ts` is the same interface
// on Web Workers; package.json's "browser" field swaps one file for the other in browser bundles.
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { KernelWorker, KernelWorkerHandlers } from "../platform-types.js";

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
 * The parent's Node options for a worker, without `--input-type`: the worker's program is a
 * CommonJS script, which `node --input-type=module` would otherwise make an ES module.
 */
function workerExecArgv(): string[] {
  const args: string[] = [];
  for (let i = 0; i < process.execArgv.length; i++) {
    const arg = process.execArgv[i];
    if (arg === "--input-type") i++;
    else if (!arg.startsWith("--input-type=")) args.push(arg);
  }
  return args;
}

/**
 * Starts a worker thread that runs `body` with `workerData` (the given data) and `report(message)` (sends a
 * failure message back) in scope. The worker never keeps the process alive.
 */
export function startKernelWorker(body: string, data: unknown, handlers: KernelWorkerHandlers): KernelWorker {
  const source =
    'const { workerData, parentPort } = require("node:worker_threads");\n' +
    "const report = (message) => parentPort.postMessage(message);\n" +
    body;
  const worker = new Worker(source, { eval: true, execArgv: workerExecArgv(), workerData: data });
  worker.on("message", (message: unknown) => handlers.message(String(message)));
  worker.on("error", (error: Error) => handlers.died(error.message, error.stack ?? error.message));
  worker.unref();
  return {
    terminate() {
      void worker.terminate();
    },
  };
}
