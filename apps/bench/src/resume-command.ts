import { existsSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { ConfigError, LlminitError, parseCliArgs } from "@llminit/core";
import { deterministicSummary, type RunSummary } from "@llminit/pipeline";
import { llminitRunArgs, RUN_PASS_THROUGH } from "./llminit-run-args.js";
import type { BenchIo } from "./main.js";
import { lockBenchOut } from "./lock-bench-out.js";
import { checkpointEpochs, lastLine, llminitBin, startLlminit, type LlminitExit } from "./spawn-llminit.js";

export const RESUME_USAGE = `usage: pnpm bench resume [--dataset amazon-office-products] [--data-dir DIR] [--kill-after 3|random]
                         [--out runs/bench/resume] [--json] [any option of llminit run]

A kill -9 / --resume pair beside an uninterrupted run.
  1. llminit run … --out OUT/whole                 (uninterrupted)
  2. llminit run … --out OUT/killed, killed with SIGKILL once its checkpoint of epoch --kill-after
     is on disk (random: at a random moment of the run's expected training time)
  3. llminit run --resume OUT/killed
  prints both runs' valid and test metrics side by side, writes OUT/resume.md and OUT/resume.json,
  and exits 1 unless the resumed run's metrics are bitwise those of the uninterrupted one.
  OUT is locked while it runs: a second command on it is refused.
`;

export interface ResumePair {
  command: string;
  kill: { after: string; epochsCheckpointed: number[]; secondsIntoRun: number };
  whole: RunSummary;
  resumed: RunSummary;
  /** True when the deterministic summaries (everything but times and paths) are equal as JSON. */
  identical: boolean;
  differences: string[];
}

function summaryOf(exit: LlminitExit, what: string): RunSummary {
  if (exit.status !== 0)
    throw new LlminitError("E_RUN", `${what} failed (status ${exit.status}): ${lastLine(exit.stderr)}`);
  return JSON.parse(exit.stdout) as RunSummary;
}

/** A run folder's log.jsonl without its wall-clock seconds, as one JSON text. */
async function epochLog(runDir: string): Promise<string> {
  const lines = (await readFile(join(runDir, "log.jsonl"), "utf8")).trim().split("\n");
  return JSON.stringify(lines.map((line) => ({ ...(JSON.parse(line) as object), seconds: 0 })));
}

/** Top-level keys whose JSON differs between two deterministic summaries. */
function differingKeys(a: RunSummary, b: RunSummary): string[] {
  const x = deterministicSummary(a) as unknown as Record<string, unknown>;
  const y = deterministicSummary(b) as unknown as Record<string, unknown>;
  return [...new Set([...Object.keys(x), ...Object.keys(y)])].filter(
    (key) => JSON.stringify(x[key]) !== JSON.stringify(y[key]),
  );
}

export function renderResumeMarkdown(pair: ResumePair): string {
  const { whole, resumed } = pair;
  const rows = (split: "valid" | "test") =>
    Object.keys(whole[split]).map((metric) => {
      const a = whole[split][metric];
      const b = resumed[split][metric];
      return `| ${split} ${metric} | ${a} | ${b} | ${Object.is(a, b) ? "yes" : "**no**"} |`;
    });
  return [
    `## kill -9 / --resume on ${whole.dataset.name}`,
    "",
    `\`${pair.command}\``,
    "",
    `${whole.model} init=${whole.init}, engine ${whole.engine} (${whole.backend}); killed with SIGKILL ` +
      `${pair.kill.secondsIntoRun.toFixed(1)} s into the run (--kill-after ${pair.kill.after}; checkpoints on disk: ` +
      `epochs ${pair.kill.epochsCheckpointed.join(", ") || "none"}), then \`llminit run --resume\`.`,
    "",
    `| | uninterrupted | killed + resumed | same bits |`,
    `|---|---|---|---|`,
    `| epochs (best) | ${whole.epochs} (${whole.bestEpoch}) | ${resumed.epochs} (${resumed.bestEpoch}) | ${
      whole.epochs === resumed.epochs && whole.bestEpoch === resumed.bestEpoch ? "yes" : "**no**"
    } |`,
    ...rows("valid"),
    ...rows("test"),
    "",
    pair.identical
      ? "Every metric, the per-degree buckets, coverage and every epoch's loss and validation score (log.jsonl) are " +
        "bitwise identical."
      : `**Not identical**: ${pair.differences.join(", ")} differ.`,
    "",
  ].join("\n");
}

/** `pnpm bench resume`: see RESUME_USAGE. */
export async function resumeCommand(argv: readonly string[], io: BenchIo): Promise<number> {
  const { values, positionals } = parseCliArgs(argv, [
    { key: "dataset" },
    { key: "dataDir" },
    { key: "out" },
    { key: "killAfter" },
    { key: "json", boolean: true },
    { key: "help", boolean: true },
    ...RUN_PASS_THROUGH,
  ]);
  if (values.help) {
    io.stdout.write(RESUME_USAGE);
    return 0;
  }
  if (positionals.length > 0) throw new ConfigError(positionals[0], `unexpected argument "${positionals[0]}"`);
  const killAfter = typeof values.killAfter === "string" ? values.killAfter : "3";
  if (killAfter !== "random" && !(Number.isInteger(Number(killAfter)) && Number(killAfter) >= 1))
    throw new ConfigError("kill-after", `expected an epoch ≥ 1 or "random", got ${JSON.stringify(killAfter)}`);
  const { args, config } = llminitRunArgs(values, io);
  if (killAfter !== "random" && Number(killAfter) >= config.epochs)
    throw new ConfigError(
      "kill-after",
      `must be below --epochs (${config.epochs}) so that the kill comes before the end`,
    );
  const out = resolve(io.cwd ?? process.cwd(), typeof values.out === "string" ? values.out : "runs/bench/resume");
  llminitBin(); // built? (before anything is created)
  const lock = lockBenchOut(out, "resume");
  try {
    return await measurePair(argv, values, { args, killAfter, out }, io);
  } finally {
    lock.release();
  }
}

async function measurePair(
  argv: readonly string[],
  values: Record<string, string | boolean>,
  { args, killAfter, out }: { args: string[]; killAfter: string; out: string },
  io: BenchIo,
): Promise<number> {
  const whole = join(out, "whole");
  const killed = join(out, "killed");
  await rm(whole, { recursive: true, force: true });
  await rm(killed, { recursive: true, force: true });
  const env = { ...io.env };

  io.stderr.write(`resume: uninterrupted run → ${whole}\n`);
  const first = await startLlminit(["run", ...args, "--out", whole, "--json"], env).ended;
  const wholeSummary = summaryOf(first, "the uninterrupted run");

  io.stderr.write(`resume: run to kill -9 (--kill-after ${killAfter}) → ${killed}\n`);
  const victim = startLlminit(["run", ...args, "--out", killed, "--json"], env);
  const started = performance.now();
  let killedAt = 0;
  const kill = () => {
    killedAt = (performance.now() - started) / 1000;
    victim.kill();
  };
  // random: anywhere in the training part of the uninterrupted run, after its data and encoding.
  const trainStart = wholeSummary.seconds.total - wholeSummary.seconds.train - wholeSummary.seconds.evaluate;
  const timer =
    killAfter === "random"
      ? setTimeout(kill, 1000 * (trainStart + Math.random() * wholeSummary.seconds.train))
      : setInterval(() => checkpointEpochs(killed).some((epoch) => epoch >= Number(killAfter)) && kill(), 5);
  const victimExit = await victim.ended.finally(() => clearTimeout(timer));
  if (victimExit.signal !== "SIGKILL")
    throw new LlminitError("E_RUN", `the run to kill ended by itself (status ${victimExit.status}) before the kill`);
  const epochsCheckpointed = checkpointEpochs(killed).sort((a, b) => a - b);
  io.stderr.write(
    `resume: killed ${killedAt.toFixed(1)} s in; checkpoints: ${epochsCheckpointed.join(",") || "none"}\n`,
  );
  // The run folder is created once the data is checked and encoded: a kill before that leaves nothing to resume.
  if (!existsSync(join(killed, "config.json")))
    throw new LlminitError(
      "E_RUN",
      `the run was killed ${killedAt.toFixed(1)} s in, before it created its run folder: nothing to resume; ` +
        `run again (or give --kill-after an epoch)`,
    );

  io.stderr.write(`resume: llminit run --resume ${killed}\n`);
  const resumedSummary = summaryOf(
    await startLlminit(["run", "--resume", killed, "--json"], env).ended,
    "the resumed run",
  );
  const differences = differingKeys(wholeSummary, resumedSummary);
  const [wholeLog, resumedLog] = await Promise.all([epochLog(whole), epochLog(killed)]);
  if (wholeLog !== resumedLog) differences.push("log.jsonl (epoch, loss, valid, best)");
  const pair: ResumePair = {
    command: `pnpm bench resume ${argv.join(" ")}`.trim(),
    kill: { after: killAfter, epochsCheckpointed, secondsIntoRun: killedAt },
    whole: wholeSummary,
    resumed: resumedSummary,
    identical: differences.length === 0,
    differences,
  };
  const markdown = renderResumeMarkdown(pair);
  await writeFile(join(out, "resume.json"), `${JSON.stringify(pair, null, 2)}\n`);
  await writeFile(join(out, "resume.md"), markdown);
  io.stderr.write(`resume: wrote ${join(out, "resume.md")} and ${join(out, "resume.json")}\n`);
  io.stdout.write(values.json === true ? `${JSON.stringify(pair)}\n` : markdown);
  return pair.identical ? 0 : 1;
}
