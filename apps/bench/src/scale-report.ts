import type { ScaleOurs, ScaleSettings } from "./scale-ours.js";
import type { TorchMeasurement, TorchOutcome } from "./speed-torch.js";
import { lineChart } from "./svg-charts.js";

/** One measured size of `pnpm bench scale`. */
export interface ScaleSize {
  name: string;
  like: string;
  users: number;
  items: number;
  interactions: number;
  duplicateDraws: number;
  generateSeconds: number;
  /** Users with a truth item (all are ranked in a full evaluation). */
  truthUsers: number;
  /** Users ranked per timed evaluation (both sides). */
  sampleUsers: number;
  /** Bytes a run must hold: parameters, Adam's moments, graph (see `modelBytes`). */
  model: { parameters: number; optimizer: number; graph: number; total: number };
  /** Whether the kernels engine can hold the run (wasm32 memory), and the largest d that fits. */
  fits: { ok: true; wasmBytes: number; largestDim: number } | { ok: false; message: string; largestDim: number };
  ours: ScaleOurs | null;
  /** True when ours ran in a child process of its own (its peak RSS is this size's alone). */
  oursIsolated: boolean;
  torch: TorchOutcome;
}

export interface ScaleReport {
  machine: {
    cpu: string;
    cores: number;
    node: string;
    torch: string | null;
    python: string;
    ompWaitPolicy: string;
    loadAverageStart: number[];
    loadAverageEnd: number[];
  };
  settings: ScaleSettings & { evalPairs: number; wasmLimitBytes: number };
  command: string;
  date: string;
  sizes: ScaleSize[];
  /** use-lite throughput on real item texts (null when skipped or no data). */
  encoding: {
    encoder: string;
    items: number;
    itemsPerSecond: number;
    seconds: number;
    threads: string;
    source: string;
  } | null;
}

export const SCALE_TARGETS = {
  /** ours / PyTorch, training step, at every size. */
  stepRatio: 0.5,
  /** ours / PyTorch, full evaluation, at every size. */
  evalRatio: 1.0,
  /** Step time per edge and evaluation time per pair, largest size ÷ smallest. */
  growth: 1.5,
  /** Peak RSS ÷ (parameters + optimiser state + graph). */
  rss: 2,
} as const;

/** Derived figures of one size (null where a side is missing). */
export interface ScaleDerived {
  oursStepMs: number | null;
  torchStepMs: number | null;
  stepRatio: number | null;
  oursEpochSeconds: number | null;
  torchEpochSeconds: number | null;
  /** Seconds to rank every user with a truth item (sample time × users ÷ sample). */
  oursFullEvalSeconds: number | null;
  torchFullEvalSeconds: number | null;
  evalRatio: number | null;
  oursStepNsPerEdge: number | null;
  torchStepNsPerEdge: number | null;
  oursEvalNsPerPair: number | null;
  torchEvalNsPerPair: number | null;
  rssRatio: number | null;
}

function torchResult(size: ScaleSize): TorchMeasurement | null {
  return size.torch.available ? size.torch.result : null;
}

function div(a: number | null | undefined, b: number | null | undefined): number | null {
  return a == null || b == null || !(b > 0) || !Number.isFinite(a) ? null : a / b;
}

export function deriveScale(size: ScaleSize): ScaleDerived {
  const o = size.ours;
  const t = torchResult(size);
  const scale = size.truthUsers / size.sampleUsers;
  const pairs = size.sampleUsers * size.items;
  const torchSample = t?.fullRankSeconds ?? null;
  const oursFull = o === null ? null : o.evalSampleSeconds * scale;
  const torchFull = torchSample === null ? null : torchSample * scale;
  return {
    oursStepMs: o?.trainStepMs ?? null,
    torchStepMs: t?.trainStepMs ?? null,
    stepRatio: div(o?.trainStepMs, t?.trainStepMs),
    oursEpochSeconds: o?.trainEpochSeconds ?? null,
    torchEpochSeconds: t?.trainEpochSeconds ?? null,
    oursFullEvalSeconds: oursFull,
    torchFullEvalSeconds: torchFull,
    evalRatio: div(oursFull, torchFull),
    oursStepNsPerEdge: o === null ? null : (o.trainStepMs * 1e6) / size.interactions,
    torchStepNsPerEdge: t?.trainStepMs == null ? null : (t.trainStepMs * 1e6) / size.interactions,
    oursEvalNsPerPair: o === null ? null : (o.evalSampleSeconds * 1e9) / pairs,
    torchEvalNsPerPair: torchSample === null ? null : (torchSample * 1e9) / pairs,
    rssRatio: o === null ? null : div(o.peakRssMiB * 2 ** 20, size.model.total),
  };
}

function f(value: number | null, digits: number): string {
  return value === null ? "n/a" : value.toFixed(digits);
}

function mark(value: number | null, limit: number): string {
  return value === null ? "n/a" : value <= limit ? "✓" : "✗";
}

function mib(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(0);
}

function count(n: number): string {
  return n.toLocaleString("en-US");
}

/** The Markdown page: tables of time, cost per unit and memory, the chart, the fit of each size and the method. */
export function renderScaleMarkdown(report: ScaleReport, chartFile: string): string {
  const m = report.machine;
  const s = report.settings;
  const rows = report.sizes.map((size) => ({ size, d: deriveScale(size) }));
  const lines = [
    `<!-- \`${report.command}\` on ${report.date.slice(0, 10)}; machine: ${m.cpu} × ${m.cores} cores; load average ${m.loadAverageStart.map((x) => x.toFixed(2)).join("/")} at start, ${m.loadAverageEnd.map((x) => x.toFixed(2)).join("/")} at end. Timings on a shared machine depend on its load. -->`,
    "",
    "## Scale: cost growth from 0.2 M to 20 M interactions, ours vs PyTorch on the same CPU",
    "",
    `machine: ${m.cpu} × ${m.cores} cores, node ${m.node}, torch ${m.torch ?? "n/a"} (${m.python}, OMP_WAIT_POLICY=${m.ompWaitPolicy}), ${s.threads} threads on both sides; ` +
      `load average ${m.loadAverageStart.map((x) => x.toFixed(2)).join("/")} at start, ${m.loadAverageEnd.map((x) => x.toFixed(2)).join("/")} at end`,
    `settings: LightGCN, d = ${s.dim}, ${s.layers} layers, batch ${s.batchSize}, BPR + L2 + Adam, full propagation every step; ` +
      `step = median of ≥ ${s.steps} full-batch steps and ≥ ${s.minStepSeconds} s of them after ${s.warmupSteps} warm-up steps, epoch = steps per epoch × step; ` +
      `evaluation = top-${s.topK}, train masked, median of ${s.evalRepeats} after ${s.evalWarmups} warm-up, on a fixed sample of ⌊${count(s.evalPairs)} ÷ items⌋ users where there are more, scaled to every user; seed ${s.seed}`,
    "",
    `![log-log: time against interactions](${chartFile})`,
    "",
    "### Time",
    "",
    `| size | users × items × interactions | step ours (ms) | step PyTorch (ms) | ours / PyTorch (≤ ${SCALE_TARGETS.stepRatio}) | epoch ours (s) | epoch PyTorch (s) | users ranked per timing | full eval ours (s) | full eval PyTorch (s) | ours / PyTorch (≤ ${SCALE_TARGETS.evalRatio}) |`,
    "|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const { size, d } of rows)
    lines.push(
      `| ${size.name} (${size.like}) | ${count(size.users)} × ${count(size.items)} × ${count(size.interactions)} | ${f(d.oursStepMs, 1)} | ${f(d.torchStepMs, 1)} | ${f(d.stepRatio, 2)} ${mark(d.stepRatio, SCALE_TARGETS.stepRatio)} | ` +
        `${f(d.oursEpochSeconds, 1)} | ${f(d.torchEpochSeconds, 1)} | ${count(size.sampleUsers)} of ${count(size.truthUsers)} | ${f(d.oursFullEvalSeconds, 2)} | ${f(d.torchFullEvalSeconds, 2)} | ${f(d.evalRatio, 2)} ${mark(d.evalRatio, SCALE_TARGETS.evalRatio)} |`,
    );
  lines.push(
    "",
    "### Cost per unit of work",
    "",
    "| size | step ours (ns per edge) | step PyTorch (ns per edge) | eval ours (ns per user × item pair) | eval PyTorch (ns per pair) |",
    "|---|---|---|---|---|",
  );
  for (const { size, d } of rows)
    lines.push(
      `| ${size.name} | ${f(d.oursStepNsPerEdge, 1)} | ${f(d.torchStepNsPerEdge, 1)} | ${f(d.oursEvalNsPerPair, 3)} | ${f(d.torchEvalNsPerPair, 3)} |`,
    );
  if (rows.length >= 2) {
    const first = rows[0];
    const last = rows[rows.length - 1];
    const growth = (key: keyof ScaleDerived) => div(last.d[key], first.d[key]);
    const g = {
      oursStep: growth("oursStepNsPerEdge"),
      torchStep: growth("torchStepNsPerEdge"),
      oursEval: growth("oursEvalNsPerPair"),
      torchEval: growth("torchEvalNsPerPair"),
    };
    lines.push(
      `| growth ${first.size.name} → ${last.size.name} (ours ≤ ${SCALE_TARGETS.growth}×) | ${f(g.oursStep, 2)}× ${mark(g.oursStep, SCALE_TARGETS.growth)} | ${f(g.torchStep, 2)}× | ${f(g.oursEval, 2)}× ${mark(g.oursEval, SCALE_TARGETS.growth)} | ${f(g.torchEval, 2)}× |`,
    );
  }
  lines.push(
    "",
    "### Memory",
    "",
    `| size | parameters + Adam + graph (MiB) | peak RSS ours (MiB) | ours ÷ that (≤ ${SCALE_TARGETS.rss}) | RSS ours before training (MiB) | peak RSS PyTorch (MiB) | wasm memory, d = ${s.dim} (GiB of 4) | largest d the kernels engine holds |`,
    "|---|---|---|---|---|---|---|---|",
  );
  for (const { size, d } of rows) {
    const t = torchResult(size);
    const wasm = size.fits.ok ? (size.fits.wasmBytes / 2 ** 30).toFixed(2) : "over 4: refused";
    lines.push(
      `| ${size.name} | ${mib(size.model.total)} (${mib(size.model.parameters)} + ${mib(size.model.optimizer)} + ${mib(size.model.graph)}) | ${f(size.ours?.peakRssMiB ?? null, 0)}${size.oursIsolated || size.ours === null ? "" : " (in-process)"} | ${f(d.rssRatio, 2)} ${mark(d.rssRatio, SCALE_TARGETS.rss)} | ` +
        `${f(size.ours?.startRssMiB ?? null, 0)} | ${f(t?.peakRssMiB ?? null, 0)} | ${wasm} | ${size.fits.largestDim} |`,
    );
  }
  lines.push("", "### Which sizes fit the kernels engine", "");
  for (const { size } of rows) {
    lines.push(
      size.fits.ok
        ? `- ${size.name}: fits. At d = ${s.dim} its run takes ${(size.fits.wasmBytes / 2 ** 30).toFixed(2)} GiB of the 4 GiB a wasm32 memory can address (every table is nodes × d floats: parameters, gradient, two Adam moments, ${s.layers} layer outputs and 5 scratch tables, plus Â as CSR, ${(16 * size.interactions) / 2 ** 20 < 1024 ? `${((16 * size.interactions) / 2 ** 20).toFixed(0)} MiB` : `${((16 * size.interactions) / 2 ** 30).toFixed(2)} GiB`}); up to d = ${size.fits.largestDim} fits.`
        : `- ${size.name}: does not fit; the run stops before training: ${size.fits.message}`,
    );
  }
  if (report.encoding !== null) {
    const e = report.encoding;
    lines.push(
      "",
      "### Text encoding",
      "",
      "| encoder | item texts | items/s | seconds | threads |",
      "|---|---|---|---|---|",
      `| ${e.encoder} | ${count(e.items)} | ${e.itemsPerSecond.toFixed(1)} | ${e.seconds.toFixed(1)} | ${e.threads} |`,
      "",
      `Texts: distinct real item texts recombined from ${e.source}; one \`encodeCatalog\` call, empty cache, items/s of encoder time.`,
    );
  }
  const notes: string[] = [];
  for (const { size } of rows) {
    if (!size.torch.available) notes.push(`- ${size.name}: PyTorch ${size.torch.reason}: ${size.torch.detail}`);
    notes.push(
      `- ${size.name}: generated in ${size.generateSeconds.toFixed(1)} s (${count(size.duplicateDraws)} repeated draws redrawn); ours: setup ${f(size.ours?.setupSeconds ?? null, 1)} s (adjacency, shared-sums plan, engine), ${size.ours?.timedSteps ?? 0} steps timed, backend ${size.ours?.backend ?? "n/a"}; PyTorch: ${size.torch.available ? `${size.torch.result.timedSteps ?? "?"} steps timed` : "n/a"}`,
    );
  }
  lines.push(
    "",
    "### How it is measured",
    "",
    "- Graphs: `generatePowerLawGraph` (Zipf 0.8 weights on shuffled user and item ranks, deduplicated, every user and item at least once, exact counts), one held-out item per user as the truth; the counts are those of Amazon Beauty, Gowalla and MovieLens-20M.",
    "- Ours: a child process per size (`dist/scale-child.js`) runs `trainModel` (kernels engine, every step as in training: negative sampling, full propagation, backward, Adam) and stops it through its abort signal once the steps are timed; evaluation = `evaluateFullRanking` with `createKernelRanking` on random embeddings. Peak RSS = the child's `maxRSS` (graph loaded, training, evaluation).",
    "- PyTorch: `python/speed_torch.py --steps … --eval-truth-users`: `torch.sparse.mm` on a coalesced COO Â, the same loss, optimiser and negatives; evaluation = `U @ Iᵀ` on the same user sample, train masked, `torch.topk`. Peak RSS = its `ru_maxrss`.",
    "- Parameters + Adam + graph = 3 × (users + items) × d × 4 B + Â as CSR (int32 indices, float32 values) + the train CSR negative sampling reads.",
    ...notes,
  );
  return `${lines.join("\n")}\n`;
}

/** Log-log chart: step and full-evaluation time (ms) of both sides against interactions. */
export function renderScaleChart(report: ScaleReport): string {
  const rows = report.sizes.map((size) => ({ size, d: deriveScale(size) }));
  const series = (label: string, pick: (d: ScaleDerived) => number | null, factor: number) => ({
    label,
    points: rows
      .map(({ size, d }) => ({ x: size.interactions, y: (pick(d) ?? NaN) * factor }))
      .filter((p) => Number.isFinite(p.y) && p.y > 0),
  });
  return lineChart({
    id: "scale-chart",
    kind: "scale",
    title: "Training step and full evaluation against graph size (log-log)",
    xLabel: "interactions",
    yLabel: "time (ms)",
    xLog2: false,
    logLog: true,
    series: [
      series("step, ours", (d) => d.oursStepMs, 1),
      series("step, PyTorch", (d) => d.torchStepMs, 1),
      series("full eval, ours", (d) => d.oursFullEvalSeconds, 1000),
      series("full eval, PyTorch", (d) => d.torchFullEvalSeconds, 1000),
    ],
  });
}
