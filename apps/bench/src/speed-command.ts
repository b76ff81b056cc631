import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError, createRng, csrNnz, flagName, parseCliArgs, silentLogger } from "@llminit/core";
import type { Csr } from "@llminit/core";
import { prepareDataset } from "@llminit/data";
import { createEncoder, encodeCatalog } from "@llminit/encoders";
import { findDataDir } from "./find-data-dir.js";
import { generatePowerLawGraph } from "./power-law-graph.js";
import { heldOutTruth, measureOurs, measurePaperSettings } from "./speed-ours.js";
import type { MeasureOptions, SpeedSettings } from "./speed-ours.js";
import { SMALL_GRAPH_INTERACTIONS, SMALL_GRAPH_REPEAT_FACTOR, ratio, renderSpeedMarkdown } from "./speed-report.js";
import type { SpeedGraph, SpeedReport } from "./speed-report.js";
import { DEFAULT_PYTHON, runTorchSpeed, torchWaitPolicy } from "./speed-torch.js";
import type { BenchIo } from "./main.js";

/** Real datasets by their short graph names (registry names accepted too). */
const REAL: Record<string, string> = {
  office: "amazon-office-products",
  "amazon-office-products": "amazon-office-products",
  "ml-100k": "ml-100k",
};
/** Generated graphs: Amazon Beauty's size, and a hidden tiny one for tests. */
const GENERATED: Record<string, { users: number; items: number; interactions: number }> = {
  "beauty-synthetic": { users: 22363, items: 12101, interactions: 198502 },
  tiny: { users: 60, items: 40, interactions: 400 },
};
export const DEFAULT_SPEED_GRAPHS = ["office", "ml-100k", "beauty-synthetic"];
const ENCODE_LIMIT = 500;
const TORCH_THREADS = 2;

export const SPEED_USAGE = `llminit-bench speed — time training and evaluation against PyTorch on this CPU

usage: pnpm bench speed [--json] [--graphs office,ml-100k,beauty-synthetic] [--data-dir DIR]
                        [--repeats 3] [--out DIR] [--python /usr/bin/python3] [--engine auto|kernels|tfjs]
  per graph: one propagation layer, one training step and one epoch (LightGCN, d = 64, 3 layers,
  batch 2048, BPR, Adam), full-ranking evaluation (top-20, train masked), peak RSS, and use-lite
  text encoding of the first ${ENCODE_LIMIT} item texts of real datasets; the same workloads run in
  PyTorch (apps/bench/python/speed_torch.py, torch.set_num_threads(${TORCH_THREADS})).
  --json      one JSON object on stdout instead of the Markdown table
  --out DIR   also write DIR/speed.json and DIR/speed.md
  --python P  interpreter with python3-torch [${DEFAULT_PYTHON}]; without torch the PyTorch columns say n/a
  --engine E  training engine of ours [auto: the wasm SIMD kernels unless a GPU tfjs backend is installed]
  --threads N threads of our kernels [0: every core, as PyTorch's ${TORCH_THREADS}]
  real datasets also get the paper's settings (d = 128, 2 layers, batch 256): seconds per epoch and
  per full validation, ours and PyTorch (targets: ≤ 2 s and ≤ 1 s)
`;

function positiveInt(value: string | boolean | undefined, fallback: number, key: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (typeof value !== "string" || !Number.isInteger(n) || n < 1)
    throw new ConfigError(key, `--${flagName(key)} expects an integer ≥ 1, got ${String(value)}`);
  return n;
}

interface LoadedGraph {
  name: string;
  source: string;
  train: Csr;
  truth: Csr;
  texts: string[] | null;
}

async function loadGraph(
  name: string,
  dataDir: string | undefined,
  seed: number,
): Promise<LoadedGraph | { skip: string }> {
  const generated = GENERATED[name];
  if (generated !== undefined) {
    const rng = createRng(seed).child(`graph-${name}`);
    const graph = generatePowerLawGraph({ ...generated, rng: rng.child("edges") });
    return {
      name,
      source: `generated: Zipf 0.8 degrees, seed ${seed}, ${graph.duplicateDraws} repeated draws redrawn`,
      train: graph.train,
      truth: heldOutTruth(graph.train, rng.child("truth")),
      texts: null,
    };
  }
  const dataset = REAL[name];
  if (dataDir === undefined)
    return { skip: `no data dir (--data-dir, $LLMINIT_DATA_DIR or <repo>/../shared/data) for ${dataset}` };
  try {
    const prepared = await prepareDataset(dataset, {
      dataDir,
      rng: createRng(seed),
      download: false,
      logger: silentLogger,
    });
    return {
      name,
      source: `prepareDataset(${dataset}): rating ≥ 4, 5-core, random leave-one-out, seed ${seed}; truth = test`,
      train: prepared.split.train,
      truth: prepared.split.test,
      texts: prepared.itemTexts,
    };
  } catch (error) {
    return {
      skip: `${dataset} could not be prepared from ${dataDir}: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`,
    };
  }
}

async function measureEncoding(
  texts: readonly string[],
): Promise<{ encoder: string; items: number; itemsPerSecond: number }> {
  const cacheDir = await mkdtemp(join(tmpdir(), "llminit-speed-cache-"));
  const encoder = await createEncoder("use-lite", { logger: silentLogger });
  try {
    const items = texts.slice(0, ENCODE_LIMIT).map((text, k) => ({ id: String(k), text }));
    const result = await encodeCatalog(encoder, items, { cacheDir, logger: silentLogger });
    return { encoder: encoder.id, items: result.encoded, itemsPerSecond: result.itemsPerSecond };
  } finally {
    await encoder.dispose();
    await rm(cacheDir, { recursive: true, force: true });
  }
}

function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/** `pnpm bench speed`: see SPEED_USAGE. Returns the exit status. */
export async function speedCommand(argv: readonly string[], io: BenchIo): Promise<number> {
  const { values, positionals } = parseCliArgs(argv, [
    { key: "json", boolean: true },
    { key: "graphs" },
    { key: "dataDir" },
    { key: "repeats" },
    { key: "out" },
    { key: "python" },
    { key: "engine" },
    { key: "threads" },
    { key: "backend" },
    { key: "help", boolean: true },
  ]);
  if (values.help) {
    io.stdout.write(SPEED_USAGE);
    return 0;
  }
  if (positionals.length > 0) throw new ConfigError(positionals[0], `unexpected argument "${positionals[0]}"`);
  const cwd = io.cwd ?? process.cwd();
  const graphText = typeof values.graphs === "string" ? values.graphs : DEFAULT_SPEED_GRAPHS.join(",");
  const graphs = graphText
    .split(",")
    .map((g) => g.trim())
    .filter((g) => g !== "");
  if (graphs.length === 0) throw new ConfigError("graphs", "--graphs needs at least one graph");
  for (const g of graphs) {
    if (REAL[g] === undefined && GENERATED[g] === undefined)
      throw new ConfigError("graphs", `unknown graph "${g}"; expected office, ml-100k or beauty-synthetic`);
  }
  if (new Set(graphs).size !== graphs.length)
    throw new ConfigError("graphs", `--graphs lists a graph twice: ${graphText}`);
  const python = typeof values.python === "string" ? resolve(cwd, values.python) : DEFAULT_PYTHON;
  const engine = typeof values.engine === "string" ? values.engine : "auto";
  if (engine !== "auto" && engine !== "kernels" && engine !== "tfjs")
    throw new ConfigError("engine", `--engine expects auto, kernels or tfjs, got ${engine}`);
  const threads =
    values.threads === undefined || values.threads === "0" ? "auto" : positiveInt(values.threads, 1, "threads");
  const measureOptions: MeasureOptions = {
    engine,
    threads,
    backend: typeof values.backend === "string" ? values.backend : undefined,
  };
  const settings: SpeedSettings = {
    dim: 64,
    layers: 3,
    batchSize: 2048,
    topK: 20,
    repeats: positiveInt(values.repeats, 3, "repeats"),
    evalRepeats: 11,
    warmups: 3,
    chunkSize: 256,
    seed: 2020,
  };
  const data = findDataDir(typeof values.dataDir === "string" ? resolve(cwd, values.dataDir) : undefined, io.env, [
    cwd,
    fileURLToPath(new URL(".", import.meta.url)),
  ]);

  const ompWaitPolicy = torchWaitPolicy(io.env);
  const loadStart = loadavg();
  const measured: SpeedGraph[] = [];
  const texts = new Map<string, string[]>();
  const skipped: { graph: string; reason: string }[] = [];
  const scratch = await mkdtemp(join(tmpdir(), "llminit-speed-"));
  try {
    for (const name of graphs) {
      io.stderr.write(`speed: ${name}: loading\n`);
      const loaded = await loadGraph(name, data.dir, settings.seed);
      if ("skip" in loaded) {
        io.stderr.write(`speed: ${name}: skipped: ${loaded.skip}\n`);
        skipped.push({ graph: name, reason: loaded.skip });
        continue;
      }
      const { train, truth } = loaded;
      io.stderr.write(
        `speed: ${name}: ${train.rows} users × ${train.cols} items × ${csrNnz(train)} interactions; ours\n`,
      );
      // Small graphs train an epoch in a fraction of a second: more epochs steady their medians.
      const repeats =
        csrNnz(train) < SMALL_GRAPH_INTERACTIONS ? SMALL_GRAPH_REPEAT_FACTOR * settings.repeats : settings.repeats;
      const ours = await measureOurs(train, truth, { ...settings, repeats }, measureOptions);
      const rss = peakRssMiB();
      io.stderr.write(`speed: ${name}: PyTorch (${python})\n`);
      const dir = join(scratch, name);
      await mkdir(dir, { recursive: true });
      const torch = await runTorchSpeed({
        python,
        dir,
        train,
        truth,
        ...settings,
        repeats,
        threads: TORCH_THREADS,
        ompWaitPolicy,
      });
      const t = torch.available ? torch.result : null;
      let paper: SpeedGraph["paper"] = null;
      if (loaded.texts !== null) {
        texts.set(name, loaded.texts);
        io.stderr.write(`speed: ${name}: paper settings (d = 128, 2 layers, batch 256), ours and PyTorch\n`);
        const paperOurs = await measurePaperSettings(train, truth, settings.seed, 2, settings, measureOptions);
        const paperTorch = await runTorchSpeed({
          python,
          dir,
          train,
          truth,
          ...settings,
          dim: 128,
          layers: 2,
          batchSize: 256,
          topK: 50,
          repeats: 2,
          threads: TORCH_THREADS,
          ompWaitPolicy,
        });
        paper = { ours: paperOurs, torch: paperTorch };
      }
      measured.push({
        name,
        source: loaded.source,
        users: train.rows,
        items: train.cols,
        interactions: csrNnz(train),
        repeats,
        truthUsers: truth.indptr.reduce(
          (n, _, u) => (u < truth.rows && truth.indptr[u + 1] > truth.indptr[u] ? n + 1 : n),
          0,
        ),
        ours,
        peakRssMiB: rss,
        encoding: null,
        torch,
        paper,
        ratios: {
          propagation: ratio(ours.propagationMs, t?.propagationMs),
          trainStep: ratio(ours.trainStepMs, t?.trainStepMs),
          trainEpoch: ratio(ours.trainEpochSeconds, t?.trainEpochSeconds),
          fullRankEval: ratio(ours.fullRankSeconds, t?.fullRankSeconds),
          peakRss: ratio(rss, t?.peakRssMiB),
        },
      });
    }
    // Text encoding last, so its model and workers do not count in the graphs' peak RSS.
    for (const graph of measured) {
      const itemTexts = texts.get(graph.name);
      if (itemTexts === undefined) continue;
      io.stderr.write(`speed: ${graph.name}: use-lite encoding of ${Math.min(ENCODE_LIMIT, itemTexts.length)} texts\n`);
      graph.encoding = await measureEncoding(itemTexts);
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }

  const key = measured.find((g) => g.name === "beauty-synthetic") ?? measured[measured.length - 1];
  const torchVersion =
    measured.map((g) => (g.torch.available ? g.torch.result.torch : null)).find((v) => v !== null) ?? null;
  const cpuList = cpus();
  const report: SpeedReport = {
    machine: {
      cpu: cpuList[0]?.model.trim() ?? "unknown",
      cores: cpuList.length,
      node: process.version,
      engine: measured[0]?.ours.engine ?? "n/a",
      tfjsBackend: measured[0]?.ours.tfjsBackend ?? "n/a",
      torch: torchVersion,
      python,
      loadAverageStart: loadStart,
      loadAverageEnd: loadavg(),
    },
    settings: { ...settings, torchThreads: TORCH_THREADS, ompWaitPolicy },
    ratiosGraph: key?.name ?? null,
    ratios: { trainEpoch: key?.ratios.trainEpoch ?? null, fullRankEval: key?.ratios.fullRankEval ?? null },
    peakRssMiB: key?.peakRssMiB ?? peakRssMiB(),
    graphs: measured,
    skipped,
  };
  const markdown = renderSpeedMarkdown(report);
  const json = `${JSON.stringify(report, null, 2)}\n`;
  if (typeof values.out === "string") {
    const out = resolve(cwd, values.out);
    await mkdir(out, { recursive: true });
    await writeFile(join(out, "speed.json"), json);
    await writeFile(join(out, "speed.md"), markdown);
    io.stderr.write(`speed: wrote ${join(out, "speed.json")} and ${join(out, "speed.md")}\n`);
  }
  io.stdout.write(values.json === true ? json : markdown);
  return measured.length > 0 ? 0 : 1;
}
