import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { NotAvailableError } from "@llminit/core";
import { TRAINING_CHECKPOINT_DIR } from "@llminit/pipeline";

/** The built `llminit` command (`@llminit/cli`'s bin), run with this Node. */
export function llminitBin(): string {
  const packageJson = createRequire(import.meta.url).resolve("@llminit/cli/package.json");
  const bin = join(dirname(packageJson), "dist", "bin.js");
  if (!existsSync(bin))
    throw new NotAvailableError("llminit", `${bin} is not built`, "Run `pnpm build` at the repository root first");
  return bin;
}

/** How an `llminit` process ended. */
export interface LlminitExit {
  status: number | null;
  signal: NodeJS.Signals | null;
  /** Wall-clock seconds from spawn to exit. */
  seconds: number;
  stdout: string;
  stderr: string;
}

export interface LlminitProcess {
  readonly pid: number | undefined;
  readonly ended: Promise<LlminitExit>;
  /** Sends SIGKILL (kill -9): the process gets no chance to clean up. */
  kill(): void;
}

/** Starts `llminit <args>` as a child process. */
export function startLlminit(args: readonly string[], env: Readonly<Record<string, string | undefined>>) {
  const started = performance.now();
  const definedEnv = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined));
  const child = spawn(process.execPath, [llminitBin(), ...args], {
    env: definedEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const ended = new Promise<LlminitExit>((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (status, signal) =>
      resolve({ status, signal, seconds: (performance.now() - started) / 1000, stdout, stderr }),
    );
  });
  const process_: LlminitProcess = { pid: child.pid, ended, kill: () => void child.kill("SIGKILL") };
  return process_;
}

/** The last line of a failed process's stderr, for an error message. */
export function lastLine(text: string): string {
  return (
    text
      .trim()
      .split("\n")
      .filter((line) => line.trim() !== "")
      .at(-1) ?? "(no output)"
  );
}

/** Epochs whose training checkpoint is complete (manifest written) in a run folder. */
export function checkpointEpochs(runDir: string): number[] {
  const dir = join(runDir, TRAINING_CHECKPOINT_DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((name) => /^epoch-(\d+)\.json$/.exec(name)?.[1])
    .filter((epoch): epoch is string => epoch !== undefined)
    .map(Number);
}
