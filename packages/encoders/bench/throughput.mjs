#!/usr/bin/env node
// USE-lite throughput on the real Amazon Office item texts (title + category + brand).
// Not a test: run once after `pnpm build`, read the numbers.
//   node bench/throughput.mjs [--limit N] [--threads 1,2]
// Data: $LLMINIT_DATA_DIR or <repo>/../shared/data (amazon-office-products/amazon-office-products.item).
import { readFileSync, existsSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createUseLiteEncoder, loadUseLiteModel } from "../dist/index.js";

const here = dirname(fileURLToPath(import.meta.url));
const dataDir = process.env.LLMINIT_DATA_DIR ?? join(here, "..", "..", "..", "..", "shared", "data");
const file = join(dataDir, "amazon-office-products", "amazon-office-products.item");
if (!existsSync(file)) {
  console.error(`bench: ${file} not found; set LLMINIT_DATA_DIR`);
  process.exit(1);
}
const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const lines = readFileSync(file, "utf8")
  .split("\n")
  .filter((l) => l !== "");
const header = lines[0].split("\t");
const idCol = header.indexOf("item_id:token");
const textCol = header.indexOf("text:token_seq");
let items = lines.slice(1).map((l) => {
  const f = l.split("\t");
  return { id: f[idCol], text: f[textCol] ?? "" };
});
const limit = Number(arg("limit", items.length));
items = items.slice(0, limit);
const batchSize = Number(arg("batch", 32));
const threadList = arg("threads", `1,${availableParallelism()}`).split(",").map(Number);
const results = [];
console.log(
  `items ${items.length}, batch ${batchSize}, cores ${availableParallelism()}, load average ${loadavg()[0].toFixed(2)}`,
);

// Baseline: one thread, batches in input order (no length sorting) — the plain USE-lite loop.
{
  const model = await loadUseLiteModel({ backend: "wasm" });
  await model.embed(items.slice(0, batchSize).map((i) => i.text));
  const t0 = performance.now();
  for (let s = 0; s < items.length; s += batchSize) await model.embed(items.slice(s, s + batchSize).map((i) => i.text));
  const seconds = (performance.now() - t0) / 1000;
  results.push({ run: "1 thread, input order", itemsPerSecond: items.length / seconds, seconds });
  model.dispose();
}
for (const threads of threadList) {
  const t0 = performance.now();
  const encoder = await createUseLiteEncoder({ threads, backend: "wasm" });
  const loadSeconds = (performance.now() - t0) / 1000;
  await encoder.encode(items.slice(0, batchSize * threads), { batchSize });
  const t1 = performance.now();
  await encoder.encode(items, { batchSize });
  const seconds = (performance.now() - t1) / 1000;
  results.push({
    run: `${threads} thread(s), length-sorted batches`,
    itemsPerSecond: items.length / seconds,
    seconds,
    loadSeconds,
  });
  await encoder.dispose();
}
for (const r of results) {
  console.log(
    `${r.run.padEnd(36)} ${r.itemsPerSecond.toFixed(1).padStart(7)} items/s  (${r.seconds.toFixed(1)} s${r.loadSeconds === undefined ? "" : `, load ${r.loadSeconds.toFixed(1)} s`})`,
  );
}
console.log(`load average after: ${loadavg()[0].toFixed(2)}`);
