import { describe, expect, it } from "vitest";
import { createRequire } from "node:module";
import { ConfigError, NotAvailableError, RecordingLogger } from "@llminit/core";
import { selectBackend } from "./backend.js";

function loadable(specifier: string): boolean {
  try {
    createRequire(import.meta.url)(specifier);
    return true;
  } catch {
    return false;
  }
}

describe("selectBackend", () => {
  it("auto picks the first usable backend and logs the choice and what it skipped", async () => {
    const logger = new RecordingLogger();
    const { name, tf } = await selectBackend("auto", logger);
    const expected = loadable("@tensorflow/tfjs-node-gpu")
      ? "tfjs-node-gpu"
      : loadable("@tensorflow/tfjs-node")
        ? "tfjs-node"
        : "wasm";
    expect(name).toBe(expected);
    expect(tf.getBackend()).toBe(name === "wasm" ? "wasm" : "tensorflow");
    const record = logger.records.find((r) => r.message.startsWith("tfjs backend"));
    expect(record?.fields).toMatchObject({ backend: name, preference: "auto" });
    if (name === "wasm") expect(Object.keys(record?.fields?.skipped as object)).toEqual(["tfjs-node-gpu", "tfjs-node"]);
  });

  it.each(["wasm", "cpu"] as const)("forces %s", async (preference) => {
    const { name, tf } = await selectBackend(preference);
    expect(name).toBe(preference);
    expect(tf.getBackend()).toBe(preference);
    expect(tf.getGradient("GatherV2")).toBeDefined();
  });

  it.skipIf(loadable("@tensorflow/tfjs-node"))(
    "forcing an unusable tfjs-node names it and how to install it",
    async () => {
      const error = await selectBackend("tfjs-node").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NotAvailableError);
      expect((error as NotAvailableError).what).toContain("tfjs-node");
      expect((error as Error).message).toContain("pnpm add @tensorflow/tfjs-node@4.22.0");
    },
  );

  it("rejects an unknown preference naming the option", async () => {
    await expect(selectBackend("webgpu")).rejects.toThrow(ConfigError);
    await expect(selectBackend("webgpu")).rejects.toThrow(/option "backend"/);
  });
});
