import { existsSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, NotAvailableError, createMatrix, silentLogger } from "@llminit/core";
import type { Logger, Matrix } from "@llminit/core";
import { checkBatchSize, lengthSortedBatches, throwIfAborted } from "./batching.js";
import type { EncodeItem, EncodeOptions, TextEncoder } from "./types.js";

/** Options of {@link createTransformersEncoder}. */
export interface TransformersEncoderOptions {
  /**
   * Folder holding `<model-id>/…` (default: transformers.js's hub cache folder,
   * `env.cacheDir`). Nothing is downloaded: `env.allowRemoteModels` is set to false.
   */
  modelDir?: string;
  /** Accepted for symmetry with use-lite; onnxruntime-node already runs each call on all cores. */
  threads?: number;
  logger?: Logger;
}

/** Default items per call of a transformers.js model. */
export const TRANSFORMERS_BATCH_SIZE = 32;

/**
 * How to install the transformers.js runtime, an optional peer. Its `sharp` 0.32 downloads libvips in its install
 * script; where that cannot run (offline), an override to sharp 0.34.5 (prebuilt binaries from npm) avoids it.
 */
const TRANSFORMERS_INSTALL_HINT =
  "Install it next to @llminit/encoders: npm i @xenova/transformers@2.17.2 (where its sharp 0.32 cannot download " +
  'libvips, e.g. offline, first add "overrides": { "sharp": "0.34.5" } to package.json; pnpm: see the ' +
  "@llminit/encoders README)";

/** The files a feature-extraction model needs under `<modelDir>/<model-id>/`. */
export const TRANSFORMERS_REQUIRED_FILES = ["config.json", "tokenizer.json", "tokenizer_config.json"] as const;

interface FeatureTensor {
  dims: number[];
  data: Float32Array;
}
type FeatureExtractor = ((
  texts: string[],
  options: { pooling: "mean"; normalize: boolean },
) => Promise<FeatureTensor>) & {
  dispose(): Promise<void>;
};

function layoutHint(dir: string, modelId: string): string {
  const base = join(dir, modelId);
  return (
    `Put the model's files in ${base}/: ${TRANSFORMERS_REQUIRED_FILES.join(", ")} and onnx/model_quantized.onnx ` +
    `(or onnx/model.onnx), e.g. copied from the Hugging Face repo "${modelId}" on a machine with internet, ` +
    `or give --model-dir (the modelDir option) pointing at the folder that contains "${modelId}/"`
  );
}

/**
 * Any Hugging Face feature-extraction model through transformers.js (`@xenova/transformers`),
 * from local files only: mean pooling over the attention mask, then L2 normalisation. Prefers
 * `onnx/model_quantized.onnx`, else `onnx/model.onnx`. Missing files → {@link NotAvailableError}
 * naming the model and the folder layout. Id: `transformers:<model-id>`.
 */
export async function createTransformersEncoder(
  modelId: string,
  options: TransformersEncoderOptions = {},
): Promise<TextEncoder> {
  if (modelId === "" || modelId.includes("..") || modelId.startsWith("/")) {
    throw new ConfigError(
      "encoder",
      `transformers: needs a Hugging Face model id such as Xenova/all-MiniLM-L6-v2, got "${modelId}"`,
    );
  }
  const logger = options.logger ?? silentLogger;
  const transformers = await import("@xenova/transformers").catch((cause: unknown) => {
    throw new NotAvailableError(
      "transformers: encoder",
      `@xenova/transformers cannot be loaded (${cause instanceof Error ? cause.message.split("\n")[0] : String(cause)})`,
      TRANSFORMERS_INSTALL_HINT,
      { cause },
    );
  });
  const { env } = transformers;
  const dir = options.modelDir ?? env.cacheDir;
  const base = join(dir, modelId);
  const missing: string[] = TRANSFORMERS_REQUIRED_FILES.filter((f) => !existsSync(join(base, f)));
  const quantized = existsSync(join(base, "onnx", "model_quantized.onnx"));
  if (!quantized && !existsSync(join(base, "onnx", "model.onnx")))
    missing.push("onnx/model_quantized.onnx or onnx/model.onnx");
  if (missing.length > 0) {
    throw new NotAvailableError(
      `transformers model "${modelId}"`,
      `not found offline (missing in ${base}: ${missing.join(", ")})`,
      layoutHint(dir, modelId),
    );
  }
  // transformers.js keeps these settings module-wide; set them here, never at import.
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.useFSCache = false;
  env.localModelPath = dir.endsWith("/") ? dir : `${dir}/`;
  let extractor: FeatureExtractor;
  try {
    extractor = (await transformers.pipeline("feature-extraction", modelId, {
      quantized,
    })) as unknown as FeatureExtractor;
  } catch (cause) {
    throw new NotAvailableError(
      `transformers model "${modelId}"`,
      `failed to load from ${base}: ${cause instanceof Error ? cause.message : String(cause)}`,
      layoutHint(dir, modelId),
      { cause },
    );
  }
  logger.log("info", "transformers: model ready", {
    model: modelId,
    dir: base,
    file: quantized ? "onnx/model_quantized.onnx" : "onnx/model.onnx",
  });

  let dim: number | undefined;
  let disposed = false;
  return {
    id: `transformers:${modelId}`,
    dimension: () => dim,
    async encode(items: readonly EncodeItem[], encodeOptions: EncodeOptions = {}): Promise<Matrix> {
      if (disposed) throw new ConfigError("encoder", `transformers:${modelId} encoder was disposed`);
      const batchSize = checkBatchSize(encodeOptions.batchSize, TRANSFORMERS_BATCH_SIZE);
      let out: Matrix | undefined;
      let done = 0;
      for (const batch of lengthSortedBatches(items, batchSize)) {
        throwIfAborted(encodeOptions.signal);
        const result = await extractor(
          batch.map((i) => items[i].text),
          { pooling: "mean", normalize: true },
        );
        const width = result.dims[result.dims.length - 1];
        dim ??= width;
        out ??= createMatrix(items.length, dim);
        for (let r = 0; r < batch.length; r++)
          out.data.set(result.data.subarray(r * width, (r + 1) * width), batch[r] * width);
        done += batch.length;
        encodeOptions.onProgress?.(done, items.length);
      }
      return out ?? createMatrix(0, dim ?? 0);
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      await extractor.dispose();
    },
  };
}
