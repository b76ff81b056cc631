import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DataFormatError, NotAvailableError, RecordingProgress } from "@llminit/core";
import { downloadFile } from "./download.js";
import { closedPortUrl, serveFiles, tempDir } from "./test-utils/fixtures.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe("downloadFile (local server on 127.0.0.1)", () => {
  const body = Buffer.from("payload ".repeat(10_000));
  const sha = createHash("sha256").update(body).digest("hex");

  it("downloads, reports progress and checks the sha256", async () => {
    const server = await serveFiles({ "/f.bin": body });
    try {
      const dest = join(tmp.dir, "a", "f.bin");
      const progress = new RecordingProgress();
      expect(await downloadFile(`${server.url}/f.bin`, dest, { sha256: sha, progress })).toBe(sha);
      expect(readFileSync(dest).equals(body)).toBe(true);
      expect(progress.tasks[0]).toMatchObject({ total: body.length, done: body.length, ended: true });
      const bad = join(tmp.dir, "b", "f.bin");
      await expect(downloadFile(`${server.url}/f.bin`, bad, { sha256: "0".repeat(64) })).rejects.toThrow(
        DataFormatError,
      );
      expect(existsSync(bad) || existsSync(`${bad}.partial`)).toBe(false);
      await expect(downloadFile(`${server.url}/missing`, join(tmp.dir, "c"))).rejects.toThrow(/HTTP 404/);
    } finally {
      await server.close();
    }
  });

  it("offline: a NotAvailableError names the URL and where to put the file", async () => {
    const url = `${await closedPortUrl()}/ml-100k.zip`;
    const dest = join(tmp.dir, "offline", "ml-100k.zip");
    const error = await downloadFile(url, dest).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotAvailableError);
    expect((error as Error).message).toContain(url);
    expect((error as Error).message).toContain(`place it at ${dest}`);
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
    // The folders made for the file go again: no empty folder is left in the cache.
    expect(existsSync(join(tmp.dir, "offline"))).toBe(false);
    const deeper = join(tmp.dir, "kept", "cache", "ml-100k", "f.zip");
    mkdirSync(join(tmp.dir, "kept"));
    await expect(downloadFile(url, deeper)).rejects.toThrow(NotAvailableError);
    expect(readdirSync(join(tmp.dir, "kept"))).toEqual([]);
  });
});
