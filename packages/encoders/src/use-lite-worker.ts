/**
 * Worker-thread entry of the USE-lite encoder: loads its own TensorFlow.js backend and model,
 * then answers `embed` requests. Started by {@link createUseLiteEncoder}; not imported by index.
 */
import { parentPort, workerData } from "node:worker_threads";
import { loadUseLiteModel } from "./use-lite-model.js";
import type { UseLiteModel } from "./use-lite-model.js";
import type { WorkerInit, WorkerReply, WorkerRequest } from "./worker-pool.js";

async function main(): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error("use-lite-worker must run in a worker thread");
  const init = workerData as WorkerInit;
  let model: UseLiteModel;
  try {
    model = await loadUseLiteModel({ backend: init.backend, modelDir: init.modelDir });
  } catch (error) {
    port.postMessage({
      type: "error",
      id: -1,
      message: String(error instanceof Error ? error.message : error),
    } satisfies WorkerReply);
    return;
  }
  port.on("message", (request: WorkerRequest) => {
    if (request.type === "close") {
      model.dispose();
      port.close();
      return;
    }
    model.embed(request.texts).then(
      (data) =>
        port.postMessage({ type: "result", id: request.id, data } satisfies WorkerReply, [data.buffer as ArrayBuffer]),
      (error: unknown) =>
        port.postMessage({
          type: "error",
          id: request.id,
          message: String(error instanceof Error ? error.message : error),
        } satisfies WorkerReply),
    );
  });
  port.postMessage({ type: "ready", id: -1, backend: model.backend } satisfies WorkerReply);
}

void main();
