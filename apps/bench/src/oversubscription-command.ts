import { rm, writeFile } from "node:fs/promises";
import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import { ConfigError, LlminitError, parseCliArgs } from "@llminit/core";
import type { RunSummary } from "@llminit/pipeline";
import { llminitRunArgs, RUN_PASS_THROUGH } from "./llminit-run-args.js";
import { benchMachine, type BenchMachine } from "./bench-machine.js";
import { lockBenchOut } from "./lock-bench-out.js";
import type { BenchIo } from "./main.js";
import { median } from "./speed-ours.js";
import { lastLine, llminitBin, startLlminit, type LlminitExit } from "./spawn-llminit.js";

/** The issue's target: each of two runs at once takes at most this many times one run alone. */
export const OVERSUBSCRIPTION_TARGET = 2.5;

export const OVERSUBSCRIPTION_USAGE = `usage: pnpm bench oversubscription [--dataset amazon-office-products] [--data-dir DIR] [--processes 2]
                                   [--repeats 1] [--out runs/bench/oversubscription] [--json]
                                   [any option of llminit run; default --epochs 20 --patience 1000]

Two llminit runs at once on the same cores.
  one untimed warm-up run (--epochs 0: fills the encoder cache), then per repeat: one run alone,
  then --processes runs started together, each on every core (llminit's default --threads 0).
  Reports each run's wall time over the alone run's (target ≤ ${OVERSUBSCRIPTION_TARGET}× for two processes),
  and the same for the training seconds in metrics.json; writes OUT/oversubscription.json and .md.
  OUT is locked while it runs: a second command on it is refused.
`;

interface TimedRun {
  /** Wall seconds of the whole process (start-up, data, encoding from cache, training, evaluation). */
  wallSeconds: number;
  /** metrics.json's seconds.train (training steps and checkpoints, validation excluded). */
  trainSeconds: number;
  secondsPerEpoch: number;
  epochs: number;
}

export interface OversubscriptionReport {
  command: string;
  machine: BenchMachine;
  processes: number;
  backend: string;
  alone: TimedRun[];
  together: TimedRun[][];
  /** Median over repeats of the slowest concurrent run's wall time ÷ the alone run's. */
  wallRatio: number;
  trainRatio: number;
  target: number;
}

function timed(exit: LlminitExit, what: string): { run: TimedRun; summary: RunSummary } {
  if (exit.status !== 0)
    throw new LlminitError("E_RUN", `${what} failed (status ${exit.status}): ${lastLine(exit.stderr)}`);
  const summary = JSON.parse(exit.stdout) as RunSummary;
  return {
    summary,
    run: {
      wallSeconds: exit.seconds,
      trainSeconds: summary.seconds.train,
      secondsPerEpoch: summary.secondsPerEpoch,
      epochs: summary.epochs,
    },
  };
}

export function renderOversubscriptionMarkdown(report: OversubscriptionReport): string {
  const fmt = (x: number) => x.toFixed(2);
  const lines = [
    `## ${report.processes} llminit runs at once on ${report.machine.cores} cores`,
    "",
    `\`${report.command}\``,
    "",
    `machine: ${report.machine.cpu} × ${report.machine.cores} cores, node ${report.machine.node}, ${report.backend}; ` +
      `load average ${report.machine.loadAverageStart.map(fmt).join("/")} at start, ` +
      `${report.machine.loadAverageEnd.map(fmt).join("/")} at end`,
    "",
    "| repeat | alone: wall s (train s) | together: wall s (train s) of each | slowest ÷ alone: wall | train |",
    "|---|---|---|---|---|",
    ...report.alone.map((alone, k) => {
      const together = report.together[k];
      const slowestWall = Math.max(...together.map((r) => r.wallSeconds));
      const slowestTrain = Math.max(...together.map((r) => r.trainSeconds));
      return `| ${k + 1} | ${fmt(alone.wallSeconds)} (${fmt(alone.trainSeconds)}) | ${together
        .map((r) => `${fmt(r.wallSeconds)} (${fmt(r.trainSeconds)})`)
        .join(", ")} | ${fmt(slowestWall / alone.wallSeconds)}× | ${fmt(slowestTrain / alone.trainSeconds)}× |`;
    }),
    "",
    `median slowest ÷ alone: wall ${fmt(report.wallRatio)}×, training ${fmt(report.trainRatio)}× ` +
      `(target ≤ ${report.target}×: ${report.wallRatio <= report.target ? "met" : "**missed**"})`,
    "",
  ];
  return lines.join("\n");
}

/** `pnpm bench oversubscription`: see OVERSUBSCRIPTION_USAGE. */
export async function oversubscriptionCommand(argv: readonly string[], io: BenchIo): Promise<number> {
  const { values, positionals } = parseCliArgs(argv, [
    { key: "dataset" },
    { key: "dataDir" },
    { key: "out" },
    { key: "processes" },
    { key: "repeats" },
    { key: "json", boolean: true },
    { key: "help", boolean: true },
    ...RUN_PASS_THROUGH,
  ]);
  if (values.help) {
    io.stdout.write(OVERSUBSCRIPTION_USAGE);
    return 0;
  }
  if (positionals.length > 0) throw new ConfigError(positionals[0], `unexpected argument "${positionals[0]}"`);
  const count = (key: string, fallback: number, max: number): number => {
    const raw = values[key];
    const n = raw === undefined ? fallback : Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > max)
      throw new ConfigError(key, `expected an integer in [1, ${max}], got ${JSON.stringify(raw)}`);
    return n;
  };
  const processes = count("processes", 2, 16);
  const repeats = count("repeats", 1, 100);
  const { args } = llminitRunArgs(values, io, { epochs: "20", patience: "1000" });
  const out = resolve(
    io.cwd ?? process.cwd(),
    typeof values.out === "string" ? values.out : "runs/bench/oversubscription",
  );
  llminitBin(); // built? (before anything is created)
  const lock = lockBenchOut(out, "oversubscription");
  try {
    return await measure(argv, values, { args, out, processes, repeats }, io);
  } finally {
    lock.release();
  }
}

async function measure(
  argv: readonly string[],
  values: Record<string, string | boolean>,
  { args, out, processes, repeats }: { args: string[]; out: string; processes: number; repeats: number },
  io: BenchIo,
): Promise<number> {
  await rm(join(out, "runs"), { recursive: true, force: true });
  const env = { ...io.env };
  const runDir = (name: string) => join(out, "runs", name);
  const loadAverageStart = loadavg();

  io.stderr.write("oversubscription: warm-up run (--epochs 0)\n");
  const warmUp = [...args.filter((arg) => !arg.startsWith("--epochs=")), "--epochs=0"];
  timed(await startLlminit(["run", ...warmUp, "--out", runDir("warm-up"), "--json"], env).ended, "warm-up");
  const alone: TimedRun[] = [];
  const together: TimedRun[][] = [];
  let backend = "";
  for (let repeat = 1; repeat <= repeats; repeat++) {
    io.stderr.write(`oversubscription: repeat ${repeat}: one run alone\n`);
    const one = timed(
      await startLlminit(["run", ...args, "--out", runDir(`alone-${repeat}`), "--json"], env).ended,
      "the run alone",
    );
    backend = one.summary.backend;
    alone.push(one.run);
    io.stderr.write(
      `oversubscription: repeat ${repeat}: alone ${one.run.wallSeconds.toFixed(2)} s; ${processes} at once\n`,
    );
    const started = Array.from({ length: processes }, (_, k) =>
      startLlminit(["run", ...args, "--out", runDir(`together-${repeat}-${k + 1}`), "--json"], env),
    );
    const exits = await Promise.all(started.map((p) => p.ended));
    together.push(exits.map((exit, k) => timed(exit, `concurrent run ${k + 1}`).run));
    io.stderr.write(
      `oversubscription: repeat ${repeat}: together ${together[repeat - 1].map((r) => r.wallSeconds.toFixed(2)).join(", ")} s\n`,
    );
  }
  const slowest = (runs: TimedRun[], key: "wallSeconds" | "trainSeconds") => Math.max(...runs.map((r) => r[key]));
  const report: OversubscriptionReport = {
    command: `pnpm bench oversubscription ${argv.join(" ")}`.trim(),
    machine: benchMachine(loadAverageStart),
    processes,
    backend,
    alone,
    together,
    wallRatio: median(alone.map((a, k) => slowest(together[k], "wallSeconds") / a.wallSeconds)),
    trainRatio: median(alone.map((a, k) => slowest(together[k], "trainSeconds") / a.trainSeconds)),
    target: OVERSUBSCRIPTION_TARGET,
  };
  const markdown = renderOversubscriptionMarkdown(report);
  await writeFile(join(out, "oversubscription.json"), `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(join(out, "oversubscription.md"), markdown);
  io.stderr.write(`oversubscription: wrote ${join(out, "oversubscription.md")} and .json\n`);
  io.stdout.write(values.json === true ? `${JSON.stringify(report)}\n` : markdown);
  return 0;
}
