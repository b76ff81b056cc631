import { ConfigError } from "@llminit/core";
import { createFileEncoder } from "./file-encoder.js";
import { createOpenAiEncoder } from "./openai-encoder.js";
import { createTransformersEncoder } from "./transformers-encoder.js";
import { createUseLiteEncoder } from "./use-lite-encoder.js";
import type { CreateEncoderOptions, TextEncoder } from "./types.js";

/** The encoder specs {@link createEncoder} understands. */
export const ENCODER_SPECS = ["use-lite", "transformers:<model-id>", "file:<path>", "openai:<model>"] as const;

/**
 * Creates an encoder from a spec string:
 * - `use-lite` — Universal Sentence Encoder lite, 512-d, offline (default);
 * - `transformers:<model-id>` — a Hugging Face feature-extraction model via transformers.js, from local files;
 * - `file:<path>` — precomputed vectors (`.npy` + id list, or JSONL);
 * - `openai:<model>` — an OpenAI-compatible `/v1/embeddings` endpoint.
 * Backends and models are set up here, never at import.
 */
export async function createEncoder(spec: string, options: CreateEncoderOptions = {}): Promise<TextEncoder> {
  if (spec === "use-lite") {
    return createUseLiteEncoder({ threads: options.threads, backend: options.backend, logger: options.logger });
  }
  const colon = spec.indexOf(":");
  const kind = colon < 0 ? spec : spec.slice(0, colon);
  const rest = colon < 0 ? "" : spec.slice(colon + 1);
  if (colon >= 0 && rest === "") throw new ConfigError("encoder", `"${spec}" needs a value after "${kind}:"`);
  switch (colon < 0 ? "" : kind) {
    case "transformers":
      return createTransformersEncoder(rest, {
        modelDir: options.modelDir,
        threads: options.threads,
        logger: options.logger,
      });
    case "file":
      return createFileEncoder(rest);
    case "openai":
      return createOpenAiEncoder(rest, {
        baseUrl: options.baseUrl,
        apiKey: options.apiKey,
        requestsPerMinute: options.requestsPerMinute,
        tokensPerMinute: options.tokensPerMinute,
        logger: options.logger,
      });
    default:
      throw new ConfigError("encoder", `unknown encoder "${spec}"; expected one of ${ENCODER_SPECS.join(", ")}`);
  }
}
