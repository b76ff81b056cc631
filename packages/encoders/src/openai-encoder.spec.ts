import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ConfigError, RecordingLogger } from "@llminit/core";
import { EmbeddingApiError, createOpenAiEncoder } from "./openai-encoder.js";

interface Seen {
  path: string;
  auth: string | undefined;
  body: { model: string; input: string[] };
}

/** Local OpenAI-compatible server: answers from a queue of scripted statuses, else embeds. */
let server: Server;
let baseUrl: string;
let seen: Seen[] = [];
let script: Array<number | "drop"> = [];
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
      const step = script.shift();
      if (step === "drop") {
        req.socket.destroy();
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
});

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

  it("rejects a bad base URL as a config error", () => {
    expect(() => createOpenAiEncoder("m", { baseUrl: "not a url" })).toThrow(ConfigError);
  });
});
