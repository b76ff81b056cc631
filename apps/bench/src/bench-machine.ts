import { availableParallelism, cpus, loadavg } from "node:os";

/** The machine a timing ran on, with the load average before and after it (a busy host slows every figure). */
export interface BenchMachine {
  cpu: string;
  cores: number;
  node: string;
  loadAverageStart: number[];
  loadAverageEnd: number[];
}

/** This machine now; `loadAverageStart` is `loadavg()` taken before the timed work. */
export function benchMachine(loadAverageStart: number[]): BenchMachine {
  return {
    cpu: cpus()[0]?.model.trim() ?? "unknown",
    cores: availableParallelism(),
    node: process.version,
    loadAverageStart,
    loadAverageEnd: loadavg(),
  };
}
