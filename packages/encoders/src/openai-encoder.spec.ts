import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ConfigError, RecordingLogger } from "@llminit/core";
import { createEncoder } from "./create-encoder.js";
import { EmbeddingApiError, createOpenAiEncoder } from "./openai-encoder.js";
import type { Clock } from "./rate-limiter.js";

interface Seen {
  path: string;
  auth: string | undefined;
  body: { model: string; input: string[] };
}

/** Local OpenAI-compatible server: answers from a queue of scripted statuses, else embeds. */
let server: Server;
let baseUrl: string;
let seen: Seen[] = [];
let script: Array<number | "drop" | { status: number; retryAfter: string }> = [];
/** The fake clock of the test that runs, if any: the server stamps each request with its time. */
let clockNow: (() => number) | undefined;
let stamps: number[] = [];
const MAX_REQUESTS = 200;
let total = 0;

function embed(text: string): number[] {
  return [text.length, text.charCodeAt(0) || 0, 1];
}

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (++total > MAX_REQUESTS) {
      res.statusCode = 500;
      res.end("request budget exceeded");
      return;
    }
    let raw = "";
    req.on("data", (chunk: Buffer) => (raw += chunk.toString("utf8")));
    req.on("end", () => {
      const body = JSON.parse(raw) as Seen["body"];
      seen.push({ path: req.url ?? "", auth: req.headers.authorization, body });
      if (clockNow !== undefined) stamps.push(clockNow());
      const step = script.shift();
      if (step === "drop") {
        req.socket.destroy();
        return;
      }
      if (typeof step === "object") {
        res.statusCode = step.status;
        res.setHeader("retry-after", step.retryAfter);
        res.end(JSON.stringify({ error: { message: `scripted ${step.status}` } }));
        return;
      }
      if (step !== undefined && step !== 200) {
        res.statusCode = step;
        if (step === 429) res.setHeader("retry-after", "0");
        res.end(JSON.stringify({ error: { message: `scripted ${step}` } }));
        return;
      }
      // Answer in reverse order to check that `index` is honoured.
      const data = body.input.map((text, index) => ({ object: "embedding", index, embedding: embed(text) })).reverse();
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ object: "list", data, model: body.model }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  seen = [];
  script = [];
  clockNow = undefined;
  stamps = [];
});

/** A clock whose sleeps return at once and move its time on; they are recorded. */
function fakeClock(): Clock & { sleeps: number[] } {
  let now = 0;
  const sleeps: number[] = [];
  clockNow = () => now;
  return {
    sleeps,
    now: () => now,
    async sleep(ms: number) {
      sleeps.push(ms);
      now += ms;
    },
  };
}

const ITEMS = ["pen", "stapler", "paper clips", "ink", "desk lamp"].map((text, i) => ({ id: `${i}`, text }));

describe("openai: encoder", () => {
  it("posts batches to /v1/embeddings with the key and returns rows in item order", async () => {
    const encoder = createOpenAiEncoder("test-embed", { baseUrl, apiKey: "sk-test" });
    expect(encoder.id).toBe("openai:test-embed");
    expect(encoder.dimension()).toBeUndefined();
    const m = await encoder.encode(ITEMS, { batchSize: 2 });
    expect(seen.map((s) => s.body.input.length)).toEqual([2, 2, 1]);
    expect(seen[0]).toMatchObject({ path: "/v1/embeddings", auth: "Bearer sk-test", body: { model: "test-embed" } });
    expect(encoder.dimension()).toBe(3);
    expect([m.rows, m.cols]).toEqual([5, 3]);
    ITEMS.forEach((item, i) => expect(Array.from(m.data.subarray(i * 3, i * 3 + 3))).toEqual(embed(item.text)));
  });

  it("reads base URL and key from OPENAI_BASE_URL / OPENAI_API_KEY", async () => {
    const saved = [process.env.OPENAI_BASE_URL, process.env.OPENAI_API_KEY];
    process.env.OPENAI_BASE_URL = baseUrl;
    process.env.OPENAI_API_KEY = "sk-env";
    try {
      await createOpenAiEncoder("m").encode(ITEMS.slice(0, 1));
      expect(seen[0].auth).toBe("Bearer sk-env");
    } finally {
      if (saved[0] === undefined) delete process.env.OPENAI_BASE_URL;
      else process.env.OPENAI_BASE_URL = saved[0];
      if (saved[1] === undefined) delete process.env.OPENAI_API_KEY;
      else process.env.OPENAI_API_KEY = saved[1];
    }
  });

  it("retries 429, 5xx and dropped connections with backoff, then succeeds", async () => {
    script = [429, 503, "drop", 500];
    const logger = new RecordingLogger();
    const encoder = createOpenAiEncoder("m", { baseUrl, apiKey: "k", retryBaseMs: 1, logger });
    const m = await encoder.encode(ITEMS.slice(0, 2));
    expect(seen.length).toBe(5);
    expect(Array.from(m.data.subarray(0, 3))).toEqual(embed("pen"));
    expect(
      logger.records.filter((r) => r.message === "openai embeddings: retrying").map((r) => r.fields?.attempt),
    ).toEqual([1, 2, 3, 4]);
  });

  it("gives up after maxRetries", async () => {
    script = [500, 500, 500, 500];
    const encoder = createOpenAiEncoder("m", { baseUrl, apiKey: "k", retryBaseMs: 1, maxRetries: 2 });
    await expect(encoder.encode(ITEMS.slice(0, 1))).rejects.toThrow(/gave up after 3 tries; last: HTTP 500/);
    expect(seen.length).toBe(3);
  });

  it("stops at once on 401 and 403 with a clear error about the key", async () => {
    for (const status of [401, 403]) {
      seen = [];
      script = [status, 200];
      const encoder = createOpenAiEncoder("m", { baseUrl, apiKey: "bad", retryBaseMs: 1 });
      const error = await encoder.encode(ITEMS).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).key).toBe("apiKey");
      expect((error as Error).message).toMatch(new RegExp(`HTTP ${status}.*the key was refused`));
      expect(seen.length).toBe(1);
    }
  });

  it("does not retry other 4xx", async () => {
    script = [400];
    const encoder = createOpenAiEncoder("m", { baseUrl, retryBaseMs: 1 });
    const error = await encoder.encode(ITEMS).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmbeddingApiError);
    expect((error as EmbeddingApiError).status).toBe(400);
    expect(seen.length).toBe(1);
    expect(seen[0].auth).toBeUndefined();
  });

  it("honours Retry-After, else backs off exponentially", async () => {
    script = [{ status: 429, retryAfter: "2" }, 500, 503, { status: 503, retryAfter: "120" }];
    const clock = fakeClock();
    const encoder = createOpenAiEncoder("m", { baseUrl, apiKey: "k", retryBaseMs: 500, clock });
    await encoder.encode(ITEMS.slice(0, 1));
    expect(seen.length).toBe(5);
    // Retry-After: 2 s; then 500 ms doubling per attempt (attempts 1 and 2); a Retry-After is capped at 60 s.
    expect(clock.sleeps).toEqual([2000, 1000, 2000, 60_000]);
  });

  it("keeps within the requests-per-minute limit over a rolling minute", async () => {
    const clock = fakeClock();
    const encoder = createOpenAiEncoder("m", { baseUrl, apiKey: "k", requestsPerMinute: 2, clock });
    const m = await encoder.encode(ITEMS, { batchSize: 1 });
    expect(m.rows).toBe(5);
    expect(stamps).toEqual([0, 0, 60_000, 60_000, 120_000]);
  });

  it("keeps within the tokens-per-minute limit (tokens estimated as UTF-8 bytes / 4)", async () => {
    const clock = fakeClock();
    const items = ["a".repeat(20), "b".repeat(20), "c".repeat(20)].map((text, i) => ({ id: `${i}`, text }));
    const encoder = createOpenAiEncoder("m", { baseUrl, apiKey: "k", tokensPerMinute: 10, clock });
    await encoder.encode(items, { batchSize: 1 }); // 5 tokens each: two per minute
    expect(stamps).toEqual([0, 0, 60_000]);
    const tooBig = createOpenAiEncoder("m", { baseUrl, apiKey: "k", tokensPerMinute: 4, clock });
    const error = await tooBig.encode(items.slice(0, 1)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).key).toBe("tokensPerMinute");
  });

  it("retries count against the rate limit, and 429s from the server still back off", async () => {
    script = [429, 429];
    const clock = fakeClock();
    const encoder = createOpenAiEncoder("m", { baseUrl, apiKey: "k", requestsPerMinute: 2, retryBaseMs: 1, clock });
    await encoder.encode(ITEMS.slice(0, 1));
    expect(seen.length).toBe(3);
    expect(stamps).toEqual([0, 0, 60_000]);
  });

  it("fails at once, before any request, without an API key for a remote API, naming OPENAI_API_KEY", async () => {
    const saved = [process.env.OPENAI_BASE_URL, process.env.OPENAI_API_KEY];
    delete process.env.OPENAI_BASE_URL;
    delete process.env.OPENAI_API_KEY;
    try {
      for (const make of [
        () => createOpenAiEncoder("text-embedding-3-small"),
        () => createOpenAiEncoder("m", { baseUrl: "https://llm.example.com/v1" }),
      ]) {
        const error = (() => {
          try {
            make();
          } catch (e) {
            return e;
          }
          return undefined;
        })();
        expect(error).toBeInstanceOf(ConfigError);
        expect((error as ConfigError).key).toBe("apiKey");
        expect((error as Error).message).toMatch(/needs an API key: set the environment variable OPENAI_API_KEY/);
      }
      await expect(createEncoder("openai:text-embedding-3-small")).rejects.toThrow(/OPENAI_API_KEY/);
      expect(seen.length).toBe(0);
      // A server on this machine needs none.
      expect(() => createOpenAiEncoder("m", { baseUrl: "http://localhost:11434/v1" })).not.toThrow();
      expect(() => createOpenAiEncoder("m", { baseUrl: "http://[::1]:8000/v1" })).not.toThrow();
    } finally {
      if (saved[0] !== undefined) process.env.OPENAI_BASE_URL = saved[0];
      if (saved[1] !== undefined) process.env.OPENAI_API_KEY = saved[1];
    }
  });

  it("reads the limits from LLMINIT_OPENAI_RPM / LLMINIT_OPENAI_TPM and rejects bad values", async () => {
    const saved = process.env.LLMINIT_OPENAI_RPM;
    try {
      process.env.LLMINIT_OPENAI_RPM = "1";
      const clock = fakeClock();
      await createOpenAiEncoder("m", { baseUrl, apiKey: "k", clock }).encode(ITEMS.slice(0, 2), { batchSize: 1 });
      expect(stamps).toEqual([0, 60_000]);
      process.env.LLMINIT_OPENAI_RPM = "fast";
      expect(() => createOpenAiEncoder("m", { baseUrl, apiKey: "k" })).toThrow(/LLMINIT_OPENAI_RPM.*"fast"/);
    } finally {
      if (saved === undefined) delete process.env.LLMINIT_OPENAI_RPM;
      else process.env.LLMINIT_OPENAI_RPM = saved;
    }
  });

  it("rejects a bad base URL as a config error", () => {
    expect(() => createOpenAiEncoder("m", { baseUrl: "not a url" })).toThrow(ConfigError);
  });
});
