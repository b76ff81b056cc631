import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeNpy } from "@llminit/core";

// `llminit encode` on a catalogue of 100k+ items with an `openai:` encoder served by a local
// OpenAI-compatible server: the encoding process is killed with SIGKILL part-way, then run
// again; the second run must only encode what the first did not finish, and the file must
// hold every item's row. The child runs the built pipeline (`encodeDataset`, what the CLI calls).

const ITEMS = 100_500;
const USERS = 20_100;
const DIM = 8;

/** The server's embedding of a text: a function of the text alone, so any run gives the same rows. */
function embed(text: string): number[] {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return Array.from({ length: DIM }, (_, c) => ((Math.imul(h, c + 1) >>> 8) % 1000) / 1000);
}

let root: string;
let server: Server;
let baseUrl: string;
let texts = 0;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "llminit-encode-kill-"));
  const dir = join(root, "big");
  await mkdir(dir, { recursive: true });
  const inter = ["user_id:token\titem_id:token\trating:float\ttimestamp:float"];
  for (let u = 0; u < USERS; u++)
    for (let j = 0; j < 6; j++) inter.push(`u${u}\ti${(u * 5 + j) % ITEMS}\t5\t${u * 10 + j}`);
  await writeFile(join(dir, "big.inter"), `${inter.join("\n")}\n`);
  const item = ["item_id:token\ttitle:token_seq"];
  for (let i = 0; i < ITEMS; i++) item.push(`i${i}\tproduct ${i} in aisle ${i % 97}`);
  await writeFile(join(dir, "big.item"), `${item.join("\n")}\n`);

  server = createServer((req, res) => {
    let raw = "";
    req.on("data", (chunk: Buffer) => (raw += chunk.toString("utf8")));
    req.on("end", () => {
      const body = JSON.parse(raw) as { input: string[] };
      texts += body.input.length;
      const data = body.input.map((text, index) => ({ object: "embedding", index, embedding: embed(text) }));
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ object: "list", data }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(root, { recursive: true, force: true });
});

/** Runs `encodeDataset` in a child process; `killAt` kills it with SIGKILL once the server has seen that many texts. */
function encodeInChild(
  out: string,
  killAt?: number,
): Promise<{ signal: string | null; stdout: string; stderr: string }> {
  const script = `
    import { encodeDataset, resolveRunConfig } from "@llminit/pipeline";
    const config = resolveRunConfig([{ source: "test", values: {
      dataset: ${JSON.stringify(join(root, "big"))}, minRating: 0, kCore: 0,
      encoder: "openai:fake-embed", cacheDir: ${JSON.stringify(join(root, "cache"))},
    } }]);
    const result = await encodeDataset(config, ${JSON.stringify(out)});
    console.log(JSON.stringify({ ...result, maxRssMiB: process.resourceUsage().maxRSS / 1024 }));
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
      cwd: fileURLToPath(new URL("..", import.meta.url)),
      env: { ...process.env, OPENAI_BASE_URL: baseUrl, OPENAI_API_KEY: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    const watch =
      killAt === undefined
        ? undefined
        : setInterval(() => {
            if (texts >= killAt) child.kill("SIGKILL");
          }, 5);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (watch !== undefined) clearInterval(watch);
      if (code !== 0 && signal === null) reject(new Error(`child exited ${code}: ${stderr}`));
      else resolve({ signal, stdout, stderr });
    });
  });
}

describe("llminit encode on 100k+ items", () => {
  it("streams, survives SIGKILL and resumes from its cache", { timeout: 300_000 }, async () => {
    const out = join(root, "out", "items.npy");
    const killed = await encodeInChild(out, 40_000);
    expect(killed.signal).toBe("SIGKILL");
    const seenBeforeKill = texts;
    expect(seenBeforeKill).toBeLessThan(ITEMS);
    // Nothing under the final name after a kill (at most a temporary file).
    expect((await readdir(join(root, "out")).catch(() => [] as string[])).filter((n) => n === "items.npy")).toEqual([]);

    texts = 0;
    const resumed = await encodeInChild(out);
    const result = JSON.parse(resumed.stdout.trim().split("\n").pop() ?? "{}") as {
      items: number;
      dimension: number;
      cached: number;
      encoded: number;
      itemsPerSecond: number;
    };
    expect(result).toMatchObject({ items: ITEMS, dimension: DIM });
    expect(result.itemsPerSecond).toBeGreaterThan(0);
    // Only the unfinished work is redone: the finished shards (256 items each) came from the cache;
    // the texts in flight when the process died (at most one shard) are asked for again.
    expect(result.encoded).toBe(texts);
    expect(result.cached).toBeGreaterThanOrEqual(seenBeforeKill - 256);
    expect(texts).toBeLessThanOrEqual(ITEMS - seenBeforeKill + 256);

    const matrix = decodeNpy(await readFile(out));
    expect(matrix.shape).toEqual([ITEMS, DIM]);
    const ids = (await readFile(`${out}.ids.txt`, "utf8")).trim().split("\n");
    expect(ids).toHaveLength(ITEMS);
    const data = matrix.data as Float32Array;
    for (const row of [0, 1, 12_345, 40_000, ITEMS - 1]) {
      const id = Number(ids[row].slice(1));
      const want = Float32Array.from(embed(`product ${id} in aisle ${id % 97}`));
      expect(Array.from(data.subarray(row * DIM, (row + 1) * DIM)), `row ${row} (${ids[row]})`).toEqual(
        Array.from(want),
      );
    }
  });
});
