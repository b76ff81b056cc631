import { existsSync, readFileSync } from "node:fs";
import { hostname } from "node:os";
import { gzipSync } from "node:zlib";
import { encodeNpy } from "@llminit/core";
import type { BadInputCase, CaseFile } from "@llminit/pipeline/testing";

/**
 * The bad-input corpus of the `llminit` command: one entry per mistake a user makes, each run
 * in-process by bad-inputs.spec.ts, which checks the exit status, the one error line (the file,
 * line and field, or the option, and what was expected), no stack trace, and that nothing under
 * the test folder changed. Adding a case is adding a line.
 *
 * Tokens: {dir} the case's own empty folder; {toy} the toy dataset (60 users, 40 items);
 * {vectors} its 16-d item vectors (.npy + .ids.txt); {cache} a warm embedding cache; {run} a
 * finished run folder of the toy; {root} the test folder.
 */

const RUN = "run --dataset {toy} --encoder file:{vectors} --cache-dir {cache} --dim 8 --epochs 0 --out {dir}/run";
/** A dataset folder `{dir}/data` (data.inter, data.item) to damage; `--out` under the case folder. */
const DATA = "run --dataset {dir}/data --init none --dim 8 --epochs 0 --out {dir}/run";
/** The toy dataset encoded from its text (an encoder that reads the item texts, unlike `file:`). */
const TEXT = "run --dataset {toy} --encoder use-lite --cache-dir {cache} --dim 8 --epochs 0 --out {dir}/run";
/** The toy dataset with the item vectors at `{dir}/v.npy` (+ ids) to damage. */
const VECTORS = "run --dataset {toy} --encoder file:{dir}/v.npy --cache-dir {cache} --dim 8 --epochs 0 --out {dir}/run";

/** `base` with the flags of `extra` in place of its own (a flag given twice is an error of its own). */
function withFlags(base: string, extra: string): string {
  const given = new Set(extra.match(/--[\w-]+/g)?.map((flag) => flag.split("=")[0]));
  const words = base.split(" ");
  const kept = words.filter((word, i) => !given.has(word) && !given.has(words[i - 1] ?? ""));
  return `${kept.join(" ")} ${extra}`;
}

function bad(name: string, command: string, error: RegExp, more: Partial<BadInputCase> = {}): BadInputCase {
  return { name, argv: command.split(" ").filter((word) => word !== ""), error, ...more };
}

const toyInter = (paths: Readonly<Record<string, string>>) => readFileSync(`${paths.toy}/toy.inter`, "utf8");
const toyItem: CaseFile = (paths) => readFileSync(`${paths.toy}/toy.item`);
/** The toy's interactions with `edit` applied to its lines (line 1 is the header). */
const inter =
  (edit: (lines: string[]) => string[]): CaseFile =>
  (paths) =>
    edit(toyInter(paths).trimEnd().split("\n")).join("\n") + "\n";
const replaceLine = (n: number, text: string) => inter((lines) => lines.map((line, i) => (i === n - 1 ? text : line)));
const dataset = (interFile: CaseFile, itemFile: CaseFile = toyItem) => ({
  "data/data.inter": interFile,
  "data/data.item": itemFile,
});

const ids = (n: number, name = (i: number) => `i${i}`) => Array.from({ length: n }, (_, i) => `${name(i)}\n`).join("");
const npy = (values: Float32Array | Float64Array | Int32Array, shape: number[]) => encodeNpy(values, shape);
const vectors = (rows: number, cols: number, fill = (r: number, c: number) => Math.sin(r * 7 + c)) =>
  npy(
    Float32Array.from({ length: rows * cols }, (_, k) => fill(Math.floor(k / cols), k % cols)),
    [rows, cols],
  );

const lock = (host: string, pid: number) =>
  JSON.stringify({ pid, host, command: "llminit run", started: "2025-01-01T00:00:00.000Z", token: "t" });
const hasProc = () => existsSync("/proc/self");
/** A run folder's config.json for the toy dataset (a run that was killed: no metrics.json). */
const RESUMABLE_CONFIG = JSON.stringify({
  dataset: "{toy}",
  encoder: "file:{vectors}",
  cacheDir: "{cache}",
  dim: 8,
  epochs: 3,
});

export const CLI_BAD_INPUTS: readonly BadInputCase[] = [
  // Flags: names, values, ranges.
  bad("unknown flag", `${RUN} --learning-rat 0.1`, /unknown option --learning-rat \(did you mean --learning-rate\?\)/),
  bad("unknown flag, no near name", `${RUN} --zzz 1`, /option "--zzz": unknown option --zzz$/),
  bad("short unknown flag", `${RUN} -x`, /unknown option -x \(options start with --/),
  bad("missing value at the end", `${RUN} --epochs`, /option "--epochs": --epochs needs a value/),
  bad("a flag where a value belongs", `${RUN} --dim --json`, /--dim needs a value/),
  bad("not a number", `${RUN} --learning-rate fast`, /option "--learning-rate": expected a number, got "fast"/),
  bad(
    "a number beyond float64",
    `${RUN} --learning-rate 1e400`,
    /option "--learning-rate": expected a finite number, got "1e400"/,
  ),
  bad("not an integer", `${RUN} --layers 1.5`, /option "--layers": expected an integer, got 1\.5/),
  bad("negative epochs", withFlags(RUN, "--epochs -1"), /option "--epochs": must be ≥ 0, got -1/),
  bad("unknown init", `${RUN} --init pca`, /option "--init": "pca" is not one of none, rand, uni, var/),
  bad("unknown model", `${RUN} --model gpt`, /option "--model": "gpt" is not one of lightgcn, mf, sgl, sgcl/),
  bad("unknown split", `${RUN} --split random`, /option "--split": "random" is not one of random-loo, temporal-loo/),
  bad("unknown engine", `${RUN} --engine gpu`, /option "--engine": "gpu" is not one of auto, kernels, tfjs/),
  bad("unknown backend", `${RUN} --backend cuda`, /option "--backend": "cuda" is not one of auto/),
  bad("unknown augmentation", `${RUN} --augmentation xx`, /option "--augmentation": "xx" is not one of ed, nd, rw/),
  bad("unknown ssl negatives", `${RUN} --ssl-negatives some`, /option "--ssl-negatives": "some" is not one of all/),
  bad("threads beyond 4 × cores", `${RUN} --threads 1000`, /option "threads": 1000 threads is more than 4 × the/),
  bad("too many layers", `${RUN} --layers 1000`, /option "--layers": must be ≤ 10, got 1000/),
  bad("seed beyond a safe integer", `${RUN} --seed 1e20`, /option "--seed": expected an integer of at most 2\^53/),
  bad("fractional seed", `${RUN} --seed 1.5`, /option "--seed": expected an integer, got 1\.5/),
  bad("zero learning rate", `${RUN} --learning-rate 0`, /option "--learning-rate": must be > 0, got 0/),
  bad("zero popular ratio", `${RUN} --popular-ratio 0`, /option "--popular-ratio": must be > 0, got 0/),
  bad("popular ratio above 1", `${RUN} --popular-ratio 1.5`, /option "--popular-ratio": must be ≤ 1, got 1\.5/),
  bad("drop ratio 1", `${RUN} --model sgl --drop-ratio 1`, /option "--drop-ratio": must be ≤ 0\.99, got 1 for sgl/),
  bad(
    "another model's option",
    `${RUN} --drop-ratio 0.1`,
    /option "--drop-ratio": is an option of sgl, not of lightgcn/,
  ),
  bad("patience 0", `${RUN} --patience 0`, /option "--patience": must be ≥ 1, got 0/),
  bad("cut-off 0", `${RUN} --ks 0`, /option "--ks": must be ≥ 1, got 0/),
  bad("cut-off not a number", `${RUN} --ks 10,x`, /option "--ks": expected a list of integers, got "10,x"/),
  bad("cut-off twice", `${RUN} --ks 10,10`, /option "--ks": lists a value twice/),
  bad("evaluation chunk 0", `${RUN} --eval-chunk 0`, /option "--eval-chunk": must be ≥ 1, got 0/),
  bad("batch size 0", `${RUN} --batch-size 0`, /option "--batch-size": must be ≥ 1, got 0/),
  bad("k-core negative", `${RUN} --k-core -1`, /option "--k-core": must be ≥ 0, got -1/),
  bad("minimum rating not a number", `${RUN} --min-rating high`, /option "--min-rating": expected a number/),
  bad("temperature 0", `${RUN} --model sgcl --temperature 0`, /option "--temperature": must be > 0, got 0 for sgcl/),
  bad("negative ssl weight", `${RUN} --model simgcl --ssl-weight -1`, /option "--ssl-weight": must be ≥ 0, got -1/),
  bad(
    "contrast layer beyond the last",
    `${RUN} --model xsimgcl --contrast-layer 3`,
    /option "--contrast-layer": must be ≤ layers \(2\), got 3 for xsimgcl \(from command line\)/,
  ),
  bad(
    "sparse keep and ratio",
    `${RUN} --sparse-keep 2 --sparse-ratio 0.5`,
    /option "--sparse-keep": give --sparse-keep or --sparse-ratio \(sparseKeep, sparseRatio\), not both/,
  ),
  bad("sparse ratio 0", `${RUN} --sparse-ratio 0`, /option "--sparse-ratio": must be > 0, got 0/),
  bad("boolean flag with a bad word", `${RUN} --normalize=maybe`, /--normalize takes true or false .*got "maybe"/),
  bad("output flag with a bad word", `${RUN} --json=perhaps`, /--json takes true or false/),
  bad("negated value option", `${RUN} --no-epochs`, /--epochs is not a yes\/no flag, so --no-epochs means nothing/),
  bad("negated flag with a value", `${RUN} --no-normalize=1`, /--no-normalize takes no value/),
  bad("a flag given twice", `${RUN} --dim 16`, /option "--dim": --dim is given twice \(8, then 16\); give it once/),
  bad(
    "a yes/no flag given twice",
    `${RUN} --normalize --no-normalize`,
    /option "--normalize": --normalize is given twice \(true, then false\)/,
  ),
  bad("stray word", `${RUN} extra`, /option "extra": unexpected argument "extra"$/),
  bad("stray word after a boolean", `${RUN} --json maybe`, /unexpected argument "maybe" \(--json takes no value other/),
  bad("stray word after --", `${RUN} -- more`, /unexpected argument "more"/),
  bad("no dataset", "run --init none --out {dir}/run", /option "dataset": is required/),
  bad("empty dataset", `run --dataset= --out {dir}/run`, /option "--dataset": expected a non-empty value/),
  bad("empty out", withFlags(RUN, "--out="), /option "--out": expected a non-empty value/),
  bad("empty text template", `${RUN} --text-template=`, /option "--text-template": expected a non-empty value/),
  bad("unknown command", "train --dataset {toy}", /error: unknown command "train" \(expected run, encode/),
  bad("help on an unknown command", "help nosuch", /no help on "nosuch"/),
  bad(
    "a stack trace only with --verbose",
    withFlags(RUN, "--epochs ten --verbose"),
    /option "--epochs": expected a number/,
  ),

  // Limits that need the data: checked after loading, before any folder exists.
  bad(
    "cut-off above the items",
    `${RUN} --ks 10,100000`,
    /option "ks": --ks 100000: a cut-off K must be ≤ the 40 items/,
  ),
  bad(
    "popular share of no item",
    `${RUN} --popular-ratio 0.01`,
    /--popular-ratio 0\.01 measures the variance over 0 of/,
  ),
  bad(
    "d in the billions",
    withFlags(RUN, "--dim 1000000000 --init none"),
    /option "dim": --dim 1000000000 makes a run of 60/,
  ),
  bad(
    "batch in the trillions",
    `${RUN} --batch-size 1000000000000`,
    /option "batchSize": --batch-size 1000000000000 makes/,
  ),
  bad(
    "SGCL batch too large",
    `${RUN} --model sgcl --batch-size 200000`,
    /option "batchSize": .*the contrastive logits and scratch of SGCL \(batches of 200000 pairs\)/,
  ),
  bad(
    "text template field misspelt",
    `${TEXT} --text-template {titel}`,
    /option "--text-template": "\{titel\}" gives an empty text for 40 of 40 items \(100 %\): \{titel\} is no item column \(item columns: title\); an LLM init \(--init var\) needs item text/,
  ),
  bad(
    "cold items with an empty text template",
    `${TEXT} --init none --cold-items 0.2 --text-template {titel}`,
    /option "--text-template": .*--cold-items needs item text, and more than 50 % empty is refused/,
  ),
  bad(
    "no .item file for an LLM init",
    TEXT.replace("{toy}", "{dir}/data"),
    /option "--dataset": data has no item metadata \(no \.item file in .*data\)/,
    {
      files: { "data/data.inter": (paths) => toyInter(paths) },
    },
  ),
  bad(
    "d above the encoder's D",
    withFlags(RUN, "--dim 17"),
    /option "dim": cannot select 17 of the encoder's 16 dimensions/,
  ),

  // Where results go.
  bad(
    "out under a file",
    `${RUN.replace("{dir}/run", "{dir}/f/run")}`,
    /option "--out": cannot create .*f\/run: .*f is a file/,
    {
      files: { f: "x" },
    },
  ),
  bad("out is a file", `${RUN.replace("{dir}/run", "{dir}/f")}`, /option "--out": .*\/f is a file, not a folder/, {
    files: { f: "x" },
  }),
  bad(
    "out is a file, with overwrite",
    `${RUN.replace("{dir}/run", "{dir}/f")} --overwrite`,
    /f is a file, not a folder/,
    {
      files: { f: "x" },
    },
  ),
  bad(
    "out where no folder can be made",
    `${RUN.replace("{dir}/run", "/proc/llminit-x")}`,
    /cannot create \/proc\/llminit-x/,
    {
      when: hasProc,
    },
  ),
  bad(
    "cache under a file",
    withFlags(RUN, "--cache-dir {dir}/f/cache"),
    /option "--cache-dir": cannot create .*f is a file/,
    {
      files: { f: "x" },
    },
  ),
  bad("out holds a run", RUN, /option "--out": .*run is not empty \(config\.json.*--overwrite.*--resume .*run/, {
    files: { "run/config.json": "{}", "run/metrics.json": "{}", "run/log.jsonl": '{"epoch":1}\n' },
  }),
  bad(
    "overwrite a folder that is no run",
    `${RUN} --overwrite`,
    /run is not an llminit run folder: it holds notes\.txt/,
    {
      files: { "run/notes.txt": "mine" },
    },
  ),
  bad(
    "overwrite a run folder with a file of mine",
    `${RUN} --overwrite`,
    /it holds thesis\.tex, which no llminit run/,
    {
      files: { "run/config.json": '{"dataset": "x"}', "run/log.jsonl": "", "run/thesis.tex": "mine" },
    },
  ),
  bad(
    "overwrite a folder whose config.json is no run's",
    `${RUN} --overwrite`,
    /keys that are no run option \(name\)/,
    {
      files: { "run/config.json": '{"name": "app"}' },
    },
  ),
  bad("out in use by a live run", RUN, /run is in use by llminit run \(pid \d+ on .*wait for it to finish/, {
    files: { "run/.llminit.lock": () => lock(hostname(), process.pid), "run/config.json": "{}" },
  }),
  bad("out locked from another machine", `${RUN} --overwrite`, /in use by .*another machine: delete/, {
    files: { "run/.llminit.lock": lock("elsewhere", 1), "run/config.json": "{}" },
  }),
  bad("out with a lock it cannot read", `${RUN} --overwrite`, /\.llminit\.lock is not a lock this version can read/, {
    files: { "run/.llminit.lock": "garbage", "run/config.json": "{}" },
  }),

  // Resuming (llminit run --resume DIR).
  bad("resume: not a run folder", "run --resume {dir}", /option "--resume": .* has no config\.json: not a run folder/, {
    files: { "notes.txt": "mine" },
  }),
  bad("resume: no such folder", "run --resume {dir}/nowhere", /option "--resume": .*nowhere is not a folder/),
  bad("resume: no folder named", "run --resume=", /option "--resume": needs a run folder: --resume DIR/),
  bad(
    "resume: every checkpoint damaged",
    "run --resume {dir}/run",
    /checkpoint\/training: no usable training checkpoint: .*epoch-000002\.json: not a readable checkpoint manifest.*epoch-000001\.json: not an llminit training checkpoint.*Delete /,
    {
      files: {
        "run/config.json": RESUMABLE_CONFIG,
        "run/log.jsonl": '{"epoch":1}\n{"epoch":2}\n',
        "run/checkpoint/training/epoch-000002.json": '{"format": "llminit-training-chec',
        "run/checkpoint/training/epoch-000001.json": '{"format": "something else"}\n',
      },
      status: 1,
    },
  ),
  bad("resume: a run option with it", "run --resume {run} --dim 16", /option "--dim": cannot be given with --resume: /),
  bad(
    "resume: a model option with it",
    "run --resume {run} --temperature 0.5",
    /option "--temperature": cannot be given with --resume: /,
  ),
  bad("resume: --overwrite with it", "run --resume {run} --overwrite", /option "--overwrite": cannot be given with/),
  bad(
    "resume: a config file with it",
    "run --resume {run} --config {dir}/c.yaml",
    /option "--config": cannot be given/,
    {
      files: { "c.yaml": "epochs: 3\n" },
    },
  ),
  bad(
    "resume: threads out of range",
    "run --resume {run} --threads 1000",
    /option "threads": 1000 threads is more than/,
  ),
  bad(
    "resume: a folder in use by a live run",
    "run --resume {dir}/run",
    /option "--resume": .*run is in use by llminit/,
    {
      files: { "run/.llminit.lock": () => lock(hostname(), process.pid), "run/config.json": RESUMABLE_CONFIG },
    },
  ),
  bad("resume: config.json not JSON", "run --resume {dir}/run", /run\/config\.json: not valid JSON/, {
    files: { "run/config.json": '{"dataset": ' },
    status: 1,
  }),
  bad(
    "resume: config.json edited wrong",
    "run --resume {dir}/run",
    /option "epoch": unknown option in .*config\.json/,
    {
      files: { "run/config.json": '{"dataset": "{toy}", "epoch": 3}\n' },
    },
  ),

  // Config files.
  bad(
    "config: unknown key",
    `${RUN} --config {dir}/c.yaml`,
    /option "epoch": unknown option in .*c\.yaml:2 \(did you mean epochs\?\)/,
    {
      files: { "c.yaml": "init: uni\nepoch: 5\n" },
    },
  ),
  bad(
    "config: unknown kebab key",
    `${RUN} --config {dir}/c.yaml`,
    /"learning-rat": unknown option .*c\.yaml:1 \(did you mean learning-rate\?/,
    {
      files: { "c.yaml": "learning-rat: 0.1\n" },
    },
  ),
  bad(
    "config: value out of range",
    `${RUN} --config {dir}/c.yaml`,
    /option "layers": must be ≤ 10, got 50 for lightgcn \(from .*c\.yaml:3\)/,
    {
      files: { "c.yaml": "init: uni\n\nlayers: 50\n" },
    },
  ),
  bad(
    "config: JSON value of a wrong type",
    `${RUN} --config {dir}/c.json`,
    /option "batch-size": expected a number, got "big" \(from .*c\.json:3\)/,
    {
      files: { "c.json": '{\n  "init": "uni",\n  "batch-size": "big"\n}\n' },
    },
  ),
  bad(
    "config: not a yes/no",
    `${RUN} --config {dir}/c.yaml`,
    /option "normalize": expected true or false, got "maybe" \(from .*c\.yaml:1\)/,
    {
      files: { "c.yaml": "normalize: maybe\n" },
    },
  ),
  bad(
    "config: a number beyond float64",
    `${RUN} --config {dir}/c.yaml`,
    /option "learning-rate": expected a finite number, got Infinity \(beyond a float64, e\.g\. 1e400\) \(from .*c\.yaml:1\)/,
    {
      files: { "c.yaml": "learning-rate: 1e400\n" },
    },
  ),
  bad(
    "config: JSON list with 1e400",
    `${RUN} --config {dir}/c.json`,
    /option "ks": expected a list of integers, got \[10,Infinity\]/,
    {
      files: { "c.json": '{"ks": [10, 1e400]}\n' },
    },
  ),
  bad("config: list with a word", `${RUN} --config {dir}/c.yaml`, /option "ks": expected a list of integers/, {
    files: { "c.yaml": "ks: [10, x]\n" },
  }),
  bad(
    "config: nested mapping",
    `${RUN} --config {dir}/c.yaml`,
    /option "model": expected a string, got \{"name":"lightgcn"\}/,
    {
      files: { "c.yaml": "model:\n  name: lightgcn\n" },
    },
  ),
  bad(
    "config: one key both ways",
    `${RUN} --config {dir}/c.yaml`,
    /given twice in .*c\.yaml, as "dataDir" and "data-dir"/,
    {
      files: { "c.yaml": "dataDir: /a\ndata-dir: /b\n" },
    },
  ),
  bad("config: invalid YAML", `${RUN} --config {dir}/c.yaml`, /c\.yaml:[23]: invalid YAML: Flow sequence/, {
    files: { "c.yaml": "init: uni\nepochs: [1\n" },
    status: 2,
  }),
  bad(
    "config: duplicate YAML key",
    `${RUN} --config {dir}/c.yaml`,
    /c\.yaml:2: invalid YAML: Map keys must be unique/,
    {
      files: { "c.yaml": "init: uni\ninit: var\n" },
      status: 2,
    },
  ),
  bad("config: invalid JSON", `${RUN} --config {dir}/c.json`, /c\.json(:\d+)?: invalid JSON/, {
    files: { "c.json": '{"init": "uni",}\n' },
    status: 2,
  }),
  bad("config: a list at the top", `${RUN} --config {dir}/c.yaml`, /c\.yaml: the top level must be a mapping/, {
    files: { "c.yaml": "- init\n- uni\n" },
    status: 2,
  }),
  bad("config: binary file", `${RUN} --config {dir}/c.yaml`, /c\.yaml: a binary file, not a YAML or JSON config file/, {
    files: { "c.yaml": new Uint8Array([0, 1, 2, 255, 0, 7]) },
    status: 2,
  }),
  bad(
    "config: missing file",
    `${RUN} --config {dir}/none.yaml`,
    /option "--config": cannot read .*none\.yaml: no such file/,
  ),
  bad("config: a folder", `${RUN} --config {dir}`, /option "--config": cannot read .*: it is a folder/),

  // Data files (the data layer's errors that already name file, line and field).
  bad(
    "data: folder missing",
    "run --dataset {dir}/nothere --out {dir}/run",
    /"[^"]*nothere" is neither a known dataset .* nor a folder/,
  ),
  bad(
    "dataset name misspelt",
    "run --dataset ml-10k --out {dir}/run",
    /"[^"]*ml-10k" is neither a known dataset .* \(did you mean ml-100k\?\)$/,
  ),
  bad(
    "data dir without the dataset",
    "run --dataset ml-100k --data-dir {dir} --out {dir}/run",
    /option "--data-dir": .* has no ml-100k\/ folder \(its folders: none\); nothing is downloaded/,
  ),
  bad(
    "data dir is the dataset folder",
    "run --dataset ml-100k --data-dir {dir}/ml-100k --out {dir}/run",
    /ml-100k has no ml-100k\/ folder: it is a dataset folder itself; give its parent, --data-dir /,
    {
      files: { "ml-100k/ml-100k.inter": (paths) => toyInter(paths) },
    },
  ),
  bad("data: no dataset files", DATA, /data: no dataset files recognised in this folder/, {
    files: { "data/readme.txt": "nothing here" },
    status: 1,
  }),
  bad(
    "data: CSV without user and item columns",
    DATA,
    /data: no CSV\/TSV file here has both a user and an item column: x\.csv \(who, what\)\. Give the interactions file a header with user_id and item_id/,
    {
      files: { "data/x.csv": "who,what\na,b\n" },
      status: 1,
    },
  ),
  bad(
    "data: --min-rating on data without ratings",
    `${DATA} --min-rating 4`,
    /option "--min-rating": 4 cannot apply: dataset "data" has no "rating" column \(implicit feedback\)/,
    {
      files: dataset(
        inter((lines) =>
          lines.map((line) =>
            line
              .split("\t")
              .filter((_, c) => c !== 2)
              .join("\t"),
          ),
        ),
      ),
    },
  ),
  bad(
    "data: --rating-field naming the user id",
    `${DATA} --rating-field user_id`,
    /option "--rating-field": "user_id" is the user id column of .*data\.inter: name a numeric interaction column/,
    {
      files: dataset(inter((lines) => lines)),
    },
  ),
  bad(
    "data: --rating-field naming the item id of a CSV",
    `${DATA} --rating-field movieId`,
    /option "--rating-field": "movieId" is the item id column of .*r\.csv/,
    {
      files: { "data/r.csv": "userId,movieId,rating\nu1,i1,5\n" },
    },
  ),
  bad("data: rating not a number", DATA, /data\.inter:5 field "rating": not a number: "five"/, {
    files: dataset(replaceLine(5, "u0\ti3\tfive\t1000003")),
    status: 1,
  }),
  bad(
    "data: header without types",
    DATA,
    /data\.inter:1 field "user_id": header column "user_id" is not "name:type" .* belongs in a \.csv or \.tsv/,
    {
      files: dataset(inter((lines) => [lines[0].replace(/:token/g, ""), ...lines.slice(1)])),
      status: 1,
    },
  ),
  bad(
    "data: header separated by spaces",
    DATA,
    /data\.inter:1 field "user_id": header column .* holds 4 fields separated by spaces: the fields of a RecBole atomic file must be TAB-separated/,
    {
      files: dataset(inter((lines) => [lines[0].replace(/\t/g, " "), ...lines.slice(1)])),
      status: 1,
    },
  ),
  bad(
    "data: header without types, separated by spaces",
    DATA,
    /data\.inter:1 field "user_id": header column "user_id item_id rating timestamp" holds 4 fields separated by spaces/,
    {
      files: dataset(inter((lines) => [lines[0].replace(/:\w+/g, "").replace(/\t/g, " "), ...lines.slice(1)])),
      status: 1,
    },
  ),
  bad("data: unknown column type", DATA, /data\.inter:1 field "rating": unknown type "bogus"/, {
    files: dataset(inter((lines) => [lines[0].replace("rating:float", "rating:bogus"), ...lines.slice(1)])),
    status: 1,
  }),
  bad("data: empty file", DATA, /data\.inter:1: empty file: no header line/, { files: dataset(""), status: 1 }),
  bad("data: a short row", DATA, /data\.inter:7 field "rating": expected 4 TAB-separated fields .*found 3/, {
    files: dataset(replaceLine(7, "u0\ti5\t5")),
    status: 1,
  }),
  bad("data: corrupt gzip", DATA, /data\.inter\.gz: corrupt gzip data/, {
    files: {
      "data/data.inter.gz": (paths) => Buffer.concat([gzipSync(toyInter(paths)).subarray(0, 40), Buffer.from("junk")]),
      "data/data.item": toyItem,
    },
    status: 1,
  }),
  bad("data: item file without item ids", DATA, /data\.item:1 field "item_id": no "item_id" column in the header/, {
    files: dataset(
      inter((lines) => lines),
      "title:token_seq\nred pen\n",
    ),
    status: 1,
  }),
  bad("data: nothing passes the rating filter", DATA, /nothing left after filter stage "rating >= 4"/, {
    files: dataset(inter((lines) => [lines[0], ...lines.slice(1).map((l) => l.replace(/\t5\t/, "\t1\t"))])),
    status: 1,
  }),
  bad("data: binary interactions", DATA, /data\.inter.*binary/, {
    files: dataset(new Uint8Array(Array.from({ length: 3000 }, (_, i) => (i * 37) % 256))),
    status: 1,
  }),
  bad("data: invalid UTF-8 merges two users", DATA, /data\.inter:\d+.*(invalid UTF-8|UTF-8)/, {
    files: dataset((paths) =>
      Buffer.concat([
        Buffer.from(toyInter(paths)),
        Buffer.from([0x75, 0xe9, 0x09, 0x69, 0x31, 0x09, 0x35, 0x09, 0x31, 0x0a]),
        Buffer.from([0x75, 0xe8, 0x09, 0x69, 0x32, 0x09, 0x35, 0x09, 0x31, 0x0a]),
      ]),
    ),
    status: 1,
  }),
  bad("data: header only", DATA, /data\.inter.*no interactions/, {
    files: dataset(inter((lines) => [lines[0]])),
    status: 1,
  }),
  bad("data: a column named twice", DATA, /data\.inter:1 .*user_id.*(twice|duplicate)/, {
    files: dataset(inter((lines) => [lines[0].replace("rating:float", "user_id:token"), ...lines.slice(1)])),
    status: 1,
  }),

  // Item vectors of the file: encoder (.npy + ids, or JSON lines).
  bad(
    "vectors: no such file",
    `${RUN.replace("{vectors}", "{dir}/none.npy")}`,
    /option "encoder": "file:.*none\.npy": no such file/,
  ),
  bad(
    "vectors: a folder",
    `${RUN.replace("{vectors}", "{dir}")}`,
    /option "encoder": "file:.*": .* is a folder; give a \.npy/,
  ),
  bad(
    "vectors: nothing after file:",
    `${RUN.replace("file:{vectors}", "file:")}`,
    /option "encoder": "file:" needs a value after "file:"/,
  ),
  bad("vectors: not a .npy file", VECTORS, /v\.npy: .*(magic|not a \.npy|NPY)/i, {
    files: { "v.npy": "hello, not numpy\n", "v.npy.ids.txt": ids(40) },
    status: 1,
  }),
  bad("vectors: truncated", VECTORS, /v\.npy: .*(truncated|expected \d+ bytes|too short|data)/i, {
    files: { "v.npy": () => vectors(40, 16).subarray(0, 500), "v.npy.ids.txt": ids(40) },
    status: 1,
  }),
  bad("vectors: one-dimensional", VECTORS, /v\.npy field "shape": expected a 2-d array \[n × D\], got shape \[640\]/, {
    files: { "v.npy": () => npy(new Float32Array(640), [640]), "v.npy.ids.txt": ids(640) },
    status: 1,
  }),
  bad("vectors: integers", VECTORS, /v\.npy field "dtype": expected float32 \(or float64\) vectors, got int32/, {
    files: { "v.npy": () => npy(new Int32Array(640), [40, 16]), "v.npy.ids.txt": ids(40) },
    status: 1,
  }),
  bad("vectors: no id list", VECTORS, /v\.npy: no id list beside the vectors: expected .*v\.npy\.ids\.txt/, {
    files: { "v.npy": () => vectors(40, 16) },
    status: 1,
  }),
  bad("vectors: fewer ids than rows", VECTORS, /v\.npy\.ids\.txt:40: 39 ids for 40 vector rows/, {
    files: { "v.npy": () => vectors(40, 16), "v.npy.ids.txt": ids(39) },
    status: 1,
  }),
  bad("vectors: an id twice", VECTORS, /v\.npy\.ids\.txt:2 field "id": duplicate id "i0" \(first on line 1\)/, {
    files: { "v.npy": () => vectors(40, 16), "v.npy.ids.txt": ids(40, (i) => (i === 1 ? "i0" : `i${i}`)) },
    status: 1,
  }),
  bad("vectors: an empty id", VECTORS, /v\.npy\.ids\.txt:3 field "id": empty id/, {
    files: { "v.npy": () => vectors(40, 16), "v.npy.ids.txt": ids(40, (i) => (i === 2 ? " " : `i${i}`)) },
    status: 1,
  }),
  bad("vectors: NaN", VECTORS, /v\.npy field "row 5": id "i5" column 3: value NaN is not finite/, {
    files: {
      "v.npy": () => vectors(40, 16, (r, c) => (r === 5 && c === 3 ? NaN : 0.5)),
      "v.npy.ids.txt": ids(40),
    },
    status: 1,
  }),
  bad("vectors: items without a vector", VECTORS, /v\.npy field "id": no vector for 10 item\(s\): "i3\d"/, {
    files: { "v.npy": () => vectors(30, 16), "v.npy.ids.txt": ids(30) },
    status: 1,
  }),
  bad(
    "vectors: JSON lines, ragged",
    `${VECTORS.replace("v.npy", "v.jsonl")}`,
    /v\.jsonl:2 field "embedding": has 2 values, expected 3/,
    {
      files: { "v.jsonl": '{"id":"i0","embedding":[1,2,3]}\n{"id":"i1","embedding":[1,2]}\n' },
      status: 1,
    },
  ),
  bad("vectors: JSON lines, not JSON", `${VECTORS.replace("v.npy", "v.jsonl")}`, /v\.jsonl:1: not valid JSON/, {
    files: { "v.jsonl": "i0 1 2 3\n" },
    status: 1,
  }),

  // Encoders.
  bad(
    "encoder: unknown",
    `${RUN.replace("file:{vectors}", "bert")}`,
    /option "encoder": unknown encoder "bert"; expected one of use-lite/,
  ),
  bad(
    "encoder: unknown kind",
    `${RUN.replace("file:{vectors}", "hf:bert")}`,
    /option "encoder": unknown encoder "hf:bert"/,
  ),
  bad(
    "encoder: transformers model not here",
    `${RUN.replace("file:{vectors}", "transformers:org/none")} --model-dir {dir}/models`,
    /transformers model "org\/none": not found offline \(missing in .*models\/org\/none/,
    {
      status: 1,
    },
  ),
  bad(
    "encoder: openai without a key",
    `${RUN.replace("file:{vectors}", "openai:text-embedding-3-small")}`,
    /OPENAI_API_KEY|API key/,
    { status: 2 },
  ),

  // recommend.
  bad("recommend: no user ids", "recommend --run {run} --users ,", /option "--users": lists no user ids \(","\)/),
  bad("recommend: no --run", "recommend --users u1", /option "--run": is required/),
  bad("recommend: no --users", "recommend --run {run}", /option "--users": is required/),
  bad(
    "recommend: k zero",
    "recommend --run {run} --users u1 --k 0",
    /option "--k": expected a whole number ≥ 1, got "0"/,
  ),
  bad(
    "recommend: k not a number",
    "recommend --run {run} --users u1 --k many",
    /option "--k": expected a whole number/,
  ),
  bad(
    "recommend: k above the items",
    "recommend --run {run} --users u1 --k 100000",
    /option "k": must be ≤ the 40 items of this run/,
  ),
  bad("recommend: unknown user", "recommend --run {run} --users u1,nobody", /option "users": not in this run: nobody/),
  bad(
    "recommend: not a run folder",
    "recommend --run {dir} --users u1",
    /users\.txt: cannot read .*Is this a run folder/,
    { status: 1 },
  ),
  bad(
    "recommend: no such run folder",
    "recommend --run {dir}/nowhere --users u1",
    /option "--run": .*nowhere does not exist \(expected a run folder written by `llminit run`\)/,
  ),
  bad(
    "recommend: a file as the run folder",
    "recommend --run {dir}/f --users u1 --new-items {dir}/f",
    /option "--run": .*\/f is a file, not a run folder/,
    { files: { f: "x" } },
  ),
  bad("recommend: stray word", "recommend --run {run} --users u1 extra", /unexpected argument "extra"/),

  bad("cold items: zero", `${RUN} --cold-items 0`, /option "--cold-items": must be > 0, got 0/),
  bad("cold items: above 0.9", `${RUN} --cold-items 0.95`, /option "--cold-items": must be ≤ 0\.9, got 0\.95/),
  bad(
    "cold items: too few for the data",
    `${RUN} --cold-items 0.01`,
    /option "--cold-items": 0\.01 of 40 items gives 0 cold items; need at least 2/,
  ),
  bad(
    "cold items: every K ranks all cold test items",
    `${RUN} --cold-items 0.2`,
    /option "--cold-items": 0\.2 of the items gives 4 cold test items, .*recall@K is 1 for any method, random included; .*--ks below 4$/,
  ),
  bad(
    "new items: another model's encoder",
    "recommend --run {run} --users u1 --new-items {dir}/new.csv --encoder use-lite",
    /option "encoder": use-lite is not the encoder of .*finished-run \(file:.*toy-vectors\.npy, 16-d\): another model's vectors/,
    { files: { "new.csv": "item_id,text\nnew1,red pen\n" } },
  ),
  bad(
    "new items: vectors of another dimension",
    "recommend --run {run} --users u1 --new-items {dir}/new.csv --encoder file:{dir}/new.npy",
    /option "encoder": file:.*new\.npy holds 8-d vectors; .*finished-run was trained with 16-d ones/,
    {
      files: { "new.csv": "item_id,text\nnew1,red pen\n", "new.npy": () => vectors(1, 8), "new.npy.ids.txt": "new1\n" },
    },
  ),
  bad(
    "new items: an id that is not UTF-8",
    "recommend --run {run} --users u1 --new-items {dir}/new.csv",
    /new\.csv:2 field "item_id": id "new\\xE9" is not valid UTF-8/,
    {
      status: 1,
      files: {
        "new.csv": Buffer.concat([Buffer.from("item_id,text\nnew"), Buffer.from([0xe9]), Buffer.from(",red pen\n")]),
      },
    },
  ),
  bad(
    "new items: unknown method",
    "recommend --run {run} --users u1 --new-items {dir}/new.csv --method knn",
    /option "--method": "knn" is not one of direct, map, map-knn, content-knn, random/,
    { files: { "new.csv": "item_id,text\nnew1,red pen\n" } },
  ),
  bad(
    "new items: method without new items",
    "recommend --run {run} --users u1 --method map",
    /option "--method": applies to new items only: give --new-items FILE with it/,
  ),
  bad(
    "new items: cache dir is a file",
    "recommend --run {run} --users u1 --new-items {dir}/new.csv --cache-dir {dir}/new.csv",
    /option "--cache-dir": .*new\.csv is a file, not a folder/,
    { files: { "new.csv": "item_id,text\nnew1,red pen\n" } },
  ),
  bad(
    "new items: file not found",
    "recommend --run {run} --users u1 --new-items {dir}/absent.csv",
    /absent\.csv: file not found/,
    { status: 1 },
  ),
  bad(
    "new items: an id of the catalogue",
    "recommend --run {run} --users u1 --new-items {dir}/new.csv",
    /new\.csv:2 field "item_id": item "i3" is already in the catalogue/,
    { status: 1, files: { "new.csv": "item_id,text\ni3,red pen\n" } },
  ),
  bad(
    "new items: no text",
    "recommend --run {run} --users u1 --new-items {dir}/new.csv",
    /new\.csv:1.*no text: the header \(item_id, price\) has neither/,
    { status: 1, files: { "new.csv": "item_id,price\nnew1,3\n" } },
  ),

  // encode and datasets.
  bad(
    "encode: no --out",
    "encode --dataset {toy} --encoder file:{vectors} --cache-dir {cache}",
    /option "--out": is required/,
  ),
  bad(
    "encode: out under a file",
    "encode --dataset {toy} --encoder file:{vectors} --out {dir}/f/x.npy",
    /option "--out": cannot create .*x\.npy: .*f is a file/,
    {
      files: { f: "x" },
    },
  ),
  bad(
    "encode: out is a folder",
    "encode --dataset {toy} --encoder file:{vectors} --out {dir}",
    /option "--out": .* is a folder; give the path of a file/,
  ),
  bad("datasets: stray word", "datasets all", /unexpected argument "all"/),
  bad("datasets: unknown flag", "datasets --data-dri {dir}", /unknown option --data-dri \(did you mean --data-dir\?\)/),
];
