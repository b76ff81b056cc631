// Streams a large synthetic atomic .inter.gz (default 5M rows) through readAtomicInteractions and
// reports time and peak RSS. Run after `pnpm run build`: node bench/read-large.mjs [rows]
import { createWriteStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { readAtomicInteractions } from "../dist/index.js";

const rows = Number(process.argv[2] ?? 5_000_000);
const dir = mkdtempSync(join(tmpdir(), "llminit-bench-"));
const file = join(dir, "big.inter.gz");
function* lines() {
  yield "user_id:token\titem_id:token\trating:float\ttimestamp:float\n";
  let batch = "";
  for (let k = 0; k < rows; k++) {
    batch += `A${String((k * 2654435761) % 200000).padStart(13, "0")}\tB${(k * 40503) % 50000}\t${1 + (k % 5)}.0\t${1400000000 + k}\n`;
    if (batch.length > 1 << 16) {
      yield batch;
      batch = "";
    }
  }
  yield batch;
}
await pipeline(Readable.from(lines()), createGzip({ level: 1 }), createWriteStream(file));
let peak = 0;
const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
const t0 = performance.now();
const log = await readAtomicInteractions(file);
const ms = performance.now() - t0;
clearInterval(timer);
console.log(
  `${rows} rows (${(statSync(file).size / 2 ** 20).toFixed(0)} MB gz): ${ms.toFixed(0)} ms, ${(((rows / ms) * 1000) / 1e6).toFixed(2)} M rows/s, ` +
    `${log.users.size} users, ${log.items.size} items, peak rss ${(peak / 2 ** 20).toFixed(0)} MB`,
);
rmSync(dir, { recursive: true, force: true });
