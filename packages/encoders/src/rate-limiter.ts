import { ConfigError } from "@llminit/core";

/** Time as the limiter sees it: `Date.now`-like milliseconds and an abortable sleep (tests pass a fake one). */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Limits per rolling minute; undefined = no limit. */
export interface RateLimits {
  requestsPerMinute?: number;
  tokensPerMinute?: number;
}

/** Waits before each request until it fits both limits of the last 60 s. */
export interface RateLimiter {
  /** Resolves when a request of `tokens` tokens may be sent now; records it as sent. */
  acquire(tokens: number, signal?: AbortSignal): Promise<void>;
}

const WINDOW_MS = 60_000;

/** Rough token count of an embedding input: one token per 4 bytes of UTF-8 (OpenAI's rule of thumb), at least 1. */
export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(Buffer.byteLength(text, "utf8") / 4));
}

function checkLimit(key: string, value: number | undefined): void {
  if (value !== undefined && (!Number.isFinite(value) || value <= 0))
    throw new ConfigError(key, `must be a positive number, got ${value}`);
}

/**
 * A sliding-window limiter: the requests sent in the last 60 s, and their tokens, never exceed
 * `requestsPerMinute` and `tokensPerMinute`. Requests are admitted one at a time, in order.
 */
export function createRateLimiter(limits: RateLimits, clock: Clock): RateLimiter {
  const { requestsPerMinute: rpm, tokensPerMinute: tpm } = limits;
  checkLimit("requestsPerMinute", rpm);
  checkLimit("tokensPerMinute", tpm);
  const sent: Array<{ at: number; tokens: number }> = [];
  let tokensInWindow = 0;
  let queue: Promise<void> = Promise.resolve();

  async function admit(tokens: number, signal: AbortSignal | undefined): Promise<void> {
    if (tpm !== undefined && tokens > tpm)
      throw new ConfigError(
        "tokensPerMinute",
        `one request of about ${tokens} tokens exceeds the limit of ${tpm} tokens per minute; lower the batch size`,
      );
    for (;;) {
      const now = clock.now();
      while (sent.length > 0 && sent[0].at <= now - WINDOW_MS) tokensInWindow -= sent.shift()?.tokens ?? 0;
      const requestsOk = rpm === undefined || sent.length + 1 <= rpm;
      const tokensOk = tpm === undefined || tokensInWindow + tokens <= tpm;
      if (requestsOk && tokensOk) {
        sent.push({ at: now, tokens });
        tokensInWindow += tokens;
        return;
      }
      // Wait until the oldest request leaves the window, then look again.
      await clock.sleep(Math.max(1, sent[0].at + WINDOW_MS - now), signal);
    }
  }

  return {
    acquire(tokens, signal) {
      const turn = queue.then(() => admit(tokens, signal));
      queue = turn.catch(() => undefined);
      return turn;
    },
  };
}
