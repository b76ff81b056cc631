import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker as ThreadWorker } from "node:worker_threads";
import { silentLogger } from "@llminit/core";
import { runExperiment } from "@llminit/pipeline";
import { Queue, UnrecoverableError, Worker } from "bullmq";
import type { Job } from "bullmq";
import type { CellThreadInput } from "./cell-thread.js";
import { parseRedisUrl, workerName } from "./grid-queue.js";
import type { CellJobData } from "./grid-queue.js";
import { resolveCell, runPlannedCell } from "./run-grid.js";
import type { ConfigLayer, GridContext } from "./run-grid.js";
import type { CellRecord } from "./types.js";

/** How a `bench worker` runs. */
export interface QueueWorkerSettings {
  url: string;
  queueName: string;
  /** Layers this machine puts under every job's own: its data dir, cache and model folders. */
  layers: ConfigLayer[];
  /** Run folders go to `out/runs/<cell-id>/`. */
  out: string;
  /** Cells run at once by this process (each in its own thread). */
  concurrency: number;
  /** A job's lock lives this long without renewal (renewed every half of it while the cell runs). */
  lockMs: number;
  /** How often this worker looks for jobs whose lock expired (their worker died) and puts them back. */
  stalledIntervalMs: number;
  /** Times a cell may be put back after its worker died before it is failed. */
  maxStalls: number;
  /** Exit once no cell is waiting, retrying or running. */
  exitWhenEmpty: boolean;
  verbose: boolean;
  name?: string;
}

function threadScript(): string | undefined {
  const path = fileURLToPath(new URL("./cell-thread.js", import.meta.url));
  return path.endsWith(".js") && existsSync(path) ? path : undefined;
}

/** Runs the cell in a worker thread (from sources, where there is no thread script: in this thread). */
function runInThread(input: CellThreadInput, ctx: GridContext): Promise<CellRecord> {
  const script = threadScript();
  if (script === undefined) return runPlannedCell(input.cell, ctx);
  return new Promise((resolve, reject) => {
    const thread = new ThreadWorker(script, { workerData: input });
    let record: CellRecord | undefined;
    thread.on("message", (message: CellRecord) => (record = message));
    thread.on("error", reject);
    thread.on("exit", (code) => {
      if (record !== undefined) resolve(record);
      else reject(new Error(`the cell's thread exited with code ${code} without a result`));
    });
  });
}

/**
 * `bench worker`: takes cells from the grid queue, runs each (in a thread of its own, so that the
 * job lock keeps being renewed) and returns its record to the queue. A cell whose run fails is
 * thrown back for BullMQ to retry (up to the job's attempts); a cell whose options do not even
 * resolve fails at once. Resolves with the exit status once closed (signal, or queue empty).
 */
export async function runQueueWorker(
  settings: QueueWorkerSettings,
  io: { stderr: { write(text: string): unknown } },
): Promise<number> {
  const name = settings.name ?? workerName();
  const say = (text: string) => io.stderr.write(`worker ${name}: ${text}\n`);
  const processor = async (job: Job<CellJobData, CellRecord>): Promise<CellRecord> => {
    const { cell } = job.data;
    const attempts = job.opts.attempts ?? 1;
    const layers = [...settings.layers, ...job.data.layers];
    const ctx: GridContext = {
      out: settings.out,
      layers,
      run: runExperiment,
      stderr: io.stderr,
      logger: silentLogger,
    };
    say(`${cell.id}: running (attempt ${job.attemptsMade + 1} of ${attempts})`);
    try {
      resolveCell(cell, ctx);
    } catch (error) {
      const record = await runPlannedCell(cell, ctx); // a failed record with the resolution error and the options
      await job.updateData({ ...job.data, failedRecord: record });
      say(`${cell.id}: FAILED (bad options, not retried): ${record.error}`);
      throw new UnrecoverableError(error instanceof Error ? error.message : String(error));
    }
    const record = await runInThread({ cell, layers, out: settings.out, verbose: settings.verbose }, ctx);
    if (record.status === "failed") {
      await job.updateData({ ...job.data, failedRecord: record });
      say(`${cell.id}: FAILED after ${record.seconds.toFixed(1)} s: ${record.error}`);
      throw new Error(record.error ?? "the cell failed");
    }
    const t = record.test ?? {};
    say(
      `${cell.id}: ok in ${record.seconds.toFixed(1)} s (${record.epochs} epochs) test recall@10 ${(t["recall@10"] ?? NaN).toFixed(4)} ndcg@10 ${(t["ndcg@10"] ?? NaN).toFixed(4)}`,
    );
    return record;
  };

  const worker = new Worker<CellJobData, CellRecord>(settings.queueName, processor, {
    connection: parseRedisUrl(settings.url),
    concurrency: settings.concurrency,
    lockDuration: settings.lockMs,
    stalledInterval: settings.stalledIntervalMs,
    maxStalledCount: settings.maxStalls,
    name,
    autorun: false,
  });
  worker.on("error", (error) => say(`queue error: ${error.message}`));
  worker.on("stalled", (jobId) => say(`${jobId}: its worker stopped renewing the lock; back in the queue`));

  let closing: Promise<void> | undefined;
  const close = (why: string) => {
    if (closing !== undefined) return closing;
    say(`${why}; finishing the running cells, then exiting`);
    closing = worker.close();
    return closing;
  };
  const onSignal = (signal: string) => {
    if (closing !== undefined) {
      say(`${signal} again: exiting now (running cells go back to the queue when their locks expire)`);
      process.exit(130);
    }
    void close(signal);
  };
  const sigint = () => onSignal("SIGINT");
  const sigterm = () => onSignal("SIGTERM");
  process.on("SIGINT", sigint);
  process.on("SIGTERM", sigterm);
  // --exit-when-empty: a queue handle for the counts, looked at every 2 s.
  const counter = settings.exitWhenEmpty
    ? new Queue(settings.queueName, { connection: parseRedisUrl(settings.url) })
    : undefined;
  const poll =
    counter === undefined
      ? undefined
      : setInterval(() => {
          counter
            .getJobCounts("active", "waiting", "prioritized", "delayed")
            .then((counts) => {
              if (closing === undefined && Object.values(counts).every((n) => n === 0))
                void close("the queue is empty");
            })
            .catch((error: unknown) =>
              say(`queue check failed: ${error instanceof Error ? error.message : String(error)}`),
            );
        }, 2_000);
  say(
    `taking cells from ${settings.queueName} at ${settings.url} (${settings.concurrency} at a time; run folders in ${settings.out})`,
  );
  try {
    await worker.run();
    await closing;
  } finally {
    if (poll !== undefined) clearInterval(poll);
    await counter?.close();
    process.off("SIGINT", sigint);
    process.off("SIGTERM", sigterm);
  }
  say("stopped");
  return 0;
}
