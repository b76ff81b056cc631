// Parses synthetic Amazon-2014-style metadata (Python-literal lines) through readAmazonMeta.
// Run after `pnpm run build`: node bench/read-meta.mjs [lines]
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { readAmazonMeta } from "../dist/index.js";

const n = Number(process.argv[2] ?? 200_000);
const related = Array.from({ length: 40 }, (_, i) => `'B00${String(i).padStart(7, "0")}'`).join(", ");
const lines = [];
for (let k = 0; k < n; k++) {
  lines.push(
    `{'asin': 'B${String(k).padStart(9, "0")}', 'description': "A long description of the product, it\\'s great: ${"words ".repeat(60)}", ` +
      `'title': 'Product \\'${k}\\' &amp; more', 'price': 12.5, 'salesRank': {'Beauty': ${k}}, 'related': {'also_bought': [${related}]}, ` +
      `'brand': 'Brand${k % 100}', 'categories': [['Beauty', 'Skin Care', 'Face'], ['Beauty', 'Gifts']]}`,
  );
}
const dir = mkdtempSync(join(tmpdir(), "llminit-bench-"));
const file = join(dir, "meta_X.json.gz");
const text = lines.join("\n");
writeFileSync(file, gzipSync(text, { level: 1 }));
const t0 = performance.now();
const meta = await readAmazonMeta(file);
const ms = performance.now() - t0;
console.log(
  `${n} meta lines (${(text.length / 2 ** 20).toFixed(0)} MB text): ${ms.toFixed(0)} ms, ${(text.length / 2 ** 20 / (ms / 1000)).toFixed(1)} MB/s, ${meta.size} items`,
);
rmSync(dir, { recursive: true, force: true });
