// `pnpm --filter @llminit/demo speed [--data FILE …] [--epochs N]` (after `pnpm build`): the demo's seconds per
// epoch in Node and in headless Chromium, on the same data with the same configuration (d, layers, batch from
// DEMO_CONFIG), one thread and two threads (Node: the kernels' worker threads; Chromium: a cross-origin isolated
// page). Prints one JSON object with the machine's load average before and after.
import { existsSync, readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { basename } from "node:path";
import { fileURLToPath } from "node:url";
import { createUseLiteEncoder } from "@llminit/encoders";
import { chromium } from "playwright-core";
import { DEMO_CONFIG, DEMO_INITS, prepareData, trainBoth } from "./experiment.js";
import { readDroppedFiles } from "./parse-files.js";
import { startStaticServer } from "./static-server.js";
import { syntheticDataset } from "./synthetic.js";

const CHROMIUM = "/usr/bin/chromium";
const args = process.argv.slice(2);
const files = args.flatMap((arg, i) => (args[i - 1] === "--data" ? [arg] : []));
const epochsIndex = args.indexOf("--epochs");
const epochs = epochsIndex >= 0 ? Number(args[epochsIndex + 1]) : 10;
// Checked before Chromium starts: a typo should cost one line, not a stack trace a minute later.
const usage = "usage: pnpm --filter @llminit/demo speed [--data FILE --data FILE] [--epochs N]";
for (const file of files) {
  if (!existsSync(file)) fail(`--data ${file}: no such file`);
}
if (!Number.isInteger(epochs) || epochs < 1) fail(`--epochs: expected an integer ≥ 1, got ${args[epochsIndex + 1]}`);

function fail(message: string): never {
  process.stderr.write(`speed: ${message}\n${usage}\n`);
  process.exit(2);
}
// As the page does with ?epochs=N.
const config = { ...DEMO_CONFIG, epochs };

async function inNode(threads: number) {
  const data =
    files.length === 0
      ? syntheticDataset()
      : await readDroppedFiles(files.map((file) => ({ name: basename(file), bytes: readFileSync(file) })));
  const prepared = prepareData(data);
  const encoder = await createUseLiteEncoder({ threads: 1 });
  const encoded = await encoder.encode(
    prepared.itemTexts.map((text, i) => ({ id: prepared.split.items.idOf(i), text })),
  );
  await encoder.dispose();
  const results = await trainBoth(prepared, encoded, { threads, config });
  return {
    dataset: prepared.name,
    users: prepared.split.train.rows,
    items: prepared.split.train.cols,
    secondsPerEpoch: Object.fromEntries(DEMO_INITS.map((init) => [init, results[init].secondsPerEpoch])),
  };
}

async function inChromium(isolated: boolean) {
  if (!existsSync(CHROMIUM)) return { skipped: `${CHROMIUM} is missing` };
  const server = await startStaticServer(fileURLToPath(new URL("../dist/", import.meta.url)), { isolated });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox"],
    headless: true,
  });
  try {
    const page = await browser.newPage();
    await page.goto(`${server.url}?epochs=${epochs}`);
    if (files.length === 0) await page.click("#synthetic");
    else await page.setInputFiles("#files", files);
    await page.waitForFunction(() => document.body.dataset.secondsPerEpoch ?? document.body.dataset.error, null, {
      timeout: 30 * 60_000,
    });
    return await page.evaluate(() => ({
      error: document.body.dataset.error,
      facts: document.getElementById("facts")?.textContent,
      secondsPerEpoch: JSON.parse(document.body.dataset.secondsPerEpoch ?? "null") as unknown,
    }));
  } finally {
    await browser.close();
    await server.close();
  }
}

const loadBefore = loadavg();
const report = {
  config: { dim: config.dim, layers: config.layers, batchSize: config.batchSize, epochs },
  node: { "1 thread": await inNode(1), "2 threads": await inNode(2) },
  chromium: { "1 thread (not isolated)": await inChromium(false), "2 threads (isolated)": await inChromium(true) },
  machine: { node: process.version, cores: cpus().length, loadAverageBefore: loadBefore, loadAverageAfter: loadavg() },
};
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
