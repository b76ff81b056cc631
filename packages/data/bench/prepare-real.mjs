// Times prepareDataset (paper protocol, seed 2020) on the real datasets. Run after `pnpm run build`:
//   node bench/prepare-real.mjs [dataDir]   (default: $LLMINIT_DATA_DIR or ../../../shared/data)
import { createHash } from "node:crypto";
import { resolve } from "node:path";
import { createRng, RecordingLogger } from "@llminit/core";
import { prepareDataset } from "../dist/index.js";

const dataDir =
  process.argv[2] ?? process.env.LLMINIT_DATA_DIR ?? resolve(import.meta.dirname, "../../../../shared/data");
for (const name of ["ml-100k", "amazon-office-products"]) {
  for (let rep = 0; rep < 3; rep++) {
    const logger = new RecordingLogger();
    const t0 = performance.now();
    const p = await prepareDataset(name, { dataDir, rng: createRng(2020), download: false, logger });
    const ms = performance.now() - t0;
    const rows = [];
    for (let u = 0; u < p.split.users.size; u++) {
      const item = (csr) => p.split.items.idOf(csr.indices[csr.indptr[u]]);
      rows.push(`${p.split.users.idOf(u)}:${item(p.split.valid)}:${item(p.split.test)}`);
    }
    const digest = createHash("sha256").update(rows.join("\n")).digest("hex").slice(0, 16);
    console.log(
      `${name} run ${rep + 1}: ${ms.toFixed(0)} ms, split digest ${digest}, first users ${rows.slice(0, 3).join(" ")}, rss ${process.memoryUsage().rss >> 20} MB`,
    );
    if (rep === 0) for (const r of logger.records) console.log(`  [${r.level}] ${r.message}`);
    if (rep === 0) console.log(`  texts: ${JSON.stringify(p.itemTexts.slice(0, 2))}`);
  }
}
