// A user's program against the published packages, as their READMEs show them: load a toy dataset, encode
// its items, select columns (LLMInit var), train LightGCN for an epoch, evaluate by full ranking, and train a
// model of its own (`defineModel`) for an epoch. The install test type-checks it in a fresh project without
// skipLibCheck and runs it; it prints one JSON line.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NotAvailableError, RecordingLogger, createRng } from "@llminit/core";
import { readNpy } from "@llminit/core/node";
import { DATASETS, prepareDataset } from "@llminit/data";
import { DATASETS as BROWSER_DATASETS } from "@llminit/data/browser";
import { createEncoder, encodeCatalog } from "@llminit/encoders";
import { USE_LITE_DIMENSION } from "@llminit/encoders/browser";
import { kernelsSupported } from "@llminit/kernels";
import { createKernelRanking, evaluateFullRanking } from "@llminit/metrics";
import { getModel, modelDefaults, modelNames, trainModel } from "@llminit/models";
import type { TrainConfig } from "@llminit/models";
import { defineModel } from "@llminit/models/define";
import { RUN_OPTIONS } from "@llminit/pipeline";
import { writeToyDataset } from "@llminit/pipeline/testing";
import { llminitInit } from "@llminit/selection";
import { main as cliMain } from "@llminit/cli";

const root = await mkdtemp(join(tmpdir(), "llminit-consumer-"));
try {
  const toy = await writeToyDataset(root);
  const rng = createRng(2020);
  const { split, itemTexts } = await prepareDataset(toy.dir, { rng, download: false });

  const encoder = await createEncoder(toy.encoder);
  const items = itemTexts.map((text, i) => ({ id: split.items.idOf(i), text }));
  const { matrix } = await encodeCatalog(encoder, items, { cacheDir: join(root, "cache") });
  await encoder.dispose();

  const init = llminitInit(matrix, split.train, { strategy: "var", dim: 8, rng: rng.child("init") });
  const logger = new RecordingLogger();
  const config: TrainConfig = { ...modelDefaults.lightgcn, dim: 8, epochs: 1, batchSize: 64, learningRate: 0.01 };
  const result = await trainModel({
    train: split.train,
    config,
    init: { kind: "pretrained", user: init.user, item: init.item },
    rng: rng.child("train"),
    logger,
  });

  const ranking = createKernelRanking();
  const evaluation = await evaluateFullRanking({
    numUsers: split.train.rows,
    numItems: split.train.cols,
    rank: ranking.ranker(result.final.user, result.final.item),
    truth: split.test,
    exclude: [split.train, split.valid],
    ks: [10],
  });
  ranking.dispose();

  // A model of the user's own, as the models README writes one: LightGCN scoring with layers 1…K only.
  const lightgcnNoEgo = defineModel<{ layers: number }>({
    name: "lightgcn-no-ego",
    title: "LightGCN without layer 0",
    summary: "BPR + L2 on the mean of propagated layers 1…K",
    reference: "an example",
    defaults: { dim: 8, learningRate: 0.01, regWeight: 1e-4, batchSize: 64, epochs: 1, patience: 10 },
    options: { layers: { kind: "integer", default: 2, min: 1, help: "propagation layers K" } },
    negatives: true,
    loss: (b, batch, o) =>
      b.sum(
        b.bpr(b.propagate({ layers: o.layers, includeEgo: false, rows: batch.triples }).mean),
        b.scale(b.l2(batch.triples), o.regWeight / batch.size),
      ),
    embed: (b, o) => b.propagate({ layers: o.layers, includeEgo: false }).mean,
    isolatedScale: () => 0,
  });
  const own = await trainModel({
    train: split.train,
    models: [lightgcnNoEgo],
    config: { model: "lightgcn-no-ego" },
    init: { kind: "xavier" },
    rng: rng.child("own"),
  });

  // The tfjs engine's packages are optional peers: absent here, asking for them names what to install.
  let tfjsMissing = "";
  try {
    await trainModel({ train: split.train, config, init: { kind: "xavier" }, rng, engine: "tfjs" });
  } catch (error) {
    if (!(error instanceof NotAvailableError)) throw error;
    tfjsMissing = error.message;
  }

  const vectors = await readNpy(toy.encoder.slice("file:".length));
  console.log(
    JSON.stringify({
      users: split.train.rows,
      items: split.train.cols,
      columns: Array.from(init.columns),
      engine: result.engine,
      backend: result.backend,
      epochsRun: result.epochsRun,
      loss: result.history[0]?.loss,
      ownModel: { epochsRun: own.epochsRun, loss: own.history[0]?.loss, layers: own.settings.layers },
      models: modelNames(),
      lightgcnDim: getModel("lightgcn").defaults.dim,
      ndcg10: evaluation.metrics["ndcg@10"],
      warnings: logger.records.filter((r) => r.level === "warn").map((r) => r.message),
      tfjsMissing,
      kernels: kernelsSupported(),
      sameRegistry: DATASETS.length === BROWSER_DATASETS.length,
      useLiteDimension: USE_LITE_DIMENSION,
      runOptions: RUN_OPTIONS.length,
      cli: typeof cliMain,
      vectorShape: vectors.shape,
    }),
  );
} finally {
  await rm(root, { recursive: true, force: true });
}
