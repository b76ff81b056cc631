import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeToyDataset } from "@llminit/pipeline/testing";
import type { ToyDataset } from "@llminit/pipeline/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openGridQueue, parseRedisUrl, portableLayers } from "./grid-queue.js";
import { main } from "./main.js";
import type { CellRecord } from "./types.js";

// The grid queue against a real Redis: CI starts redis-server on a loopback port and passes its
// URL in LLMINIT_TEST_REDIS_URL (see .ci/run). Workers are separate processes of the built CLI
// (dist/bin.js; turbo builds this package before its tests).

const REDIS_URL = process.env.LLMINIT_TEST_REDIS_URL;
const BIN = fileURLToPath(new URL("../dist/bin.js", import.meta.url));
const skipReason =
  REDIS_URL === undefined || REDIS_URL === ""
    ? "no Redis: set LLMINIT_TEST_REDIS_URL=redis://127.0.0.1:PORT/N (.ci/run starts one)"
    : !existsSync(BIN)
      ? `${BIN} is missing: build the bench first (pnpm turbo run build --filter=@llminit/bench)`
      : undefined;
// Vitest's summary does not show skip notes; say it where CI logs will show it.
if (skipReason !== undefined) console.warn(`skipping the grid-queue tests: ${skipReason}`);

function capture() {
  let stdout = "";
  let stderr = "";
  return {
    io: {
      stdout: { write: (t: string) => (stdout += t) },
      stderr: { write: (t: string) => (stderr += t) },
      env: {} as Record<string, string>,
    },
    out: () => stdout,
    err: () => stderr,
  };
}

interface RunningWorker {
  child: ChildProcess;
  log: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startWorker(grid: string, out: string, cacheDir: string): RunningWorker {
  const child = spawn(
    process.execPath,
    [
      BIN,
      "worker",
      "--queue",
      REDIS_URL ?? "",
      "--grid",
      grid,
      "--out",
      out,
      "--lock-seconds",
      "2",
      "--stalled-check-seconds",
      "1",
      "--exit-when-empty",
      "--cache-dir",
      cacheDir,
    ],
    { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, LLMINIT_DATA_DIR: "" } },
  );
  let log = "";
  child.stderr?.on("data", (chunk: Buffer) => (log += chunk.toString("utf8")));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal })),
  );
  return { child, log: () => log, exited };
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 120_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function readRecords(out: string): Promise<CellRecord[]> {
  return (await readFile(join(out, "results.jsonl"), "utf8"))
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as CellRecord);
}

describe("parseRedisUrl and portableLayers", () => {
  it("reads host, port, database and credentials; rejects other schemes", () => {
    expect(parseRedisUrl("redis://10.0.0.5:6380/3")).toMatchObject({ host: "10.0.0.5", port: 6380, db: 3 });
    expect(parseRedisUrl("redis://u:p%40ss@h/0")).toMatchObject({
      host: "h",
      port: 6379,
      username: "u",
      password: "p@ss",
    });
    expect(parseRedisUrl("rediss://h:1/2")).toMatchObject({ tls: {} });
    expect(() => parseRedisUrl("http://h:1/0")).toThrow(/not a redis:\/\/ or rediss:\/\/ URL/);
    expect(() => parseRedisUrl("redis://h:1/x")).toThrow(/database/);
  });

  it("drops the enqueuing machine's locations from the layers jobs carry", () => {
    expect(
      portableLayers([
        { source: "LLMINIT_DATA_DIR", values: { dataDir: "/data" } },
        { source: "command line", values: { epochs: 3, cacheDir: "/c", dim: 8 } },
      ]),
    ).toEqual([{ source: "command line", values: { epochs: 3, dim: 8 } }]);
  });

  it("names the server when Redis cannot be reached", async () => {
    await expect(openGridQueue("redis://127.0.0.1:1/0", "x", 1500)).rejects.toThrow(
      /Redis at 127\.0\.0\.1:1: no answer within 1\.5 s.*redis-server/,
    );
  });
});

describe.skipIf(skipReason !== undefined)("grid on the queue (Redis)", () => {
  let root: string;
  let toy: ToyDataset;
  const grids: string[] = [];
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "llminit-queue-"));
    // Big enough that a cell takes a few seconds: a worker can be killed in the middle of one.
    toy = await writeToyDataset(root, { users: 600, items: 200 });
  });
  afterAll(async () => {
    for (const grid of grids) {
      const queue = await openGridQueue(REDIS_URL ?? "", grid);
      await queue.obliterate({ force: true });
      await queue.close();
    }
    await rm(root, { recursive: true, force: true });
  });

  const gridArgs = (out?: string) => [
    "--datasets",
    toy.dir,
    "--encoder",
    toy.encoder,
    "--cache-dir",
    join(root, "cache"),
    "--models",
    "lightgcn",
    "--inits",
    "none,var",
    "--seeds",
    "2",
    "--settings",
    "full",
    "--dim",
    "16",
    "--epochs",
    "25",
    "--patience",
    "100",
    "--batch-size",
    "64",
    ...(out === undefined ? [] : ["--out", out]),
  ];

  it(
    "two workers, one killed with SIGKILL mid-cell: every cell once, with a local run's metrics",
    { timeout: 600_000 },
    async () => {
      const grid = `test-kill-${process.pid}-${Date.now()}`;
      grids.push(grid);
      const enqueue = capture();
      expect(
        await main(["paper", ...gridArgs(), "--queue", REDIS_URL ?? "", "--grid", grid], enqueue.io),
        enqueue.err(),
      ).toBe(0);
      expect(enqueue.out()).toMatch(/4 cells → queue .*: added 4/);
      // Enqueueing again adds nothing: a cell is one job.
      const again = capture();
      await main(["paper", ...gridArgs(), "--queue", REDIS_URL ?? "", "--grid", grid], again.io);
      expect(again.out()).toMatch(/added 0, already queued or done 4/);

      const a = startWorker(grid, join(root, "worker-a"), join(root, "cache"));
      await waitFor(() => /: running \(attempt 1 of 3\)/.test(a.log()), "worker A to start a cell");
      const b = startWorker(grid, join(root, "worker-b"), join(root, "cache"));
      const killedCell = /worker \S+: (\S+): running/.exec(a.log())?.[1] ?? "";
      a.child.kill("SIGKILL");
      expect(await a.exited).toMatchObject({ signal: "SIGKILL" });
      expect(a.log()).not.toMatch(new RegExp(`${killedCell}: ok`)); // killed in the middle of it

      const status = capture();
      await main(["status", "--queue", REDIS_URL ?? "", "--grid", grid], status.io);
      expect(status.out()).toMatch(/queue test-kill-\S+: \d\/4 cells done/);

      const bExit = await b.exited;
      expect(bExit.code, b.log()).toBe(0);
      expect(b.log()).toMatch(new RegExp(`${killedCell}: ok`)); // the stalled cell went back to the queue
      const collected = join(root, "collected");
      const collect = capture();
      expect(await main(["collect", "--queue", REDIS_URL ?? "", "--grid", grid, "--out", collected], collect.io)).toBe(
        0,
      );
      expect(collect.err()).toMatch(/4\/4 cells done, 0 running, 0 waiting, 0 waiting to retry, 0 failed/);
      const records = await readRecords(collected);
      expect(records.map((r) => r.id).sort()).toEqual([...new Set(records.map((r) => r.id))].sort());
      expect(records).toHaveLength(4);
      expect(records.every((r) => r.status === "ok")).toBe(true);
      // Collecting again writes nothing twice.
      await main(["collect", "--queue", REDIS_URL ?? "", "--grid", grid, "--out", collected], capture().io);
      expect(await readRecords(collected)).toHaveLength(4);
      expect(existsSync(join(collected, "report.md"))).toBe(true);

      const local = join(root, "local");
      const run = capture();
      expect(await main(["paper", ...gridArgs(local)], run.io), run.err()).toBe(0);
      const byId = new Map((await readRecords(local)).map((r) => [r.id, r]));
      for (const record of records) {
        const mine = byId.get(record.id);
        expect(mine, record.id).toBeDefined();
        expect(record.test, record.id).toEqual(mine?.test);
        expect(record.valid, record.id).toEqual(mine?.valid);
        expect(record.epochs, record.id).toBe(mine?.epochs);
      }
    },
  );

  it(
    "a cell that keeps failing is retried a bounded number of times, then recorded failed with its error",
    { timeout: 300_000 },
    async () => {
      const grid = `test-fail-${process.pid}-${Date.now()}`;
      grids.push(grid);
      const missing = join(root, "no-such-dataset");
      const enqueue = capture();
      expect(
        await main(
          [
            "paper",
            "--datasets",
            missing,
            "--models",
            "lightgcn",
            "--inits",
            "none",
            "--seeds",
            "2020",
            "--settings",
            "full",
            "--epochs",
            "1",
            "--queue",
            REDIS_URL ?? "",
            "--grid",
            grid,
            "--attempts",
            "2",
            "--retry-delay",
            "0.2",
          ],
          enqueue.io,
        ),
        enqueue.err(),
      ).toBe(0);
      const worker = startWorker(grid, join(root, "worker-f"), join(root, "cache"));
      expect((await worker.exited).code, worker.log()).toBe(0);
      expect(worker.log()).toMatch(
        /running \(attempt 1 of 2\)[\s\S]*FAILED[\s\S]*running \(attempt 2 of 2\)[\s\S]*FAILED/,
      );
      const out = join(root, "collected-fail");
      const collect = capture();
      expect(await main(["collect", "--queue", REDIS_URL ?? "", "--grid", grid, "--out", out], collect.io)).toBe(1);
      const records = await readRecords(out);
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({ id: "paper-no-such-dataset-full-lightgcn-none-s2020", status: "failed" });
      expect(records[0].error).toMatch(/no-such-dataset.*\(after 2 attempts\)/s);
      expect(records[0].config.epochs).toBe(1);
    },
  );
});
