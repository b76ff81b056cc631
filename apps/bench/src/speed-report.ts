import type { OurMeasurement, PaperMeasurement } from "./speed-ours.js";
import type { TorchOutcome } from "./speed-torch.js";

/** One measured graph of `pnpm bench speed`. */
export interface SpeedGraph {
  name: string;
  source: string;
  users: number;
  items: number;
  interactions: number;
  /** Timed training epochs on this graph (each side): --repeats, times 3 on small graphs. */
  repeats: number;
  truthUsers: number;
  ours: OurMeasurement;
  /** Process peak RSS (MiB) after this graph's workloads: the peak so far in this process. */
  peakRssMiB: number;
  encoding: { encoder: string; items: number; itemsPerSecond: number } | null;
  torch: TorchOutcome;
  /**
   * Real datasets: LightGCN with the paper's settings (d = 128, 2 layers, batch 256), epoch and validation, ours
   * and PyTorch.
   */
  paper: { ours: PaperMeasurement; torch: TorchOutcome } | null;
  ratios: {
    propagation: number | null;
    trainStep: number | null;
    trainEpoch: number | null;
    fullRankEval: number | null;
    peakRss: number | null;
  };
}

export interface SpeedReport {
  machine: {
    cpu: string;
    cores: number;
    node: string;
    engine: string;
    tfjsBackend: string;
    torch: string | null;
    python: string;
    loadAverageStart: number[];
    loadAverageEnd: number[];
  };
  settings: {
    dim: number;
    layers: number;
    batchSize: number;
    topK: number;
    repeats: number;
    evalRepeats: number;
    warmups: number;
    chunkSize: number;
    seed: number;
    torchThreads: number;
    ompWaitPolicy: string;
  };
  /** The graph `ratios` and `peakRssMiB` describe: beauty-synthetic when measured, else the last graph. */
  ratiosGraph: string | null;
  ratios: { trainEpoch: number | null; fullRankEval: number | null };
  peakRssMiB: number;
  graphs: SpeedGraph[];
  skipped: { graph: string; reason: string }[];
}

/** Graphs with fewer train interactions than this time SMALL_GRAPH_REPEAT_FACTOR × --repeats epochs, on both sides. */
export const SMALL_GRAPH_INTERACTIONS = 100_000;
export const SMALL_GRAPH_REPEAT_FACTOR = 3;

export const TARGETS = {
  trainEpoch: 0.5,
  fullRankEval: 1.0,
  peakRssMiB: 1024,
  propagationFloor: 3,
  paperEpochSeconds: 2,
  paperValidationSeconds: 1,
} as const;

/** ours / torch, or null when either side is missing. */
export function ratio(ours: number | null, torch: number | null | undefined): number | null {
  if (ours === null || torch === null || torch === undefined || !(torch > 0)) return null;
  return ours / torch;
}

function num(value: number, digits: number): string {
  return value.toFixed(digits);
}

/** The Markdown table and machine line of a speed report. */
export function renderSpeedMarkdown(report: SpeedReport): string {
  const m = report.machine;
  const s = report.settings;
  const lines = [
    "## Speed: ours (TypeScript) vs PyTorch on the same CPU",
    "",
    `machine: ${m.cpu} × ${m.cores} cores, node ${m.node}, engine ${m.engine} (${m.tfjsBackend}), torch ${m.torch ?? "n/a"} (${m.python}, ${s.torchThreads} threads, OMP_WAIT_POLICY=${s.ompWaitPolicy}), ` +
      `load average ${m.loadAverageStart.map((x) => x.toFixed(2)).join("/")} at start, ${m.loadAverageEnd.map((x) => x.toFixed(2)).join("/")} at end`,
    `settings: d = ${s.dim}, ${s.layers} layers, batch ${s.batchSize}, BPR + Adam, top-${s.topK}, medians of ${s.repeats} repeats (${SMALL_GRAPH_REPEAT_FACTOR * s.repeats} on graphs under ${SMALL_GRAPH_INTERACTIONS / 1000}k interactions; full ranking: ${s.evalRepeats} after ${s.warmups} warm-ups; propagation: ≥ 21 calls and ≥ 0.1 s of them, after ≥ 0.5 s of warm-up), seed ${s.seed}`,
    "",
    "| workload | graph | ours | PyTorch | ours / PyTorch | target | met |",
    "|---|---|---|---|---|---|---|",
  ];
  const notes: string[] = [];
  for (const g of report.graphs) {
    const t = g.torch.available ? g.torch.result : null;
    const absent = g.torch.available ? "" : `n/a (${g.torch.reason})`;
    if (!g.torch.available) notes.push(`${g.name}: PyTorch ${g.torch.reason}: ${g.torch.detail}`);
    const row = (workload: string, ours: string, torch: string, r: number | null, target: string, met: string) =>
      lines.push(
        `| ${workload} | ${g.name} | ${ours} | ${t === null ? absent : torch} | ${r === null ? "n/a" : num(r, 2)} | ${target} | ${met} |`,
      );
    const check = (r: number | null, limit: number) => (r === null ? "n/a" : r <= limit ? "✓" : "✗");
    const path = g.ours.propagationPath;
    const how =
      path.kind === "pullRows"
        ? "pullRows"
        : `sumShared: ${path.additionsRatio.toFixed(2)} of the additions left by ${path.sums} shared sums, plan built in ${(path.buildMs / 1000).toFixed(2)} s; pullRows ${num(path.pullRowsMs, 2)} ms`;
    row(
      `propagation layer (ms; ${how})`,
      num(g.ours.propagationMs, path.kind === "pullRows" ? 1 : 2),
      t?.propagationMs == null ? "" : num(t.propagationMs, 1),
      g.ratios.propagation,
      "—",
      "—",
    );
    const floor = g.ours.propagationFloor;
    lines.push(
      `| propagation layer ÷ bandwidth floor (${(floor.bytesMoved / 1e6).toFixed(1)} MB at ${floor.copyGBps.toFixed(1)} GB/s = ${floor.floorMs.toFixed(2)} ms) | ${g.name} | ${num(floor.ratio, 2)}× | — | — | ≤ ${TARGETS.propagationFloor}× | ${floor.ratio <= TARGETS.propagationFloor ? "✓" : "✗"} |`,
    );
    row(
      "train step (ms)",
      g.ours.trainStepMs === null ? "n/a" : num(g.ours.trainStepMs, 1),
      t?.trainStepMs == null ? "n/a" : num(t.trainStepMs, 1),
      g.ratios.trainStep,
      "—",
      "—",
    );
    row(
      `train epoch (s, ${g.ours.stepsPerEpoch} steps, median of ${g.repeats})`,
      num(g.ours.trainEpochSeconds, 2),
      t === null ? "" : num(t.trainEpochSeconds, 2),
      g.ratios.trainEpoch,
      `≤ ${TARGETS.trainEpoch}`,
      check(g.ratios.trainEpoch, TARGETS.trainEpoch),
    );
    row(
      "full-rank eval (s)",
      num(g.ours.fullRankSeconds, 2),
      t === null ? "" : num(t.fullRankSeconds, 2),
      g.ratios.fullRankEval,
      `≤ ${TARGETS.fullRankEval}`,
      check(g.ratios.fullRankEval, TARGETS.fullRankEval),
    );
    const rssTarget = g.name === "beauty-synthetic";
    row(
      "peak RSS (MiB)",
      num(g.peakRssMiB, 0),
      t === null ? "" : num(t.peakRssMiB, 0),
      g.ratios.peakRss,
      rssTarget ? `≤ ${TARGETS.peakRssMiB} MiB` : "—",
      rssTarget ? (g.peakRssMiB <= TARGETS.peakRssMiB ? "✓" : "✗") : "—",
    );
    if (g.paper !== null) {
      const p = g.paper.ours;
      const pt = g.paper.torch.available ? g.paper.torch.result : null;
      const label = `d = ${p.dim}, ${p.layers} layers, batch ${p.batchSize}`;
      const cell = (value: number | undefined) =>
        value === undefined ? (g.paper?.torch.available ? "n/a" : "n/a (no torch)") : num(value, 2);
      lines.push(
        `| paper settings: train epoch (s; ${label}) | ${g.name} | ${num(p.epochSeconds, 2)} | ${cell(pt?.trainEpochSeconds)} | ${ratio(p.epochSeconds, pt?.trainEpochSeconds)?.toFixed(2) ?? "n/a"} | ≤ ${TARGETS.paperEpochSeconds} s | ${p.epochSeconds <= TARGETS.paperEpochSeconds ? "✓" : "✗"} |`,
        `| paper settings: full validation (s; K = 10/20/50, every metric) | ${g.name} | ${num(p.validationSeconds, 2)} | ${cell(pt?.fullRankSeconds)} | ${ratio(p.validationSeconds, pt?.fullRankSeconds)?.toFixed(2) ?? "n/a"} | ≤ ${TARGETS.paperValidationSeconds} s | ${p.validationSeconds <= TARGETS.paperValidationSeconds ? "✓" : "✗"} |`,
      );
    }
    if (g.encoding !== null)
      lines.push(
        `| text encoding, ${g.encoding.encoder} (items/s, ${g.encoding.items} texts) | ${g.name} | ${num(g.encoding.itemsPerSecond, 1)} | — | n/a | — | — |`,
      );
  }
  lines.push("");
  for (const g of report.graphs) {
    lines.push(
      `- ${g.name} (${g.source}): ${g.users} users × ${g.items} items × ${g.interactions} train interactions; ${g.truthUsers} users ranked`,
    );
  }
  for (const s2 of report.skipped) lines.push(`- skipped ${s2.graph}: ${s2.reason}`);
  for (const n of notes) lines.push(`- ${n}`);
  lines.push(
    "- ours (kernels on every core, as PyTorch): propagation = one layer as training computes it, on data in the kernels' memory: the `sumShared` kernel of @llminit/kernels (pre-scaled rows summed unweighted, pairs shared by many rows summed once) as `sharedProductsFor` picks it for the training graph, else the `pullRows` kernel (also timed); floor = (CSR + X read once + output written once) ÷ the copy bandwidth of a 64 MiB `TypedArray.set`; " +
      "step = median full-batch step of `trainModel` (progress ticks: sampling, forward, backward, Adam); epoch = `trainModel` epoch seconds; " +
      "eval = `evaluateFullRanking` with `createKernelRanking` (the `scoreTransposed` and `topKRows` kernels over the same threads); paper settings = 2 epochs of `trainModel`, each validated on the held-out items as the pipeline does; the validation time is then measured on the trained embeddings like the eval row (PyTorch: the same script with d = 128, 2 layers, batch 256, top-50). " +
      "Peak RSS = process peak so far (`process.resourceUsage().maxRSS`).",
    "- PyTorch: `torch.sparse.mm` on a coalesced COO Â; LightGCN with full propagation per step, BPR + L2, Adam; eval = `U @ Iᵀ` in user chunks, train masked, `torch.topk`.",
  );
  return `${lines.join("\n")}\n`;
}
