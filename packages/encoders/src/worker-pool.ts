import { Worker } from "node:worker_threads";
import { LlminitError } from "@llminit/core";

/** `workerData` of an embedding worker. */
export interface WorkerInit {
  backend: "wasm" | "cpu";
  modelDir?: string;
}

/** Main thread → worker. */
export type WorkerRequest = { type: "embed"; id: number; texts: string[] } | { type: "close" };

/** Worker → main thread. `id` is -1 for start-up messages. */
export type WorkerReply =
  | { type: "ready"; id: -1; backend: string }
  | { type: "result"; id: number; data: Float32Array }
  | { type: "error"; id: number; message: string };

interface Slot {
  worker: Worker;
  backend: string;
  busy: boolean;
  pending?: { resolve(data: Float32Array): void; reject(error: Error): void };
}

/**
 * A fixed set of embedding workers, each with its own model. `run` sends a batch to a free
 * worker (waiting for one when all are busy) and resolves with its rows.
 */
export class EmbeddingWorkerPool {
  private readonly waiting: Array<() => void> = [];
  private nextId = 0;
  private closed = false;

  private constructor(private readonly slots: Slot[]) {}

  /** Starts `threads` workers from `script` and waits until every one has loaded its model. */
  static async start(script: URL, threads: number, init: WorkerInit): Promise<EmbeddingWorkerPool> {
    const starting = Array.from({ length: threads }, () => startWorker(script, init));
    const results = await Promise.allSettled(starting);
    const slots = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed !== undefined) {
      await Promise.all(slots.map((s) => s.worker.terminate()));
      throw failed.reason;
    }
    return new EmbeddingWorkerPool(slots);
  }

  get size(): number {
    return this.slots.length;
  }

  /** Backends the workers ended up on (wasm may have fallen back to cpu). */
  get backends(): string[] {
    return this.slots.map((s) => s.backend);
  }

  async run(texts: string[]): Promise<Float32Array> {
    if (this.closed) throw new LlminitError("E_DISPOSED", "encoder was disposed");
    let slot = this.slots.find((s) => !s.busy);
    while (slot === undefined) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
      if (this.closed) throw new LlminitError("E_DISPOSED", "encoder was disposed");
      slot = this.slots.find((s) => !s.busy);
    }
    slot.busy = true;
    const current = slot;
    try {
      return await new Promise<Float32Array>((resolve, reject) => {
        current.pending = { resolve, reject };
        current.worker.ref();
        current.worker.postMessage({ type: "embed", id: this.nextId++, texts } satisfies WorkerRequest);
      });
    } finally {
      current.busy = false;
      current.pending = undefined;
      // An idle pool does not keep the process alive.
      current.worker.unref();
      this.waiting.shift()?.();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const wake of this.waiting.splice(0)) wake();
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}

function startWorker(script: URL, init: WorkerInit): Promise<Slot> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(script, { workerData: init });
    const slot: Slot = { worker, backend: "", busy: false };
    let ready = false;
    worker.on("message", (reply: WorkerReply) => {
      if (reply.type === "ready") {
        ready = true;
        slot.backend = reply.backend;
        worker.unref();
        resolve(slot);
      } else if (reply.type === "result") {
        slot.pending?.resolve(reply.data);
      } else if (!ready) {
        reject(new LlminitError("E_WORKER", `embedding worker failed to start: ${reply.message}`));
        void worker.terminate();
      } else {
        slot.pending?.reject(new LlminitError("E_WORKER", `embedding worker failed: ${reply.message}`));
      }
    });
    worker.on("error", (error) => {
      if (!ready) reject(error);
      else slot.pending?.reject(error);
    });
    worker.on("exit", (code) => {
      const error = new LlminitError("E_WORKER", `embedding worker exited with code ${code}`);
      if (!ready) reject(error);
      else slot.pending?.reject(error);
    });
  });
}
