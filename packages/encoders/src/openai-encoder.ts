import { ConfigError, DataFormatError, LlminitError, createMatrix, silentLogger } from "@llminit/core";
import type { Logger, Matrix } from "@llminit/core";
import { checkBatchSize, throwIfAborted } from "./batching.js";
import { createRateLimiter, estimateTokens } from "./rate-limiter.js";
import type { Clock } from "./rate-limiter.js";
import type { EncodeItem, EncodeOptions, TextEncoder } from "./types.js";

/** Options of {@link createOpenAiEncoder}. */
export interface OpenAiEncoderOptions {
  /** API base URL including `/v1` (default env `OPENAI_BASE_URL`, else `https://api.openai.com/v1`). */
  baseUrl?: string;
  /**
   * Bearer key (default env `OPENAI_API_KEY`). Required unless the base URL is on this machine
   * (localhost, 127.x, ::1: Ollama, vLLM run locally); a server elsewhere that needs no key takes any.
   */
  apiKey?: string;
  logger?: Logger;
  /** Retries after the first try on 429, 5xx and network errors (default 5). */
  maxRetries?: number;
  /** First backoff delay in ms, doubled per retry up to 30 s (default 500; a `Retry-After` header wins, up to 60 s). */
  retryBaseMs?: number;
  /** Requests per rolling minute at most (default env `LLMINIT_OPENAI_RPM`, else no limit). */
  requestsPerMinute?: number;
  /** Input tokens per rolling minute at most, estimated as UTF-8 bytes ÷ 4 (default env `LLMINIT_OPENAI_TPM`). */
  tokensPerMinute?: number;
  /** Extra fields sent with every request, e.g. `{ dimensions: 256 }`. */
  extraBody?: Readonly<Record<string, unknown>>;
  /** Time source for backoff and rate limiting (tests pass a fake one); default the real clock. */
  clock?: Clock;
}

/** The environment variable the key is read from. */
export const OPENAI_API_KEY_ENV = "OPENAI_API_KEY";

const MAX_BACKOFF_MS = 30_000;

const realClock: Clock = { now: () => Date.now(), sleep };

/** True for URLs of this machine, where local servers (Ollama, vLLM) answer without a key. */
function isLoopback(url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function envNumber(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new ConfigError(name, `must be a positive number, got "${raw}"`);
  return value;
}

/** Default items per request. */
export const OPENAI_BATCH_SIZE = 64;

/** The call failed for good: a non-retryable status or retries exhausted. */
export class EmbeddingApiError extends LlminitError {
  readonly status?: number;
  constructor(message: string, status?: number, options?: { cause?: unknown }) {
    super("E_EMBEDDING_API", message, options);
    this.status = status;
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason instanceof Error ? signal.reason : new Error("aborted"));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function retryAfterMs(header: string | null): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, 60_000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.min(Math.max(0, date - Date.now()), 60_000);
}

/**
 * Encoder calling an OpenAI-compatible `POST {baseUrl}/embeddings` (OpenAI, Ollama, vLLM, …).
 * Batches requests, keeps within requests- and tokens-per-minute limits, retries 429/5xx/network
 * errors with exponential backoff (bounded; `Retry-After` honoured), and stops at once on
 * 401/403 — and before any request when a remote API has no key — with a {@link ConfigError} on
 * `apiKey` naming OPENAI_API_KEY. Id: `openai:<model>`.
 */
export function createOpenAiEncoder(model: string, options: OpenAiEncoderOptions = {}): TextEncoder {
  if (model === "") throw new ConfigError("encoder", "openai: needs a model name, e.g. openai:text-embedding-3-small");
  const baseUrl = (options.baseUrl ?? process.env.OPENAI_BASE_URL ?? "https://api.openai.com/v1").replace(/\/+$/, "");
  let parsed: URL;
  try {
    parsed = new URL(baseUrl);
  } catch {
    throw new ConfigError("baseUrl", `not a valid URL: "${baseUrl}"`);
  }
  const apiKey = options.apiKey ?? process.env[OPENAI_API_KEY_ENV] ?? "";
  // Without a key a remote API can only refuse; say so now rather than after retries.
  if (apiKey === "" && !isLoopback(parsed))
    throw new ConfigError(
      "apiKey",
      `openai:${model} calls ${baseUrl} and needs an API key: set the environment variable ${OPENAI_API_KEY_ENV} ` +
        `(in code: the apiKey option). Only servers on this machine (localhost) are called without one; for a server elsewhere ` +
        `that needs none, set ${OPENAI_API_KEY_ENV} to any value.`,
    );
  const logger = options.logger ?? silentLogger;
  const maxRetries = options.maxRetries ?? 5;
  const retryBaseMs = options.retryBaseMs ?? 500;
  const clock = options.clock ?? realClock;
  const limiter = createRateLimiter(
    {
      requestsPerMinute: options.requestsPerMinute ?? envNumber("LLMINIT_OPENAI_RPM"),
      tokensPerMinute: options.tokensPerMinute ?? envNumber("LLMINIT_OPENAI_TPM"),
    },
    clock,
  );
  const url = `${baseUrl}/embeddings`;
  let dim: number | undefined;

  async function request(texts: string[], signal: AbortSignal | undefined): Promise<number[][]> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (apiKey !== "") headers.authorization = `Bearer ${apiKey}`;
    const body = JSON.stringify({ ...options.extraBody, model, input: texts, encoding_format: "float" });
    const tokens = texts.reduce((sum, text) => sum + estimateTokens(text), 0);
    for (let attempt = 0; ; attempt++) {
      throwIfAborted(signal);
      // Every try counts against the limits: a retried request is a request to the server too.
      await limiter.acquire(tokens, signal);
      let response: Response | undefined;
      let failure = "";
      try {
        response = await fetch(url, { method: "POST", headers, body, signal });
      } catch (error) {
        if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : error;
        failure = `network error: ${error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)}`;
      }
      let wait: number | undefined;
      if (response !== undefined) {
        if (response.ok) return parse(await response.text());
        const text = (await response.text()).slice(0, 300);
        if (response.status === 401 || response.status === 403) {
          throw new ConfigError(
            "apiKey",
            `${url} answered HTTP ${response.status} (${text}); ${apiKey === "" ? `no key was sent: set ${OPENAI_API_KEY_ENV} or the apiKey option` : `the key was refused: check ${OPENAI_API_KEY_ENV} / apiKey`}`,
          );
        }
        failure = `HTTP ${response.status}: ${text}`;
        if (response.status !== 429 && response.status < 500) {
          throw new EmbeddingApiError(`${url}: ${failure}`, response.status);
        }
        wait = retryAfterMs(response.headers.get("retry-after"));
      }
      if (attempt >= maxRetries) {
        throw new EmbeddingApiError(`${url}: gave up after ${attempt + 1} tries; last: ${failure}`, response?.status);
      }
      const delay = wait ?? Math.min(MAX_BACKOFF_MS, retryBaseMs * 2 ** attempt);
      logger.log("warn", "openai embeddings: retrying", {
        url,
        attempt: attempt + 1,
        delayMs: delay,
        failure: failure,
      });
      await clock.sleep(delay, signal);
    }
  }

  function parse(text: string): number[][] {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (cause) {
      throw new DataFormatError({ file: url }, `response is not JSON: ${text.slice(0, 200)}`, { cause });
    }
    const data = (json as { data?: unknown }).data;
    if (!Array.isArray(data)) throw new DataFormatError({ file: url, field: "data" }, "response has no data array");
    const rows: number[][] = new Array<number[]>(data.length);
    data.forEach((entry: unknown, k: number) => {
      const { index, embedding } = (entry ?? {}) as { index?: unknown; embedding?: unknown };
      const at = typeof index === "number" ? index : k;
      if (!Number.isInteger(at) || at < 0 || at >= data.length || rows[at] !== undefined) {
        throw new DataFormatError({ file: url, field: `data[${k}].index` }, `bad or repeated index ${String(index)}`);
      }
      if (!Array.isArray(embedding) || embedding.some((v) => typeof v !== "number" || !Number.isFinite(v))) {
        throw new DataFormatError(
          { file: url, field: `data[${k}].embedding` },
          "must be an array of finite numbers (request encoding_format float)",
        );
      }
      rows[at] = embedding as number[];
    });
    return rows;
  }

  return {
    id: `openai:${model}`,
    dimension: () => dim,
    async encode(items: readonly EncodeItem[], encodeOptions: EncodeOptions = {}): Promise<Matrix> {
      const batchSize = checkBatchSize(encodeOptions.batchSize, OPENAI_BATCH_SIZE);
      let out: Matrix | undefined;
      for (let start = 0; start < items.length; start += batchSize) {
        const batch = items.slice(start, start + batchSize);
        // Some servers reject empty strings; a single space embeds "nothing" the same way.
        const rows = await request(
          batch.map((item) => (item.text === "" ? " " : item.text)),
          encodeOptions.signal,
        );
        if (rows.length !== batch.length) {
          throw new DataFormatError(
            { file: url, field: "data" },
            `${rows.length} embeddings for ${batch.length} inputs`,
          );
        }
        for (let r = 0; r < rows.length; r++) {
          if (dim === undefined) dim = rows[r].length;
          if (rows[r].length !== dim || dim === 0) {
            throw new DataFormatError(
              { file: url, field: `data[${r}].embedding` },
              `has ${rows[r].length} values, expected ${dim}`,
            );
          }
          out ??= createMatrix(items.length, dim);
          out.data.set(rows[r], (start + r) * dim);
        }
        encodeOptions.onProgress?.(start + batch.length, items.length);
      }
      return out ?? createMatrix(0, dim ?? 0);
    },
    async dispose() {},
  };
}
