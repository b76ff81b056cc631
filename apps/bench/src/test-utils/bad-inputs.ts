import { hostname } from "node:os";
import type { BadInputCase } from "@llminit/pipeline/testing";

/**
 * The bad-input corpus of `pnpm bench`: every grid axis and option is checked before the first
 * cell runs, so each case must fail at once, leave no folder behind and change no earlier output.
 * Tokens as in the CLI corpus: {dir} the case's own empty folder, {toy}, {vectors}, {cache}.
 */

const PAPER = "paper --datasets {toy} --encoder file:{vectors} --cache-dir {cache} --dim 8 --epochs 1 --out {dir}/out";

function bad(name: string, command: string, error: RegExp, more: Partial<BadInputCase> = {}): BadInputCase {
  return { name, argv: command.split(" ").filter((word) => word !== ""), error, ...more };
}

const RESUME = "resume --dataset {toy} --encoder file:{vectors} --cache-dir {cache} --dim 8 --epochs 4 --out {dir}/out";
const OVERSUBSCRIPTION = RESUME.replace("resume", "oversubscription");
/** A lock of this (live) process on a bench folder. */
const benchLock = (command: string) =>
  JSON.stringify({ pid: process.pid, host: hostname(), command, started: "now", token: "t" });

const report = { "out/report.md": "# an earlier report\n", "out/report.html": "<p>earlier</p>\n" };

export const BENCH_BAD_INPUTS: readonly BadInputCase[] = [
  bad("unknown model", `${PAPER} --models lightgcn,gpt`, /option "models": --models: "gpt" is not one of lightgcn/),
  bad("unknown init", `${PAPER} --inits none,pca`, /option "inits": --inits: "pca" is not one of none, rand, uni, var/),
  bad("full outside collapse", `${PAPER} --inits full`, /init full .*belongs to the collapse benchmark/),
  bad("unknown setting", `${PAPER} --settings half`, /option "settings": "half" is not one of full, sparse/),
  bad("seeds: a count of none", `${PAPER} --seeds 0`, /--seeds 0: one number 1…100 is a count .*--seeds 0,/),
  bad("seeds: beyond a safe integer", `${PAPER} --seeds 1e20`, /option "seeds": expected integers of at most 2\^53/),
  bad("seeds: not a number", `${PAPER} --seeds 2020,x`, /option "seeds": expected integers .*got "x"/),
  bad("seeds: one twice", `${PAPER} --seeds 2020,2020`, /--seeds lists a value twice/),
  bad("seeds: empty", `${PAPER} --seeds ,`, /--seeds needs at least one value/),
  bad(
    "ks above the items",
    `${PAPER} --ks 10,100000`,
    /option "ks": --ks 100000: a cut-off K must be ≤ the 40 items after filtering .*\(cell paper-toy-full-lightgcn-none-s2020\)$/,
  ),
  bad(
    "a config file",
    `${PAPER} --config {dir}/c.yaml`,
    /option "--config": bench grids take no config file: a grid's options are flags \(pnpm bench paper --help lists them\)/,
    { files: { "c.yaml": "epochs: 1\n" } },
  ),
  bad("sparse keep 0", `${PAPER} --sparse-keep 0`, /option "sparseKeep": expected integers ≥ 1, got "0"/),
  bad(
    "dims: 0",
    PAPER.replace("paper", "collapse").replace("--dim 8 ", "") + " --dims 0,8",
    /option "dims": expected integers ≥ 1, got "0"/,
  ),
  bad(
    "dims: not a number",
    PAPER.replace("paper", "collapse").replace("--dim 8 ", "") + " --dims 8,big",
    /option "dims"/,
  ),
  bad(
    "cold items: zero",
    `${PAPER.replace("paper", "cold-items")} --cold-items 0`,
    /option "--cold-items": must be > 0, got 0/,
  ),
  bad(
    "cold items: above 0.9",
    `${PAPER.replace("paper", "cold-items")} --cold-items 0.95`,
    /option "--cold-items": must be ≤ 0\.9, got 0\.95/,
  ),
  bad(
    "cold items: not a number",
    `${PAPER.replace("paper", "cold-items")} --cold-items fifth`,
    /option "--cold-items": expected a number, got "fifth"/,
  ),
  bad("cold items: outside cold-items", `${PAPER} --cold-items 0.2`, /unknown option --cold-items/),
  bad(
    "cold items: bad encoder with init none",
    `${PAPER.replace("paper", "cold-items").replace("file:{vectors}", "bert")} --inits none`,
    /option "encoder": unknown encoder "bert"/,
  ),
  bad(
    "datasets: a missing folder",
    `${PAPER.replace("{toy}", "{toy},{dir}/none")}`,
    /option "datasets": "[^"]*none" is neither a known dataset/,
  ),
  bad(
    "datasets: a folder without data",
    `${PAPER.replace("{toy}", "{dir}/empty")}`,
    /option "datasets": .*empty: no dataset files recognised/,
    {
      files: { "empty/notes.txt": "x" },
    },
  ),
  bad(
    "encoders: none given",
    "encoders --datasets {toy} --out {dir}/out",
    /option "encoders": --encoders needs at least one value/,
  ),
  bad(
    "encoders: unknown",
    "encoders --datasets {toy} --encoders use-lite,bert --out {dir}/out",
    /option "encoders": unknown encoder "bert"/,
  ),
  bad(
    "encoders: missing file",
    "encoders --datasets {toy} --encoders file:{dir}/none.npy --out {dir}/out",
    /option "encoders": "file:.*none\.npy": no such file/,
  ),
  bad(
    "encoder of every cell: missing file",
    `${PAPER.replace("{vectors}", "{dir}/none.npy")}`,
    /option "encoder": "file:.*none\.npy": no such file/,
  ),
  bad("a run option out of range", `${PAPER} --layers 11`, /option "--layers": must be ≤ 10, got 11/),
  bad("threads beyond 4 × cores", `${PAPER} --threads 1000`, /option "threads": 1000 threads is more than/),
  bad("an option the grid sets itself", `${PAPER} --model mf`, /unknown option --model \(did you mean --models\?\)/),
  bad("stray word", `${PAPER} now`, /unexpected argument "now"/),
  bad(
    "out under a file",
    `${PAPER.replace("{dir}/out", "{dir}/f/out")}`,
    /option "--out": cannot create .*f is a file/,
    {
      files: { f: "x" },
    },
  ),
  bad("out in use by another grid", PAPER, /out is in use by llminit-bench paper \(pid \d+/, {
    files: {
      "out/.llminit.lock": () =>
        JSON.stringify({
          pid: process.pid,
          host: hostname(),
          command: "llminit-bench paper",
          started: "now",
          token: "t",
        }),
    },
  }),
  bad("report: no --out", "report", /option "--out": is required/),
  bad("report: no results file", "report --out {dir}/out", /results\.jsonl does not exist: nothing to report/, {
    files: report,
  }),
  bad("report: empty results", "report --out {dir}/out", /results\.jsonl holds no results: nothing to report/, {
    files: { ...report, "out/results.jsonl": "" },
  }),
  bad("report: out is a file", "report --out {dir}/f", /option "--out": .*f is a file, not a benchmark folder/, {
    files: { f: "x" },
  }),
  bad("report: a broken results line", "report --out {dir}/out", /results\.jsonl:1: not JSON/, {
    files: { ...report, "out/results.jsonl": "{oops\n{}\n" },
    status: 1,
  }),
  bad("unknown command", "train", /unknown command "train"/),

  // checkpoint, resume, oversubscription: checked before any run starts or any folder exists.
  bad("checkpoint: stray word", "checkpoint --dataset {toy} now", /unexpected argument "now"/),
  bad("checkpoint: epochs 0", "checkpoint --dataset {toy} --epochs 0", /option "epochs": expected an integer ≥ 1/),
  bad("checkpoint: negative threads", "checkpoint --dataset {toy} --threads -2", /option "threads": expected an/),
  bad("checkpoint: unknown flag", "checkpoint --dataset {toy} --epoch 3", /unknown option --epoch \(did you mean/),
  bad("checkpoint: out under a file", "checkpoint --dataset {toy} --out {dir}/f/out", /option "--out": cannot create/, {
    files: { f: "x" },
  }),
  bad("resume: stray word", `${RESUME} now`, /unexpected argument "now"/),
  bad("resume: kill after 0", `${RESUME} --kill-after 0`, /option "kill-after": expected an epoch ≥ 1 or "random"/),
  bad("resume: kill after the end", `${RESUME} --kill-after 4`, /option "kill-after": must be below --epochs \(4\)/),
  bad("resume: a run option out of range", `${RESUME} --layers 11`, /option "layers": must be ≤ 10, got 11/),
  bad("resume: an option it sets itself", `${RESUME} --resume {dir}`, /unknown option --resume/),
  bad("resume: out under a file", `${RESUME.replace("{dir}/out", "{dir}/f/out")}`, /option "--out": cannot create/, {
    files: { f: "x" },
  }),
  bad("resume: out in use", RESUME, /out is in use by llminit-bench resume \(pid \d+/, {
    files: { "out/.llminit.lock": () => benchLock("llminit-bench resume") },
  }),
  bad("oversubscription: stray word", `${OVERSUBSCRIPTION} twice`, /unexpected argument "twice"/),
  bad(
    "oversubscription: no processes",
    `${OVERSUBSCRIPTION} --processes 0`,
    /option "processes": expected an integer in/,
  ),
  bad("oversubscription: repeats 1.5", `${OVERSUBSCRIPTION} --repeats 1.5`, /option "repeats": expected an integer in/),
  bad(
    "oversubscription: a run option out of range",
    OVERSUBSCRIPTION.replace("--dim 8", "--dim 0"),
    /option "dim": must be ≥ 1/,
  ),
  bad("oversubscription: out in use", OVERSUBSCRIPTION, /out is in use by llminit-bench oversubscription/, {
    files: { "out/.llminit.lock": () => benchLock("llminit-bench oversubscription") },
  }),
];
