// The browser side of the kernels' threads: Web Workers made from a Blob, shared memory only where the page is
// cross-origin isolated. Same interface as `src/node/platform.ts`, which package.json's "browser" field swaps for
// this file in browser bundles.
import type { KernelWorker, KernelWorkerHandlers } from "../platform-types.js";

// The few Web APIs used here (this package compiles without the DOM lib).
interface WebWorker {
  onmessage: ((event: { data: unknown }) => void) | null;
  onerror: ((event: { message: string }) => void) | null;
  postMessage(message: unknown): void;
  terminate(): void;
}
declare const Worker: new (url: string) => WebWorker;
declare const navigator: { hardwareConcurrency?: number } | undefined;
declare const document: unknown;

const scope = globalThis as { crossOriginIsolated?: boolean; SharedArrayBuffer?: unknown };

/** Whether a shared WebAssembly memory can be made here: the page must be cross-origin isolated. */
export function sharedMemorySupported(): boolean {
  return scope.SharedArrayBuffer !== undefined && scope.crossOriginIsolated === true;
}

/** Why more than one thread cannot run here; undefined when they can. */
export function threadsUnavailableReason(): string | undefined {
  if (!sharedMemorySupported())
    return (
      "the page is not cross-origin isolated, so it has no SharedArrayBuffer (serve it with the headers " +
      "Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)"
    );
  if (typeof document !== "undefined")
    return "a page's main thread cannot wait for other threads (Atomics.wait): create the kernels in a Web Worker";
  return undefined;
}

/** Threads that `threads: "auto"` means: the logical cores where threads can run, else 1. */
export function defaultThreadCount(): number {
  if (threadsUnavailableReason() !== undefined) return 1;
  return Math.max(1, navigator?.hardwareConcurrency ?? 1);
}

/** Browsers do not expose context switches: the spinning policy keeps its current setting. */
export function involuntaryContextSwitches(): number | undefined {
  return undefined;
}

/**
 * Starts a Web Worker (from a Blob URL) that runs `body` with `workerData` (the posted data) and
 * `report(message)` in scope.
 */
export function startKernelWorker(body: string, data: unknown, handlers: KernelWorkerHandlers): KernelWorker {
  const source =
    "self.onmessage = (event) => {\n" +
    "self.onmessage = null;\n" +
    "const workerData = event.data;\n" +
    "const report = (message) => self.postMessage(message);\n" +
    `${body}\n};\n`;
  const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
  const worker = new Worker(url);
  worker.onmessage = (event) => handlers.message(String(event.data));
  // An error that escapes the program ends its loop: the worker runs no more parts.
  worker.onerror = (event) => handlers.died(event.message, event.message);
  worker.postMessage(data);
  return {
    terminate() {
      worker.terminate();
      URL.revokeObjectURL(url);
    },
  };
}
