import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { CHROMIUM_PATH } from "./chromium-global-setup.js";

export interface RenderedChart {
  id: string;
  kind: string;
  title: string;
  /** data-marks: what the generator drew. */
  declaredMarks: number;
  /** Elements with class "mark" in the DOM. */
  marks: number;
  /** Marks with a non-empty rendered bounding box. */
  visibleMarks: number;
  width: number;
  height: number;
}

export interface RenderResult {
  charts: RenderedChart[];
  /** Console messages of type error or warning, and uncaught page errors. */
  problems: string[];
  tables: number;
  /** Table cells carrying a paired test (`td[data-p]`), and those marked significant (visible †). */
  testedCells: number;
  significantMarks: number;
}

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * Opens an HTML file in Debian's headless Chromium and measures every `svg[data-chart]`;
 * `screenshot` (a .png path) also saves the whole page.
 */
export async function renderInChromium(file: string, screenshot?: string): Promise<RenderResult> {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS, headless: true });
  try {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error" || message.type() === "warning")
        problems.push(`console.${message.type()}: ${message.text()}`);
    });
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    page.on("requestfailed", (request) => problems.push(`request failed: ${request.url()}`));
    await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
    const charts = await page.$$eval("svg[data-chart]", (svgs) =>
      svgs.map((svg) => {
        const box = svg.getBoundingClientRect();
        const marks = Array.from(svg.querySelectorAll(".mark")) as Array<typeof svg>;
        return {
          id: svg.id,
          kind: svg.getAttribute("data-chart") ?? "",
          title: svg.querySelector("title")?.textContent ?? "",
          declaredMarks: Number(svg.getAttribute("data-marks")),
          marks: marks.length,
          visibleMarks: marks.filter((m) => {
            const b = m.getBoundingClientRect();
            return b.width > 0 && b.height > 0;
          }).length,
          width: box.width,
          height: box.height,
        };
      }),
    );
    const tables = await page.$$eval("table", (t) => t.length);
    const testedCells = await page.$$eval("td[data-p]", (cells) => cells.length);
    const significantMarks = await page.$$eval(
      "td.sig .mark-sig",
      (marks) =>
        marks.filter((m) => {
          const box = m.getBoundingClientRect();
          return box.width > 0 && box.height > 0 && m.textContent === "†";
        }).length,
    );
    if (screenshot !== undefined) await page.screenshot({ path: screenshot, fullPage: true });
    return { charts, problems, tables, testedCells, significantMarks };
  } finally {
    await browser.close();
  }
}
