import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, NotAvailableError } from "@llminit/core";
import { createEncoder } from "./create-encoder.js";

describe("createEncoder", () => {
  it("routes file:, openai: and transformers: specs", async () => {
    const dir = await mkdtemp(join(tmpdir(), "create-encoder-"));
    try {
      const path = join(dir, "v.jsonl");
      await writeFile(path, '{"id":"a","embedding":[1,2,3]}\n');
      const file = await createEncoder(`file:${path}`);
      expect([file.id, file.dimension()]).toEqual([`file:${path}`, 3]);
      const openai = await createEncoder("openai:text-embedding-3-small", {
        baseUrl: "http://127.0.0.1:9/v1",
        apiKey: "k",
      });
      expect(openai.id).toBe("openai:text-embedding-3-small");
      await expect(createEncoder("transformers:Xenova/absent", { modelDir: dir })).rejects.toBeInstanceOf(
        NotAvailableError,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("creates use-lite", async () => {
    const encoder = await createEncoder("use-lite", { threads: 1, backend: "wasm" });
    try {
      expect([encoder.id, encoder.dimension()]).toEqual(["use-lite", 512]);
    } finally {
      await encoder.dispose();
    }
  }, 30_000);

  it("rejects unknown or incomplete specs with a ConfigError on encoder", async () => {
    for (const spec of ["bert", "openai:", "file:", "foo:bar", ""]) {
      const error = await createEncoder(spec).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).key).toBe("encoder");
    }
    await expect(createEncoder("use-lite", { threads: 0 })).rejects.toMatchObject({ key: "threads" });
  });
});
