// The demo's Web Worker: reads the data, encodes item texts with USE-lite, trains LightGCN from var and from xavier
// side by side on the kernels engine, and answers recommendation requests. The page stays responsive.
import { createUseLiteEncoder } from "@llminit/encoders/browser";
import type { BrowserBackend } from "@llminit/encoders/browser";
import type { TrainResult } from "@llminit/models";
import { DEMO_CONFIG, DEMO_INITS, prepareData, recommend, testMetrics, trainBoth } from "./experiment.js";
import type { DemoInit, PreparedData } from "./experiment.js";
import { readDroppedFiles } from "./parse-files.js";
import type { DemoUser, FromWorker, ToWorker } from "./protocol.js";
import { syntheticDataset } from "./synthetic.js";

interface WorkerScope {
  onmessage: ((event: { data: ToWorker }) => void) | null;
  postMessage(message: FromWorker): void;
  crossOriginIsolated?: boolean;
  navigator: { hardwareConcurrency?: number };
}
const scope = self as unknown as WorkerScope;
const post = (message: FromWorker) => scope.postMessage(message);

let prepared: PreparedData | undefined;
let trained: Record<DemoInit, TrainResult> | undefined;

/** Threads per training: the kernels run threads only where the page is cross-origin isolated. */
function kernelThreads(): number {
  return scope.crossOriginIsolated === true ? Math.max(1, Math.min(4, scope.navigator.hardwareConcurrency ?? 1)) : 1;
}

async function start(message: Extract<ToWorker, { type: "start" }>): Promise<void> {
  post({ type: "status", text: "reading the data…" });
  const data = message.source.kind === "synthetic" ? syntheticDataset() : await readDroppedFiles(message.source.files);
  post({ type: "status", text: "filtering (rating ≥ 4, 5-core) and splitting (random leave-one-out)…" });
  prepared = prepareData(data);
  const { split } = prepared;
  const threads = kernelThreads();
  post({
    type: "data",
    name: prepared.name,
    users: split.train.rows,
    items: split.train.cols,
    interactions: prepared.stats[prepared.stats.length - 1].interactions,
    threads,
    crossOriginIsolated: scope.crossOriginIsolated === true,
  });

  post({ type: "status", text: "loading Universal Sentence Encoder lite…" });
  const encoder = await createUseLiteEncoder({
    modelUrl: new URL("./models/use-lite/", import.meta.url),
    backend: message.backend as BrowserBackend,
    wasmPaths: new URL("./tfjs/", import.meta.url).href,
  });
  const started = performance.now();
  const items = prepared.itemTexts.map((text, i) => ({ id: split.items.idOf(i), text }));
  const encoded = await encoder.encode(items, {
    onProgress: (done, total) =>
      post({ type: "status", text: `encoding item texts with use-lite: ${done} / ${total}` }),
  });
  const seconds = (performance.now() - started) / 1000;
  const { backend } = await import("@tensorflow/tfjs-core").then((tf) => ({ backend: tf.getBackend() }));
  await encoder.dispose();
  post({ type: "encoded", seconds, itemsPerSecond: items.length / seconds, backend });

  post({ type: "status", text: "training LightGCN from var and from xavier…" });
  trained = await trainBoth(prepared, encoded, {
    threads,
    config: { ...DEMO_CONFIG, epochs: message.epochs ?? DEMO_CONFIG.epochs },
    onEpoch: (init, record) => post({ type: "epoch", init, record }),
  });
  const results = {} as Extract<FromWorker, { type: "trained" }>["results"];
  for (const init of DEMO_INITS) {
    const r = trained[init];
    results[init] = {
      bestEpoch: r.bestEpoch,
      epochsRun: r.epochsRun,
      secondsPerEpoch: r.secondsPerEpoch,
      test: await testMetrics(prepared, r),
      backend: r.backend,
    };
  }
  const users: DemoUser[] = [];
  for (let u = 0; u < split.train.rows; u++) {
    const start = split.train.indptr[u];
    const end = split.train.indptr[u + 1];
    users.push({
      index: u,
      id: split.users.idOf(u),
      trainTitles: Array.from(split.train.indices.subarray(start, end), (j) => prepared?.titles[j] ?? ""),
    });
  }
  post({ type: "trained", results, users });
}

function answer(user: number): void {
  if (prepared === undefined || trained === undefined) throw new Error("nothing trained yet");
  const data = prepared;
  const heldOut = new Set<number>();
  for (const csr of [data.split.valid, data.split.test])
    for (let k = csr.indptr[user]; k < csr.indptr[user + 1]; k++) heldOut.add(csr.indices[k]);
  const lists = {} as Record<DemoInit, { title: string; hit: boolean }[]>;
  for (const init of DEMO_INITS)
    lists[init] = recommend(data, trained[init], user).map((j) => ({ title: data.titles[j], hit: heldOut.has(j) }));
  post({ type: "recommendations", user, lists });
}

scope.onmessage = (event) => {
  const message = event.data;
  const work = message.type === "start" ? start(message) : Promise.resolve().then(() => answer(message.user));
  work.catch((error: unknown) =>
    post({ type: "error", message: error instanceof Error ? error.message : String(error) }),
  );
};
