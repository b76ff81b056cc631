/**
 * `@llminit/encoders/browser`: the encoders that run in a browser (no files, no worker threads): USE-lite with
 * weights fetched from a URL, on TensorFlow.js's WebGL, wasm or cpu backend. Node: import `@llminit/encoders`.
 */
export { createUseLiteEncoder, loadUseLiteModel } from "./browser/use-lite.js";
export type { BrowserBackend, BrowserUseLiteOptions } from "./browser/use-lite.js";
export { USE_LITE_DIMENSION, USE_LITE_SHA256, USE_LITE_PACKAGES } from "./use-lite-constants.js";
export type { UseLiteModel } from "./use-lite-constants.js";
export { SentencePieceTokenizer } from "./sentencepiece-tokenizer.js";
export type { SentencePieceVocabulary } from "./sentencepiece-tokenizer.js";
export type { EncodeItem, EncodeOptions, TextEncoder } from "./types.js";
