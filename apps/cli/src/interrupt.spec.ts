import { EventEmitter } from "node:events";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stagingDir } from "@llminit/pipeline";
import { writeToyDataset, type ToyDataset } from "@llminit/pipeline/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "./main.js";

// Ctrl-C (SIGINT) and SIGTERM during `llminit run`: the signals come from an emitter the test
// owns, and "exiting" is recorded, so the handler runs in this process as it would in the CLI's.

const root = mkdtempSync(join(tmpdir(), "llminit-interrupt-"));
let toy: ToyDataset;
beforeAll(async () => {
  toy = await writeToyDataset(root, { users: 300, items: 150 });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const run = (out: string, ...extra: string[]) => [
  "run",
  ...["--dataset", toy.dir, "--encoder", toy.encoder, "--cache-dir", join(root, "cache"), "--dim", "16"],
  ...["--batch-size", "32", "--patience", "100", "--out", out, ...extra],
];

async function cli(argv: string[], signals = new EventEmitter()) {
  let stdout = "";
  let stderr = "";
  const exits: number[] = [];
  const status = await main(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: {},
    signals,
    exit: (code) => exits.push(code),
  });
  return { status, stdout, stderr, exits };
}

/** Runs `argv` and sends `signal` once `dir` holds a training checkpoint. */
async function interrupt(argv: string[], dir: string, signal: NodeJS.Signals) {
  const signals = new EventEmitter();
  const training = join(dir, "checkpoint", "training");
  const poll = setInterval(() => {
    if (existsSync(training) && readdirSync(training).some((name) => /^epoch-\d+\.json$/.test(name)))
      signals.emit(signal, signal);
  }, 5);
  try {
    return await cli(argv, signals);
  } finally {
    clearInterval(poll);
  }
}

describe("an interrupted llminit run", { timeout: 120_000 }, () => {
  it("releases its lock on Ctrl-C, says how to resume, and resumes", async () => {
    const out = join(root, "ctrl-c");
    const stopped = await interrupt(run(out, "--epochs", "200"), out, "SIGINT");
    expect(stopped.exits).toEqual([130]);
    expect(stopped.status).toBe(130);
    expect(stopped.stderr).toContain(
      `llminit: interrupted (SIGINT): continue it from its last epoch checkpoint with: llminit run --resume ${out}\n`,
    );
    expect(stopped.stderr).not.toMatch(/error/);
    expect(existsSync(join(out, ".llminit.lock"))).toBe(false);
    expect(existsSync(join(out, "metrics.json"))).toBe(false);
    const resumed = await cli(["run", "--resume", out]);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stderr).not.toMatch(/stale lock/);
    expect(existsSync(join(out, "metrics.json"))).toBe(true);
  });

  it("on SIGTERM during --overwrite, keeps the previous run and resumes the new one into its place", async () => {
    const out = join(root, "overwritten");
    const first = await cli(run(out, "--epochs", "1"));
    expect(first.status, first.stderr).toBe(0);
    const previous = readFileSync(join(out, "metrics.json"), "utf8");
    const staging = stagingDir(out);
    const stopped = await interrupt(run(out, "--epochs", "200", "--seed", "7", "--overwrite"), staging, "SIGTERM");
    expect(stopped.status).toBe(143);
    expect(stopped.stderr).toContain(
      `interrupted (SIGTERM): ${out} still holds the previous run; the new one stopped in ${staging}: ` +
        `continue it from its last epoch checkpoint with: llminit run --resume ${staging} (it then replaces`,
    );
    expect(readFileSync(join(out, "metrics.json"), "utf8")).toBe(previous);
    expect(existsSync(join(out, ".llminit.lock"))).toBe(false);
    expect(existsSync(join(staging, ".llminit.lock"))).toBe(false);
    const wrong = await cli(["run", "--resume", out]);
    expect(wrong.stderr).toMatch(/already finished: .*interrupted --overwrite of it is in .*\.llminit-new \(--resume/);
    const resumed = await cli(["run", "--resume", staging, "--json"]);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout).runDir).toBe(out);
    expect(existsSync(staging)).toBe(false);
    expect(existsSync(join(out, ".llminit.lock"))).toBe(false);
    expect(JSON.parse(readFileSync(join(out, "config.json"), "utf8")).seed).toBe(7);
    expect(readdirSync(root).filter((name) => name.startsWith("overwritten."))).toEqual([]);
  });
});
