export type { EncodeItem, EncodeOptions, TextEncoder, CreateEncoderOptions } from "./types.js";
export { createEncoder, ENCODER_SPECS } from "./create-encoder.js";
export { encodeCatalog, encodeCatalogToFile, embeddingCacheKey } from "./encode-catalog.js";
export type {
  EncodeCatalogOptions,
  EncodeCatalogResult,
  EncodeCatalogFileResult,
  EncodeCatalogStats,
} from "./encode-catalog.js";
export { createNpyRowWriter } from "./npy-row-writer.js";
export type { NpyRowWriter } from "./npy-row-writer.js";
export { resolveCacheDir, encoderCacheFolder } from "./embedding-cache.js";
export { createUseLiteEncoder, defaultThreads, USE_LITE_BATCH_SIZE } from "./use-lite-encoder.js";
export type { UseLiteEncoderOptions } from "./use-lite-encoder.js";
export { loadUseLiteModel, USE_LITE_DIMENSION, USE_LITE_SHA256 } from "./use-lite-model.js";
export type { UseLiteModel, LoadUseLiteOptions } from "./use-lite-model.js";
export { SentencePieceTokenizer } from "./sentencepiece-tokenizer.js";
export type { SentencePieceVocabulary } from "./sentencepiece-tokenizer.js";
export { createFileEncoder, readPrecomputedVectors } from "./file-encoder.js";
export type { PrecomputedVectors } from "./file-encoder.js";
export { createOpenAiEncoder, EmbeddingApiError, OPENAI_API_KEY_ENV, OPENAI_BATCH_SIZE } from "./openai-encoder.js";
export { createRateLimiter, estimateTokens } from "./rate-limiter.js";
export type { Clock, RateLimiter, RateLimits } from "./rate-limiter.js";
export type { OpenAiEncoderOptions } from "./openai-encoder.js";
export {
  createTransformersEncoder,
  TRANSFORMERS_BATCH_SIZE,
  TRANSFORMERS_REQUIRED_FILES,
} from "./transformers-encoder.js";
export type { TransformersEncoderOptions } from "./transformers-encoder.js";
