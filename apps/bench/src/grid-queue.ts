import { mkdir } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { ConfigError, NotAvailableError } from "@llminit/core";
import { Queue } from "bullmq";
import type { ConnectionOptions, Job } from "bullmq";
import { cellIdentity } from "./cell-identity.js";
import type { GridAxes, PlannedCell } from "./plan-grid.js";
import { appendResult, readResults } from "./results-file.js";
import type { ConfigLayer } from "./run-grid.js";
import type { CellRecord } from "./types.js";

/** The queue grids go to unless `--grid NAME` names another (one BullMQ queue per name). */
export const DEFAULT_GRID_QUEUE = "llminit-bench";

/** Run options that name places on the machine that enqueued: each worker brings its own. */
const LOCATION_KEYS = new Set(["out", "dataDir", "cacheDir", "modelDir"]);

/** What a job of the grid queue carries: one planned cell and the run options common to the grid. */
export interface CellJobData {
  cell: PlannedCell;
  /** Common option layers without location keys (the worker adds its data dir, cache and out). */
  layers: ConfigLayer[];
  /** The last failed attempt's record (kept so that collect can report the cell's error and config). */
  failedRecord?: CellRecord;
}

/** Grid metadata kept beside the queue: follow-up cells (collapse's `full`) are planned from it. */
export interface GridMeta {
  experiment: string;
  axes: GridAxes;
  layers: ConfigLayer[];
  command: string;
  enqueuedAt: string;
}

/** Retry and lock policy of a grid's jobs and workers. */
export interface QueuePolicy {
  /** Tries per cell (BullMQ `attempts`): a cell that fails this many times is recorded failed. */
  attempts: number;
  /** Delay before a retry (ms, doubled per retry). */
  retryDelayMs: number;
}

export const DEFAULT_POLICY: QueuePolicy = { attempts: 3, retryDelayMs: 5_000 };

/**
 * Connection options from `redis://[user:password@]host:port[/db]` (or `rediss://` for TLS).
 * Throws a ConfigError on `queue` for anything else.
 */
export function parseRedisUrl(text: string): ConnectionOptions & { host: string; port: number; db: number } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError("queue", `not a URL: "${text}" (expected redis://HOST:PORT/N)`);
  }
  if (url.protocol !== "redis:" && url.protocol !== "rediss:")
    throw new ConfigError("queue", `"${text}" is not a redis:// or rediss:// URL (expected redis://HOST:PORT/N)`);
  const port = url.port === "" ? 6379 : Number(url.port);
  const dbText = url.pathname.replace(/^\//, "");
  const db = dbText === "" ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0)
    throw new ConfigError("queue", `"${text}": the database after the port must be a number, got "${dbText}"`);
  return {
    host: url.hostname === "" ? "127.0.0.1" : url.hostname,
    port,
    db,
    ...(url.username === "" ? {} : { username: decodeURIComponent(url.username) }),
    ...(url.password === "" ? {} : { password: decodeURIComponent(url.password) }),
    ...(url.protocol === "rediss:" ? { tls: {} } : {}),
    // BullMQ workers need blocking commands without a per-request retry limit.
    maxRetriesPerRequest: null,
  };
}

/** A queue handle; reachability is checked within `timeoutMs` with a message that names the server. */
export async function openGridQueue(url: string, name: string, timeoutMs = 10_000): Promise<Queue<CellJobData>> {
  const connection = parseRedisUrl(url);
  const queue = new Queue<CellJobData>(name, { connection });
  let lastError = "";
  queue.on("error", (error) => (lastError = error.message));
  const timer = new Promise<never>((_, reject) =>
    setTimeout(
      () =>
        reject(
          new NotAvailableError(
            `Redis at ${connection.host}:${connection.port}`,
            `no answer within ${timeoutMs / 1000} s${lastError === "" ? "" : ` (${lastError})`}`,
            "Start redis-server there (apt-get install redis-server) or fix --queue redis://HOST:PORT/N",
          ),
        ),
      timeoutMs,
    ).unref(),
  );
  try {
    await Promise.race([queue.waitUntilReady(), timer]);
  } catch (error) {
    await queue.close().catch(() => undefined);
    throw error;
  }
  return queue;
}

function metaKey(queue: Queue): string {
  return `${queue.opts.prefix ?? "bull"}:${queue.name}:llminit-grid-meta`;
}

/** Reads the metadata of every grid enqueued on this queue (one per experiment). */
export async function readGridMeta(queue: Queue): Promise<GridMeta[]> {
  const client = await queue.client;
  const entries = await client.hgetall(metaKey(queue));
  return Object.values(entries).map((text) => JSON.parse(text) as GridMeta);
}

/** Common layers without the enqueuing machine's locations. */
export function portableLayers(layers: readonly ConfigLayer[]): ConfigLayer[] {
  return layers
    .map((layer) => ({
      source: layer.source,
      values: Object.fromEntries(Object.entries(layer.values).filter(([key]) => !LOCATION_KEYS.has(key))),
    }))
    .filter((layer) => Object.keys(layer.values).length > 0);
}

/** What enqueueing did to each cell. */
export interface EnqueueOutcome {
  added: string[];
  /** Already queued, running or done: left alone. */
  present: string[];
  /** Recorded failed in the queue: retried (as a local rerun retries failed cells). */
  retried: string[];
}

/**
 * Adds one job per cell (job id = cell id, so a cell is in the queue once however often the
 * grid is enqueued). Cells that failed for good are retried; others already present are left.
 */
export async function enqueueCells(
  queue: Queue<CellJobData>,
  cells: readonly PlannedCell[],
  layers: readonly ConfigLayer[],
  policy: QueuePolicy = DEFAULT_POLICY,
): Promise<EnqueueOutcome> {
  const outcome: EnqueueOutcome = { added: [], present: [], retried: [] };
  const portable = portableLayers(layers);
  for (const cell of cells) {
    const existing = await queue.getJob(cell.id);
    if (existing !== undefined) {
      if ((await existing.getState()) === "failed") {
        await existing.retry("failed");
        outcome.retried.push(cell.id);
      } else outcome.present.push(cell.id);
      continue;
    }
    await queue.add(
      cell.experiment,
      { cell, layers: portable },
      {
        jobId: cell.id,
        attempts: policy.attempts,
        backoff: { type: "exponential", delay: policy.retryDelayMs },
        removeOnComplete: false,
        removeOnFail: false,
      },
    );
    outcome.added.push(cell.id);
  }
  return outcome;
}

/** Enqueues a planned grid and records its metadata beside the queue. */
export async function enqueueGrid(
  queue: Queue<CellJobData>,
  meta: Omit<GridMeta, "enqueuedAt">,
  cells: readonly PlannedCell[],
  policy: QueuePolicy = DEFAULT_POLICY,
): Promise<EnqueueOutcome> {
  const client = await queue.client;
  const full: GridMeta = { ...meta, layers: portableLayers(meta.layers), enqueuedAt: new Date().toISOString() };
  await client.hset(metaKey(queue), { [meta.experiment]: JSON.stringify(full) });
  return enqueueCells(queue, cells, meta.layers, policy);
}

/** Counts of a grid queue, and an estimate of the time left. */
export interface GridStatus {
  queue: string;
  done: number;
  running: number;
  waiting: number;
  /** Waiting to be retried after a failed attempt. */
  retrying: number;
  failed: number;
  total: number;
  workers: number;
  /** Mean seconds of the finished cells' last attempt. */
  meanCellSeconds: number | null;
  /** (waiting + retrying + running) × mean cell seconds ÷ workers; null before any cell finished. */
  etaSeconds: number | null;
  runningCells: Array<{ id: string; worker: string | null; seconds: number }>;
  failedCells: Array<{ id: string; attempts: number; error: string }>;
}

export async function gridStatus(queue: Queue<CellJobData>): Promise<GridStatus> {
  const counts = await queue.getJobCounts("completed", "active", "waiting", "prioritized", "delayed", "failed");
  const completed = (await queue.getJobs(["completed"], 0, -1)) as Job<CellJobData, CellRecord>[];
  const active = (await queue.getJobs(["active"], 0, -1)) as Job<CellJobData, CellRecord>[];
  const failed = (await queue.getJobs(["failed"], 0, -1)) as Job<CellJobData, CellRecord>[];
  const durations = completed
    .filter((j) => j.finishedOn !== undefined && j.processedOn !== undefined)
    .map((j) => ((j.finishedOn ?? 0) - (j.processedOn ?? 0)) / 1000);
  const mean = durations.length === 0 ? null : durations.reduce((a, b) => a + b, 0) / durations.length;
  const workers = (await queue.getWorkers()).length;
  const waiting = (counts.waiting ?? 0) + (counts.prioritized ?? 0);
  const retrying = counts.delayed ?? 0;
  const running = counts.active ?? 0;
  const left = waiting + retrying + running;
  const now = Date.now();
  return {
    queue: queue.name,
    done: counts.completed ?? 0,
    running,
    waiting,
    retrying,
    failed: counts.failed ?? 0,
    total: (counts.completed ?? 0) + left + (counts.failed ?? 0),
    workers,
    meanCellSeconds: mean,
    etaSeconds: mean === null ? null : left === 0 ? 0 : (mean * left) / Math.max(1, workers),
    runningCells: active.map((j) => ({
      id: j.id ?? "?",
      worker: j.processedBy ?? null,
      seconds: j.processedOn === undefined ? 0 : (now - j.processedOn) / 1000,
    })),
    failedCells: failed.map((j) => ({ id: j.id ?? "?", attempts: j.attemptsMade, error: j.failedReason })),
  };
}

function duration(seconds: number): string {
  if (seconds < 90) return `${seconds.toFixed(0)} s`;
  if (seconds < 5400) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** One status block for a terminal. */
export function formatStatus(status: GridStatus): string {
  const eta = status.etaSeconds === null ? "ETA unknown until a cell finishes" : `ETA ${duration(status.etaSeconds)}`;
  const lines = [
    `queue ${status.queue}: ${status.done}/${status.total} cells done, ${status.running} running, ${status.waiting} waiting, ` +
      `${status.retrying} waiting to retry, ${status.failed} failed; ${status.workers} worker${status.workers === 1 ? "" : "s"}; ` +
      `${status.meanCellSeconds === null ? "" : `${duration(status.meanCellSeconds)} per cell; `}${eta}`,
    ...status.runningCells.map(
      (c) => `  running ${c.id}${c.worker === null ? "" : ` on ${c.worker}`} for ${duration(c.seconds)}`,
    ),
    ...status.failedCells.map(
      (c) => `  failed  ${c.id} after ${c.attempts} attempt${c.attempts === 1 ? "" : "s"}: ${c.error}`,
    ),
  ];
  return `${lines.join("\n")}\n`;
}

/** The record a failed job stands for: its last attempt's record, else one made from the job. */
export function failedJobRecord(job: Job<CellJobData, CellRecord>): CellRecord {
  const reason = `${job.failedReason} (after ${job.attemptsMade} attempt${job.attemptsMade === 1 ? "" : "s"})`;
  if (job.data.failedRecord !== undefined) return { ...job.data.failedRecord, status: "failed", error: reason };
  const cell = job.data.cell;
  return {
    ...cellIdentity(cell),
    status: "failed",
    error: reason,
    startedAt: new Date(job.processedOn ?? job.timestamp).toISOString(),
    seconds:
      job.finishedOn !== undefined && job.processedOn !== undefined ? (job.finishedOn - job.processedOn) / 1000 : 0,
    machine: { cpus: 0, cpuModel: "unknown", node: "unknown", platform: "unknown" },
    config: { ...cell.values },
    runDir: "",
  };
}

/**
 * Appends to `out/results.jsonl` the record of every finished job (completed: the worker's
 * record; failed for good: its last error) that the file does not hold yet (same id and start
 * time), so that collecting again never writes a cell twice. Returns what it appended.
 */
export async function collectResults(
  queue: Queue<CellJobData>,
  out: string,
): Promise<{ appended: CellRecord[]; records: CellRecord[] }> {
  const path = join(out, "results.jsonl");
  await mkdir(out, { recursive: true });
  const existing = await readResults(path, { repair: true });
  const seen = new Set(existing.map((r) => `${r.id}\u0000${r.startedAt}\u0000${r.status}`));
  const completed = (await queue.getJobs(["completed"], 0, -1, true)) as Job<CellJobData, CellRecord>[];
  const failed = (await queue.getJobs(["failed"], 0, -1, true)) as Job<CellJobData, CellRecord>[];
  const records = [
    ...completed.filter((j) => j.returnvalue !== null && j.returnvalue !== undefined).map((j) => j.returnvalue),
    ...failed.map((j) => failedJobRecord(j)),
  ];
  const appended: CellRecord[] = [];
  for (const record of records) {
    const key = `${record.id}\u0000${record.startedAt}\u0000${record.status}`;
    if (seen.has(key)) continue;
    seen.add(key);
    await appendResult(path, record);
    appended.push(record);
  }
  return { appended, records };
}

/** This machine and process, for worker names. */
export function workerName(): string {
  return `${hostname()}:${process.pid}`;
}
