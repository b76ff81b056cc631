import type { Logger, Matrix } from "@llminit/core";

/** One item to encode: `id` is the catalogue id, `text` what the encoder reads. */
export interface EncodeItem {
  id: string;
  text: string;
}

/** Per-call options of {@link TextEncoder.encode}. */
export interface EncodeOptions {
  /** Items per model call (default depends on the encoder: 32 for USE-lite, 64 for openai:). */
  batchSize?: number;
  /** Aborts between batches; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called after each batch with the number of items done so far. */
  onProgress?(done: number, total: number): void;
}

/**
 * A text encoder: item text → one dense row per item, rows in the order of the input items.
 * Create one with {@link createEncoder}; call {@link TextEncoder.dispose} when done.
 */
export interface TextEncoder {
  /**
   * Stable id naming the encoder and model, e.g. `"use-lite"`, `"transformers:Xenova/all-MiniLM-L6-v2"`.
   * Cache keys use it.
   */
  readonly id: string;
  /** Output dimension, when known before the first call (`undefined` for remote models until they answered once). */
  dimension(): number | undefined;
  /** Encodes `items`; row `i` of the result belongs to `items[i]`. */
  encode(items: readonly EncodeItem[], options?: EncodeOptions): Promise<Matrix>;
  /**
   * Optional: throws, before any encoding, when some of `items` cannot be encoded at all (a `file:`
   * encoder's ids without a vector), naming how many of them in all and the first ones.
   */
  check?(items: readonly EncodeItem[]): void;
  /** Frees models, workers and backend memory. The encoder is unusable afterwards. */
  dispose(): Promise<void>;
}

/** Options of {@link createEncoder}; each encoder reads the ones it needs. */
export interface CreateEncoderOptions {
  /** transformers: folder holding `<model-id>/…` model files (default: transformers.js cache folder). */
  modelDir?: string;
  /** openai: base URL of the OpenAI-compatible API (default env `OPENAI_BASE_URL`, else `https://api.openai.com/v1`). */
  baseUrl?: string;
  /** openai: API key (default env `OPENAI_API_KEY`; required unless the base URL is on this machine). */
  apiKey?: string;
  /** openai: requests per rolling minute at most (default env `LLMINIT_OPENAI_RPM`, else no limit). */
  requestsPerMinute?: number;
  /** openai: input tokens per rolling minute at most (default env `LLMINIT_OPENAI_TPM`, else no limit). */
  tokensPerMinute?: number;
  /** Local models: worker threads to run (default: number of CPU cores, at most 4); 1 runs in this thread. */
  threads?: number;
  /** Where warnings and timings go. */
  logger?: Logger;
  /** use-lite: TensorFlow.js backend (default `"wasm"`, falling back to `"cpu"` if wasm fails to start). */
  backend?: "wasm" | "cpu";
}
