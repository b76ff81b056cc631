// `pnpm --filter @llminit/demo speed [--data FILE …] [--threads N]` (after `pnpm build`): the demo's experiment in
// Node, to set beside the seconds per epoch the page shows for the same data. The same parser, filter, split,
// USE-lite encoder (Node's wasm backend), var/xavier inits and LightGCN configuration as the page.
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { cpus, loadavg } from "node:os";
import { createUseLiteEncoder } from "@llminit/encoders";
import { DEMO_CONFIG, DEMO_INITS, prepareData, trainBoth } from "./experiment.js";
import { readDroppedFiles } from "./parse-files.js";
import { syntheticDataset } from "./synthetic.js";

const args = process.argv.slice(2);
const files = args.flatMap((arg, i) => (args[i - 1] === "--data" ? [arg] : []));
const threadsIndex = args.indexOf("--threads");
const threads = threadsIndex >= 0 ? Number(args[threadsIndex + 1]) : 1;

const data =
  files.length === 0
    ? syntheticDataset()
    : await readDroppedFiles(files.map((file) => ({ name: basename(file), bytes: readFileSync(file) })));
const prepared = prepareData(data);
const encoder = await createUseLiteEncoder({ threads: 1 });
const started = performance.now();
const encoded = await encoder.encode(prepared.itemTexts.map((text, i) => ({ id: prepared.split.items.idOf(i), text })));
const encodeSeconds = (performance.now() - started) / 1000;
await encoder.dispose();
const load = loadavg()[0];
const results = await trainBoth(prepared, encoded, { threads });
const report = {
  dataset: prepared.name,
  users: prepared.split.train.rows,
  items: prepared.split.train.cols,
  config: { dim: DEMO_CONFIG.dim, layers: DEMO_CONFIG.layers, batchSize: DEMO_CONFIG.batchSize },
  threads,
  encodeSeconds,
  secondsPerEpoch: Object.fromEntries(DEMO_INITS.map((init) => [init, results[init].secondsPerEpoch])),
  epochs: Object.fromEntries(DEMO_INITS.map((init) => [init, results[init].epochsRun])),
  bestValid: Object.fromEntries(DEMO_INITS.map((init) => [init, results[init].bestValid])),
  node: process.version,
  cores: cpus().length,
  loadAverageBefore: load,
  loadAverageAfter: loadavg()[0],
};
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
