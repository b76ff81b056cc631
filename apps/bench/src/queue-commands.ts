import { resolve } from "node:path";
import { ConfigError, flagName, parseCliArgs } from "@llminit/core";
import type { FlagSpec } from "@llminit/core";
import {
  DEFAULT_GRID_QUEUE,
  DEFAULT_POLICY,
  collectResults,
  enqueueCells,
  enqueueGrid,
  formatStatus,
  gridStatus,
  openGridQueue,
  readGridMeta,
} from "./grid-queue.js";
import type { CellJobData } from "./grid-queue.js";
import type { Queue } from "bullmq";
import { findDataDir } from "./find-data-dir.js";
import type { BenchIo } from "./main.js";
import { planFullCells } from "./plan-grid.js";
import type { GridAxes, PlannedCell } from "./plan-grid.js";
import { runQueueWorker } from "./queue-worker.js";
import type { ConfigLayer } from "./run-grid.js";
import { writeReports } from "./write-reports.js";
import { fileURLToPath } from "node:url";

/** Flags every grid command takes for the queue (added to the grid commands' own). */
export const QUEUE_FLAGS: FlagSpec[] = [{ key: "queue" }, { key: "grid" }, { key: "attempts" }, { key: "retryDelay" }];

export const QUEUE_USAGE = `grids on a job queue (BullMQ on Redis; any number of workers on any machines):
  paper|collapse|encoders|… --queue redis://HOST:PORT/N [--grid NAME] [--attempts 3] [--retry-delay 5]
            enqueue the grid's cells instead of running them (one job per cell id)
  worker    --queue URL [--grid NAME] [--data-dir DIR] [--cache-dir DIR] [--out DIR] [--concurrency 1]
            [--lock-seconds 30] [--stalled-check-seconds 30] [--max-stalls 2] [--exit-when-empty] [--verbose]
            take cells, run them, return each result to the queue
  status    --queue URL [--grid NAME] [--json]     cells done, running, waiting, failed, and an ETA
  collect   --queue URL --out DIR [--grid NAME] [--wait]
            append finished cells to DIR/results.jsonl and write the reports (--wait: until none is left)
`;

function integer(value: string | boolean | undefined, fallback: number, key: string, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (typeof value !== "string" || !Number.isInteger(n) || n < min)
    throw new ConfigError(key, `--${flagName(key)} expects an integer ≥ ${min}, got ${String(value)}`);
  return n;
}

function seconds(value: string | boolean | undefined, fallback: number, key: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (typeof value !== "string" || !Number.isFinite(n) || n <= 0)
    throw new ConfigError(key, `--${flagName(key)} expects a number of seconds > 0, got ${String(value)}`);
  return n;
}

function queueUrl(values: Record<string, string | boolean>): string {
  if (typeof values.queue !== "string")
    throw new ConfigError("queue", "is required: the Redis URL of the grid queue, e.g. redis://127.0.0.1:6379/0");
  return values.queue;
}

function gridName(values: Record<string, string | boolean>): string {
  const name = typeof values.grid === "string" ? values.grid : DEFAULT_GRID_QUEUE;
  if (!/^[A-Za-z0-9._-]+$/.test(name))
    throw new ConfigError("grid", `"${name}" must be letters, digits, ".", "_" or "-" (it names the queue)`);
  return name;
}

/** A grid command given --queue: enqueue its cells instead of running them. */
export async function enqueueGridCommand(
  values: Record<string, string | boolean>,
  experiment: string,
  axes: GridAxes,
  cells: readonly PlannedCell[],
  layers: readonly ConfigLayer[],
  argv: readonly string[],
  io: BenchIo,
): Promise<number> {
  const url = queueUrl(values);
  const name = gridName(values);
  const policy = {
    attempts: integer(values.attempts, DEFAULT_POLICY.attempts, "attempts", 1),
    retryDelayMs: 1000 * seconds(values.retryDelay, DEFAULT_POLICY.retryDelayMs / 1000, "retryDelay"),
  };
  const queue = await openGridQueue(url, name);
  try {
    const outcome = await enqueueGrid(
      queue,
      { experiment, axes, layers: [...layers], command: `pnpm bench ${experiment} ${argv.join(" ")}`.trim() },
      cells,
      policy,
    );
    const follow =
      experiment === "collapse" && axes.inits.includes("full")
        ? " (collapse's full cells follow once D is known: collect enqueues them)"
        : "";
    io.stdout.write(
      `${experiment}: ${cells.length} cells → queue ${name} at ${url}: added ${outcome.added.length}, ` +
        `already queued or done ${outcome.present.length}, failed ones retried ${outcome.retried.length}${follow}\n` +
        `workers:  pnpm bench worker --queue ${url}${name === DEFAULT_GRID_QUEUE ? "" : ` --grid ${name}`} [--data-dir DIR]\n` +
        `progress: pnpm bench status --queue ${url}${name === DEFAULT_GRID_QUEUE ? "" : ` --grid ${name}`}\n` +
        `results:  pnpm bench collect --queue ${url}${name === DEFAULT_GRID_QUEUE ? "" : ` --grid ${name}`} --out DIR --wait\n`,
    );
    return 0;
  } finally {
    await queue.close();
  }
}

const WORKER_FLAGS: FlagSpec[] = [
  { key: "queue" },
  { key: "grid" },
  { key: "dataDir" },
  { key: "cacheDir" },
  { key: "modelDir" },
  { key: "out" },
  { key: "concurrency" },
  { key: "lockSeconds" },
  { key: "stalledCheckSeconds" },
  { key: "maxStalls" },
  { key: "exitWhenEmpty", boolean: true },
  { key: "name" },
  { key: "verbose", boolean: true },
  { key: "help", boolean: true },
];

/** `bench worker`: see QUEUE_USAGE. */
export async function workerCommand(argv: readonly string[], io: BenchIo): Promise<number> {
  const { values, positionals } = parseCliArgs(argv, WORKER_FLAGS);
  if (values.help) {
    io.stdout.write(QUEUE_USAGE);
    return 0;
  }
  if (positionals.length > 0) throw new ConfigError(positionals[0], `unexpected argument "${positionals[0]}"`);
  const cwd = io.cwd ?? process.cwd();
  const data = findDataDir(typeof values.dataDir === "string" ? resolve(cwd, values.dataDir) : undefined, io.env, [
    cwd,
    fileURLToPath(new URL(".", import.meta.url)),
  ]);
  const local: Record<string, unknown> = {};
  if (data.dir !== undefined) local.dataDir = data.dir;
  if (typeof values.cacheDir === "string") local.cacheDir = resolve(cwd, values.cacheDir);
  if (typeof values.modelDir === "string") local.modelDir = resolve(cwd, values.modelDir);
  const url = queueUrl(values);
  // A bad URL fails here, before the worker starts waiting for jobs.
  const probe = await openGridQueue(url, gridName(values));
  await probe.close();
  return runQueueWorker(
    {
      url,
      queueName: gridName(values),
      layers:
        Object.keys(local).length === 0 ? [] : [{ source: `worker on this machine (${data.source})`, values: local }],
      out: typeof values.out === "string" ? resolve(cwd, values.out) : resolve(cwd, "runs", "bench", "worker"),
      concurrency: integer(values.concurrency, 1, "concurrency", 1),
      lockMs: 1000 * seconds(values.lockSeconds, 30, "lockSeconds"),
      stalledIntervalMs: 1000 * seconds(values.stalledCheckSeconds, 30, "stalledCheckSeconds"),
      maxStalls: integer(values.maxStalls, 2, "maxStalls", 0),
      exitWhenEmpty: values.exitWhenEmpty === true,
      verbose: values.verbose === true,
      ...(typeof values.name === "string" ? { name: values.name } : {}),
    },
    io,
  );
}

/** `bench status`: see QUEUE_USAGE. */
export async function statusCommand(argv: readonly string[], io: BenchIo): Promise<number> {
  const { values } = parseCliArgs(argv, [
    { key: "queue" },
    { key: "grid" },
    { key: "json", boolean: true },
    { key: "help", boolean: true },
  ]);
  if (values.help) {
    io.stdout.write(QUEUE_USAGE);
    return 0;
  }
  const queue = await openGridQueue(queueUrl(values), gridName(values));
  try {
    const status = await gridStatus(queue);
    io.stdout.write(values.json === true ? `${JSON.stringify(status)}\n` : formatStatus(status));
    return 0;
  } finally {
    await queue.close();
  }
}

/** Collapse's `full` cells once a finished LLM-init cell tells D: enqueued like the others (once). */
async function enqueueFollowUps(
  queue: Queue<CellJobData>,
  records: Parameters<typeof planFullCells>[1],
): Promise<number> {
  let added = 0;
  for (const meta of await readGridMeta(queue)) {
    const { cells } = planFullCells(meta.axes, records);
    if (cells.length === 0) continue;
    added += (await enqueueCells(queue, cells, meta.layers)).added.length;
  }
  return added;
}

/** `bench collect`: see QUEUE_USAGE. */
export async function collectCommand(argv: readonly string[], io: BenchIo): Promise<number> {
  const { values } = parseCliArgs(argv, [
    { key: "queue" },
    { key: "grid" },
    { key: "out" },
    { key: "wait", boolean: true },
    { key: "interval" },
    { key: "help", boolean: true },
  ]);
  if (values.help) {
    io.stdout.write(QUEUE_USAGE);
    return 0;
  }
  if (typeof values.out !== "string")
    throw new ConfigError("out", "is required: the folder for results.jsonl and the reports");
  const out = resolve(io.cwd ?? process.cwd(), values.out);
  const interval = 1000 * seconds(values.interval, 10, "interval");
  const queue = await openGridQueue(queueUrl(values), gridName(values));
  try {
    let appended = 0;
    let lastLine = "";
    for (;;) {
      const collected = await collectResults(queue, out);
      appended += collected.appended.length;
      for (const record of collected.appended)
        io.stderr.write(
          `collect: ${record.id}: ${record.status}${record.error === undefined ? "" : ` (${record.error})`}\n`,
        );
      const followUps = await enqueueFollowUps(queue, collected.records);
      if (followUps > 0) io.stderr.write(`collect: enqueued ${followUps} follow-up cells (collapse, init full)\n`);
      const status = await gridStatus(queue);
      const text = formatStatus(status);
      const left = status.waiting + status.retrying + status.running;
      if (values.wait !== true || left === 0) {
        io.stderr.write(text);
        break;
      }
      if (text !== lastLine) io.stderr.write(text);
      lastLine = text;
      await new Promise((done) => setTimeout(done, interval));
    }
    const status = await gridStatus(queue);
    const reports = await writeReports(out);
    io.stdout.write(
      `collect: ${appended} new results in ${resolve(out, "results.jsonl")} (${reports.cells} cells in all); ` +
        `${status.done} done, ${status.failed} failed, ${status.running + status.waiting + status.retrying} not finished\n` +
        `reports: ${reports.markdown} ${reports.html}\n`,
    );
    return status.failed > 0 ? 1 : 0;
  } finally {
    await queue.close();
  }
}
