// The demo page: hands the data to the worker, draws the live curves, shows the recommendations.
import { drawLineChart } from "./chart.js";
import type { DemoInit } from "./experiment.js";
import type { DroppedFile } from "./parse-files.js";
import type { FromWorker, ToWorker } from "./protocol.js";

const COLORS: Record<DemoInit, string> = { var: "#1f6fd1", xavier: "#e07b1a" };
const LABELS: Record<DemoInit, string> = { var: "LLMInit var", xavier: "xavier" };

function element<T extends HTMLElement | SVGSVGElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`demo: #${id} is missing from the page`);
  return found as T;
}

const status = element<HTMLParagraphElement>("status");
const facts = element<HTMLParagraphElement>("facts");
const syntheticButton = element<HTMLButtonElement>("synthetic");
const backendSelect = element<HTMLSelectElement>("backend");
const drop = element<HTMLDivElement>("drop");
const fileInput = element<HTMLInputElement>("files");
const results = element<HTMLElement>("results");
const summary = element<HTMLParagraphElement>("summary");
const userSelect = element<HTMLSelectElement>("user");
const history = element<HTMLOListElement>("history");
const lossChart = element<SVGSVGElement>("loss-chart");
const ndcgChart = element<SVGSVGElement>("ndcg-chart");

const curves: Record<DemoInit, { loss: [number, number][]; ndcg: [number, number][] }> = {
  var: { loss: [], ndcg: [] },
  xavier: { loss: [], ndcg: [] },
};
let worker: Worker | undefined;
let trainHistories: string[][] = [];

function redraw(): void {
  const inits: DemoInit[] = ["var", "xavier"];
  drawLineChart(
    lossChart,
    inits.map((init) => ({ name: init, color: COLORS[init], points: curves[init].loss })),
  );
  drawLineChart(
    ndcgChart,
    inits.map((init) => ({ name: init, color: COLORS[init], points: curves[init].ndcg })),
  );
}

function fillList(list: HTMLOListElement, items: readonly { title: string; hit?: boolean }[]): void {
  list.replaceChildren(
    ...items.map((item) => {
      const li = document.createElement("li");
      li.textContent = item.hit === true ? `★ ${item.title}` : item.title;
      if (item.hit === true) li.className = "hit";
      return li;
    }),
  );
}

function onMessage(message: FromWorker): void {
  switch (message.type) {
    case "status":
      status.textContent = message.text;
      break;
    case "data":
      facts.textContent =
        `${message.name}: ${message.users} users, ${message.items} items, ${message.interactions} interactions after ` +
        `filtering; kernels on ${message.threads} thread${message.threads === 1 ? "" : "s"} per model ` +
        `(${message.crossOriginIsolated ? "cross-origin isolated page" : "no SharedArrayBuffer: one thread"}).`;
      break;
    case "encoded":
      facts.textContent += ` Encoded item texts in ${message.seconds.toFixed(1)} s (${message.itemsPerSecond.toFixed(0)} items/s, tfjs ${message.backend}).`;
      break;
    case "epoch": {
      const { init, record } = message;
      curves[init].loss.push([record.epoch, record.loss]);
      if (record.valid !== undefined) curves[init].ndcg.push([record.epoch, record.valid]);
      status.textContent = `training: ${LABELS[init]} epoch ${record.epoch}, loss ${record.loss.toFixed(4)}, valid NDCG@10 ${record.valid?.toFixed(4) ?? "–"} (${record.seconds.toFixed(2)} s)`;
      document.body.dataset.epochs = String(curves.var.loss.length + curves.xavier.loss.length);
      document.body.dataset.curves = JSON.stringify(curves);
      redraw();
      break;
    }
    case "trained": {
      const parts = (["var", "xavier"] as DemoInit[]).map((init) => {
        const r = message.results[init];
        return (
          `${LABELS[init]}: test NDCG@10 ${r.test["ndcg@10"].toFixed(4)}, Recall@10 ${r.test["recall@10"].toFixed(4)} ` +
          `(best epoch ${r.bestEpoch} of ${r.epochsRun}, ${r.secondsPerEpoch.toFixed(3)} s/epoch)`
        );
      });
      summary.textContent = `${parts.join(" · ")}. Kernels: ${message.results.var.backend}.`;
      document.body.dataset.secondsPerEpoch = JSON.stringify({
        var: message.results.var.secondsPerEpoch,
        xavier: message.results.xavier.secondsPerEpoch,
      });
      trainHistories = message.users.map((u) => u.trainTitles);
      userSelect.replaceChildren(
        ...message.users.map((u) => {
          const option = document.createElement("option");
          option.value = String(u.index);
          option.textContent = `${u.id} (${u.trainTitles.length} items)`;
          return option;
        }),
      );
      results.hidden = false;
      status.textContent = "Done. Pick a user to see their top 10.";
      requestRecommendations();
      break;
    }
    case "recommendations":
      fillList(
        history,
        (trainHistories[message.user] ?? []).map((title) => ({ title })),
      );
      for (const init of ["var", "xavier"] as DemoInit[])
        fillList(element<HTMLOListElement>(`list-${init}`), message.lists[init]);
      document.body.dataset.recommendationsFor = String(message.user);
      break;
    case "error":
      status.textContent = `Error: ${message.message}`;
      document.body.dataset.error = message.message;
      syntheticButton.disabled = false;
      break;
  }
}

function requestRecommendations(): void {
  worker?.postMessage({ type: "recommend", user: Number(userSelect.value) } satisfies ToWorker);
}

function start(source: Extract<ToWorker, { type: "start" }>["source"], transfer: Transferable[] = []): void {
  worker?.terminate();
  for (const init of ["var", "xavier"] as DemoInit[]) curves[init] = { loss: [], ndcg: [] };
  redraw();
  results.hidden = true;
  facts.textContent = "";
  delete document.body.dataset.error;
  syntheticButton.disabled = true;
  worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
  worker.onmessage = (event: MessageEvent<FromWorker>) => {
    onMessage(event.data);
    if (event.data.type === "trained" || event.data.type === "error") syntheticButton.disabled = false;
  };
  worker.onerror = (event) => onMessage({ type: "error", message: event.message });
  const epochs = new URLSearchParams(location.search).get("epochs");
  worker.postMessage(
    {
      type: "start",
      source,
      backend: backendSelect.value,
      epochs: epochs === null ? undefined : Number(epochs),
    } satisfies ToWorker,
    transfer,
  );
}

async function startFromFiles(list: FileList | null): Promise<void> {
  if (list === null || list.length === 0) return;
  const files: DroppedFile[] = await Promise.all(
    Array.from(list, async (file) => ({ name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) })),
  );
  start(
    { kind: "files", files },
    files.map((f) => f.bytes.buffer),
  );
}

syntheticButton.addEventListener("click", () => start({ kind: "synthetic" }));
userSelect.addEventListener("change", requestRecommendations);
fileInput.addEventListener("change", () => void startFromFiles(fileInput.files));
drop.addEventListener("dragover", (event) => {
  event.preventDefault();
  drop.classList.add("over");
});
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (event) => {
  event.preventDefault();
  drop.classList.remove("over");
  void startFromFiles(event.dataTransfer?.files ?? null);
});
if (new URLSearchParams(location.search).has("autostart")) start({ kind: "synthetic" });
