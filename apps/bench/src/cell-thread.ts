// One queued grid cell, run in a worker thread of a `bench worker` process: the cell's training
// may hold its thread for minutes, while the process's main thread keeps renewing the job's lock
// with Redis (a blocked event loop would let the lock expire and the cell be taken as stalled).
import { parentPort, workerData } from "node:worker_threads";
import type { LogFields, LogLevel } from "@llminit/core";
import { runExperiment } from "@llminit/pipeline";
import type { PlannedCell } from "./plan-grid.js";
import { runPlannedCell } from "./run-grid.js";
import type { ConfigLayer } from "./run-grid.js";

/** What the worker process hands the thread. */
export interface CellThreadInput {
  cell: PlannedCell;
  layers: ConfigLayer[];
  out: string;
  verbose: boolean;
}

async function main(input: CellThreadInput): Promise<void> {
  const stderr = process.stderr;
  const record = await runPlannedCell(input.cell, {
    out: input.out,
    layers: input.layers,
    run: runExperiment,
    stderr,
    epochLines: input.verbose,
    logger: {
      log(level: LogLevel, message: string, fields?: LogFields) {
        if (level === "debug" || (level === "info" && !input.verbose)) return;
        stderr.write(
          `  [${level}] ${input.cell.id}: ${message}${fields === undefined ? "" : ` ${JSON.stringify(fields)}`}\n`,
        );
      },
    },
  });
  parentPort?.postMessage(record);
}

if (parentPort !== null && workerData !== null && typeof workerData === "object" && "cell" in workerData)
  await main(workerData as CellThreadInput);
