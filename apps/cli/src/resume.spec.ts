import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { deterministicSummary, type RunSummary } from "@llminit/pipeline";
import { writeToyDataset, type ToyDataset } from "@llminit/pipeline/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "./main.js";

// kill -9 for real: a child process trains (the pipeline's built code, as `llminit run` calls it)
// and is killed with SIGKILL; `llminit run --resume` then finishes the run in this process.

const root = mkdtempSync(join(tmpdir(), "llminit-resume-"));
const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");
let toy: ToyDataset;
beforeAll(async () => {
  toy = await writeToyDataset(root, { users: 300, items: 150 });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const options = (extra: Record<string, unknown> = {}) => ({
  dataset: toy.dir,
  encoder: toy.encoder,
  cacheDir: join(root, "cache"),
  dim: 16,
  batchSize: 32,
  epochs: 12,
  patience: 100,
  ...extra,
});

/** The child: runs (or resumes) through @llminit/pipeline, as `llminit run` does. */
const CHILD = `
const { resolveRunConfig, resumeExperiment, runExperiment } = await import("@llminit/pipeline");
const job = JSON.parse(process.env.LLMINIT_TEST_JOB);
if (job.resume) await resumeExperiment(job.resume);
else
  await runExperiment(resolveRunConfig([{ source: "test", values: job.options }]), {
    folder: { overwrite: job.overwrite === true },
  });
`;

interface Child {
  /** Resolves with the signal that ended the child (null: it exited by itself, with status 0). */
  ended: Promise<NodeJS.Signals | null>;
  kill(): void;
}

function startChild(job: { options?: Record<string, unknown>; resume?: string; overwrite?: boolean }): Child {
  const child = spawn(process.execPath, ["--input-type=module", "-e", CHILD], {
    cwd: packageDir,
    env: { ...process.env, LLMINIT_TEST_JOB: JSON.stringify(job) },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const ended = new Promise<NodeJS.Signals | null>((resolve, reject) =>
    child.on("exit", (status, signal) =>
      signal !== null || status === 0 ? resolve(signal) : reject(new Error(`child exited ${status}: ${stderr}`)),
    ),
  );
  return { ended, kill: () => child.kill("SIGKILL") };
}

/** The epochs whose checkpoint manifest is complete in `out` so far. */
function checkpointEpochs(out: string): number[] {
  const dir = join(out, "checkpoint", "training");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((name) => /^epoch-(\d+)\.json$/.exec(name)?.[1])
    .filter((epoch): epoch is string => epoch !== undefined)
    .map(Number);
}

async function cli(...argv: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const status = await main(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: {},
  });
  return { status, stdout, stderr };
}

const flags = (values: Record<string, unknown>) =>
  Object.entries(values).flatMap(([key, value]) => [
    `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
    String(value),
  ]);

/** The uninterrupted run (in this process, through the CLI) for `extra`. */
async function reference(name: string, extra: Record<string, unknown> = {}): Promise<RunSummary> {
  const { status, stdout, stderr } = await cli("run", ...flags(options(extra)), "--out", join(root, name), "--json");
  expect(status, stderr).toBe(0);
  return JSON.parse(stdout) as RunSummary;
}

async function resume(out: string): Promise<RunSummary> {
  return (await resumeWithLog(out)).summary;
}

async function resumeWithLog(out: string): Promise<{ summary: RunSummary; stderr: string }> {
  const { status, stdout, stderr } = await cli("run", "--resume", out, "--json");
  expect(status, stderr).toBe(0);
  return { summary: JSON.parse(stdout) as RunSummary, stderr };
}

/** log.jsonl without its wall-clock seconds. */
const epochLog = (out: string) =>
  readFileSync(join(out, "log.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((line) => ({ ...JSON.parse(line), seconds: 0 }));

describe("llminit run --resume after kill -9", { timeout: 240_000 }, () => {
  it.each([
    ["kernels", "standard", "lightgcn", {}],
    ["kernels", "official", "lightgcn", { protocol: "official", patience: 2 }],
    ["tfjs", "standard", "lightgcn", { engine: "tfjs", backend: "wasm", epochs: 6 }],
    [
      "tfjs",
      "official",
      "lightgcn",
      { engine: "tfjs", backend: "wasm", epochs: 12, protocol: "official", patience: 2, learningRate: 0.01 },
    ],
    // SimGCL and XSimGCL draw noise seeds at every step from the epoch's stream.
    ["kernels", "standard", "simgcl", { epochs: 8 }],
    ["kernels", "standard", "xsimgcl", { epochs: 8, layers: 3, contrastLayer: 2 }],
    ["tfjs", "standard", "simgcl", { engine: "tfjs", backend: "wasm", epochs: 6 }],
    ["tfjs", "standard", "xsimgcl", { engine: "tfjs", backend: "wasm", epochs: 6 }],
  ] as const)(
    "%s, %s protocol, %s: killed after its third checkpoint, resumes to bitwise the same metrics",
    async (engine, protocol, model, settings) => {
      const extra = { model, ...settings };
      const name = `${engine}-${protocol}-${model}`;
      const expected = await reference(`whole-${name}`, extra);
      expect(expected.protocol).toBe(protocol);
      // Official: RecBole's rule stops the run early, after the kill, so its state crosses the resume.
      if (protocol === "official") expect([expected.stoppedEarly, expected.epochs > 4]).toEqual([true, true]);
      const out = join(root, `killed-${name}`);
      const child = startChild({ options: { ...options(extra), out } });
      let refused: Promise<Awaited<ReturnType<typeof cli>>> | undefined;
      const poll = setInterval(() => {
        const epochs = checkpointEpochs(out);
        // While the original run lives, it holds the folder's lock: --resume is refused.
        if (refused === undefined && epochs.length > 0) refused = cli("run", "--resume", out, "--json");
        if (epochs.some((epoch) => epoch >= 3)) child.kill();
      }, 2);
      const signal = await child.ended.finally(() => clearInterval(poll));
      expect(signal).toBe("SIGKILL");
      expect(existsSync(join(out, "metrics.json"))).toBe(false);
      const early = await refused;
      expect(early?.status, early?.stderr).toBe(2);
      expect(early?.stderr).toMatch(/option "--resume": .* is in use by llminit run \(pid \d+/);

      // The killed run's lock is left behind: the resumed run takes it over.
      expect(existsSync(join(out, ".llminit.lock"))).toBe(true);
      const { summary: resumed, stderr } = await resumeWithLog(out);
      expect(stderr).toMatch(/took over a stale lock: llminit run \(pid \d+/);
      expect(existsSync(join(out, ".llminit.lock"))).toBe(false);
      expect(JSON.stringify(deterministicSummary(resumed))).toBe(JSON.stringify(deterministicSummary(expected)));
      expect(epochLog(out)).toEqual(epochLog(join(root, `whole-${name}`)));
      const perUser = (dir: string) => readFileSync(join(dir, "user-metrics", "test.npy"));
      expect(perUser(out).equals(perUser(join(root, `whole-${name}`)))).toBe(true);
      // The checkpoints served; resuming the finished run says so and changes nothing.
      expect(existsSync(join(out, "checkpoint", "training"))).toBe(false);
      const again = await cli("run", "--resume", out, "--json");
      expect(again.status).toBe(0);
      expect(again.stderr).toMatch(/already finished: nothing to resume/);
      expect(JSON.parse(again.stdout)).toEqual(JSON.parse(readFileSync(join(out, "metrics.json"), "utf8")));
    },
  );

  it("killed at random moments and during a checkpoint write, resumes to bitwise the same metrics", async () => {
    const expected = await reference("whole-random");
    const out = join(root, "killed-random");
    // How long a whole run takes in a child, so that the random kills fall anywhere in it.
    const timing = performance.now();
    await startChild({ options: { ...options(), out: join(root, "timing") } }).ended;
    const duration = performance.now() - timing;
    const training = join(out, "checkpoint", "training");
    const temporaries = () => (existsSync(training) ? readdirSync(training) : []).filter((n) => n.includes(".tmp-"));
    const moments: string[] = [];
    for (const when of ["mid-checkpoint", "random", "random"]) {
      const child = moments.length === 0 ? startChild({ options: { ...options(), out } }) : startChild({ resume: out });
      const delay = 0.9 * Math.random() * duration;
      // Mid-checkpoint: as soon as a new temporary file shows (one a killed write left is not new).
      const stale = new Set(temporaries());
      const writing = () => temporaries().some((name) => !stale.has(name));
      const trigger =
        when === "random" ? setTimeout(() => child.kill(), delay) : setInterval(() => writing() && child.kill(), 1);
      const signal = await child.ended.finally(() => clearTimeout(trigger));
      const left = temporaries().length;
      moments.push(
        `${when === "random" ? `${delay.toFixed(0)} ms` : when}: ${signal ?? "finished"}, ` +
          `checkpoints ${checkpointEpochs(out).join(",") || "none"}, ${left} temporary files`,
      );
      if (existsSync(join(out, "metrics.json"))) break;
    }
    console.log(`kills: ${moments.join("; ")}`);
    const resumed = await resume(out);
    expect(JSON.stringify(deterministicSummary(resumed)), moments.join("; ")).toBe(
      JSON.stringify(deterministicSummary(expected)),
    );
    expect(epochLog(out), moments.join("; ")).toEqual(epochLog(join(root, "whole-random")));
  });

  it("killed during --overwrite, keeps the previous run whole; resuming the new one then replaces it", async () => {
    const expected = await reference("whole-overwrite", { seed: 11 });
    const out = join(root, "overwritten");
    await reference("overwritten");
    const previous = readFileSync(join(out, "metrics.json"), "utf8");
    const staging = `${out}.llminit-new`;
    const child = startChild({ options: { ...options({ seed: 11 }), out }, overwrite: true });
    const poll = setInterval(() => checkpointEpochs(staging).some((epoch) => epoch >= 2) && child.kill(), 2);
    expect(await child.ended.finally(() => clearInterval(poll))).toBe("SIGKILL");
    // The previous run is untouched: the new one was written beside it.
    expect(readFileSync(join(out, "metrics.json"), "utf8")).toBe(previous);
    expect(existsSync(join(staging, "metrics.json"))).toBe(false);
    const resumed = await resume(staging);
    expect(resumed.runDir).toBe(out);
    expect(existsSync(staging)).toBe(false);
    expect(JSON.stringify(deterministicSummary(resumed))).toBe(JSON.stringify(deterministicSummary(expected)));
    expect(epochLog(out)).toEqual(epochLog(join(root, "whole-overwrite")));
  });

  it("refuses options that would change the run, and folders that are not runs", async () => {
    const out = join(root, "whole-kernels-standard-lightgcn");
    const dim = await cli("run", "--resume", out, "--dim", "8");
    expect(dim.status).toBe(2);
    expect(dim.stderr).toMatch(/option "--dim": cannot be given with --resume: .*DIR\/config\.json .*--threads/);
    const config = await cli("run", "--resume", out, "--config", join(root, "x.yaml"));
    expect(config.stderr).toMatch(/option "--config": cannot be given with --resume/);
    const overwrite = await cli("run", "--resume", out, "--overwrite");
    expect(overwrite.stderr).toMatch(/option "--overwrite": cannot be given with --resume/);
    const threads = await cli("run", "--resume", out, "--threads", "two");
    expect(threads.status).toBe(2);
    expect(threads.stderr).toMatch(/option "--threads": expected a number, got "two" \(from the command line\)/);
    const notRun = await cli("run", "--resume", root);
    expect(notRun.status).toBe(2);
    expect(notRun.stderr).toMatch(/has no config\.json: not a run folder/);
    const missing = await cli("run", "--resume", join(root, "nowhere"));
    expect(missing.stderr).toMatch(/nowhere is not a folder/);
  });
});
