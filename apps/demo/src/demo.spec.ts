import { existsSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStaticServer } from "./static-server.js";
import type { StaticServer } from "./static-server.js";

const CHROMIUM = "/usr/bin/chromium";
const DIST = fileURLToPath(new URL("../dist/", import.meta.url));
const DATA = process.env.LLMINIT_DATA_DIR ?? fileURLToPath(new URL("../../../../shared/data/", import.meta.url));
const ML100K = join(DATA, "ml-100k");
/** Where the screenshot goes: outside the repository. */
const SCREENSHOT = process.env.LLMINIT_DEMO_SCREENSHOT ?? join(tmpdir(), "llminit-demo.png");
const LONG = 10 * 60_000;
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"];

const skipReason = !existsSync(CHROMIUM)
  ? `${CHROMIUM} is missing (.ci/run installs Debian's chromium)`
  : !existsSync(join(DIST, "index.html"))
    ? `${DIST}index.html is missing: run pnpm build first`
    : "";
if (skipReason !== "") console.log(`demo tests skipped: ${skipReason}`);

interface DemoOutcome {
  page: Page;
  problems: string[];
  foreignRequests: string[];
  facts: string;
  summary: string;
  secondsPerEpoch: { var: number; xavier: number };
  curves: Record<"var" | "xavier", { loss: [number, number][]; ndcg: [number, number][] }>;
  points: Record<string, number>;
  lists: Record<string, string[]>;
}

let browser: Browser;
const servers: StaticServer[] = [];

beforeAll(async () => {
  if (skipReason === "") browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
}, LONG);

afterAll(async () => {
  await browser?.close();
  for (const server of servers) await server.close();
}, LONG);

/** Opens the demo from a fresh 127.0.0.1 server, starts it with `start`, waits for recommendations. */
async function runDemo(isolated: boolean, query: string, start: (page: Page) => Promise<void>): Promise<DemoOutcome> {
  const server = await startStaticServer(DIST, { isolated });
  servers.push(server);
  const page = await browser.newPage({ viewport: { width: 1100, height: 1250 } });
  const problems: string[] = [];
  const foreignRequests: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console.error: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("request", (request) => {
    if (!request.url().startsWith(server.url) && !request.url().startsWith("blob:"))
      foreignRequests.push(request.url());
  });
  await page.goto(`${server.url}?${query}`);
  await start(page);
  const notFound = () => server.requests.filter((r) => r.startsWith("404"));
  // Training progresses: both curves get points, and the page ends with both top-10 lists.
  await page.waitForFunction(
    () => Number(document.body.dataset.epochs ?? 0) >= 4 || document.body.dataset.error,
    null,
    {
      timeout: LONG,
    },
  );
  await page.waitForFunction(
    () => document.body.dataset.recommendationsFor !== undefined || document.body.dataset.error,
    null,
    {
      timeout: LONG,
    },
  );
  const error = await page.evaluate(() => document.body.dataset.error);
  expect(error, `the demo failed: ${error}`).toBeUndefined();
  await page.waitForFunction(() => document.querySelectorAll("#list-var li").length > 0);
  const outcome = await page.evaluate(() => {
    const text = (id: string) => document.getElementById(id)?.textContent ?? "";
    const points: Record<string, number> = {};
    for (const path of Array.from(document.querySelectorAll("svg path[data-series]")))
      points[`${path.closest("svg")?.id}:${path.getAttribute("data-series")}`] = Number(
        path.getAttribute("data-points"),
      );
    const lists: Record<string, string[]> = {};
    for (const id of ["list-var", "list-xavier", "history"])
      lists[id] = Array.from(document.querySelectorAll(`#${id} li`), (li) => li.textContent ?? "");
    return {
      facts: text("facts"),
      summary: text("summary"),
      secondsPerEpoch: JSON.parse(document.body.dataset.secondsPerEpoch ?? "{}") as { var: number; xavier: number },
      curves: JSON.parse(document.body.dataset.curves ?? "{}") as DemoOutcome["curves"],
      points,
      lists,
    };
  });
  problems.push(...notFound().map((r) => `served ${r}`));
  return { page, problems, foreignRequests, ...outcome };
}

function expectTrainedWithRecommendations(outcome: DemoOutcome): void {
  expect(outcome.problems).toEqual([]);
  expect(outcome.foreignRequests).toEqual([]);
  for (const chart of ["loss-chart", "ndcg-chart"])
    for (const init of ["var", "xavier"])
      expect(outcome.points[`${chart}:${init}`], `${chart} ${init}`).toBeGreaterThanOrEqual(2);
  expect(outcome.lists["list-var"]).toHaveLength(10);
  expect(outcome.lists["list-xavier"]).toHaveLength(10);
  expect(outcome.lists.history.length).toBeGreaterThan(0);
  for (const title of [...outcome.lists["list-var"], ...outcome.lists["list-xavier"]])
    expect(title.trim()).not.toBe("");
  expect(outcome.summary).toMatch(/LLMInit var: test NDCG@10 \d\.\d{4}/);
  expect(outcome.secondsPerEpoch.var).toBeGreaterThan(0);
}

describe.skipIf(skipReason !== "")("the demo in headless Chromium", () => {
  it(
    "trains on the bundled synthetic data on one thread when the page has no SharedArrayBuffer",
    { timeout: LONG },
    async () => {
      const outcome = await runDemo(false, "epochs=6", (page) => page.click("#synthetic"));
      expectTrainedWithRecommendations(outcome);
      expect(outcome.facts).toMatch(/kernels on 1 thread per model \(no SharedArrayBuffer/);
      expect(outcome.facts).toMatch(/Encoded item texts in [\d.]+ s \(\d+ items\/s, tfjs wasm\)/);
      // The titles carry the topics, so after one epoch the var start ranks far better than xavier (seeded data).
      expect(outcome.curves.var.ndcg[0][1]).toBeGreaterThan(outcome.curves.xavier.ndcg[0][1] + 0.05);
      // A recommendation for another user the visitor picks.
      await outcome.page.selectOption("#user", "5");
      await outcome.page.waitForFunction(() => document.body.dataset.recommendationsFor === "5");
      console.log(`synthetic, 1 thread: ${outcome.facts} | ${outcome.summary}`);
      await outcome.page.close();
    },
  );

  it("runs the kernels on threads when the page is cross-origin isolated", { timeout: LONG }, async () => {
    const outcome = await runDemo(true, "epochs=6", (page) => page.click("#synthetic"));
    expectTrainedWithRecommendations(outcome);
    const cores = await outcome.page.evaluate(() => navigator.hardwareConcurrency);
    expect(outcome.facts).toContain(`kernels on ${Math.min(4, cores)} thread`);
    expect(outcome.facts).toContain("cross-origin isolated page");
    console.log(`synthetic, isolated: ${outcome.facts} | ${outcome.summary}`);
    const path = existsSync(ML100K) ? SCREENSHOT.replace(/(\.png)?$/, "-synthetic.png") : SCREENSHOT;
    mkdirSync(dirname(path), { recursive: true });
    await outcome.page.screenshot({ path, fullPage: true });
    console.log(`screenshot: ${path}`);
    await outcome.page.close();
  });

  it.skipIf(!existsSync(ML100K))(
    "reads dropped RecBole atomic files (ml-100k) and recommends titled movies",
    { timeout: LONG },
    async () => {
      const outcome = await runDemo(true, "epochs=12", (page) =>
        page.setInputFiles("#files", [join(ML100K, "ml-100k.inter.gz"), join(ML100K, "ml-100k.item")]),
      );
      expectTrainedWithRecommendations(outcome);
      expect(outcome.facts).toMatch(/ml-100k: 938 users, 1008 items/);
      mkdirSync(dirname(SCREENSHOT), { recursive: true });
      await outcome.page.screenshot({ path: SCREENSHOT, fullPage: true });
      console.log(
        `ml-100k: ${outcome.facts} | ${outcome.summary} | s/epoch ${JSON.stringify(outcome.secondsPerEpoch)}`,
      );
      console.log(`screenshot: ${SCREENSHOT}`);
      await outcome.page.close();
    },
  );
});
