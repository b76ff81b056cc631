import type { Tensor } from "@tensorflow/tfjs-core";
import type * as TfjsConverter from "@tensorflow/tfjs-converter";
import type * as TfjsCore from "@tensorflow/tfjs-core";
import { SentencePieceTokenizer } from "./sentencepiece-tokenizer.js";
import type { SentencePieceVocabulary } from "./sentencepiece-tokenizer.js";
import { USE_LITE_DIMENSION } from "./use-lite-constants.js";
import type { ModelJson, UseLiteModel } from "./use-lite-constants.js";

/**
 * Builds the USE-lite graph and tokenizer from its files, on the active backend of `tf` (shared by the Node and
 * browser loaders; no file or network access here).
 */
export async function createUseLiteGraph(
  tf: typeof TfjsCore,
  converter: typeof TfjsConverter,
  modelJson: ModelJson,
  weightData: ArrayBuffer,
  vocabulary: SentencePieceVocabulary,
): Promise<UseLiteModel> {
  const model = await converter.loadGraphModel({
    load: async () => ({
      modelTopology: modelJson.modelTopology as object,
      weightSpecs: modelJson.weightsManifest.flatMap((group) => group.weights) as never,
      weightData,
    }),
  });
  const tokenizer = new SentencePieceTokenizer(vocabulary);
  const backend = tf.getBackend();

  return {
    backend,
    async embed(texts) {
      const out = new Float32Array(texts.length * USE_LITE_DIMENSION);
      // Rows with no tokens (empty text) would make the graph divide by zero: give them zeros.
      const rows: number[] = [];
      const tokens: number[][] = [];
      for (let i = 0; i < texts.length; i++) {
        const ids = tokenizer.encode(texts[i]);
        if (ids.length > 0) {
          rows.push(i);
          tokens.push(ids);
        }
      }
      if (rows.length === 0) return out;
      let total = 0;
      for (const t of tokens) total += t.length;
      const indices = new Int32Array(total * 2);
      const values = new Int32Array(total);
      let k = 0;
      for (let r = 0; r < tokens.length; r++) {
        const t = tokens[r];
        for (let p = 0; p < t.length; p++, k++) {
          indices[2 * k] = r;
          indices[2 * k + 1] = p;
          values[k] = t[p];
        }
      }
      const indicesT = tf.tensor2d(indices, [total, 2], "int32");
      const valuesT = tf.tensor1d(values, "int32");
      try {
        const result = (await model.executeAsync({ indices: indicesT, values: valuesT })) as Tensor;
        const data = (await result.data()) as Float32Array;
        result.dispose();
        for (let r = 0; r < rows.length; r++) {
          out.set(data.subarray(r * USE_LITE_DIMENSION, (r + 1) * USE_LITE_DIMENSION), rows[r] * USE_LITE_DIMENSION);
        }
      } finally {
        indicesT.dispose();
        valuesT.dispose();
      }
      return out;
    },
    dispose() {
      model.dispose();
    },
  };
}
