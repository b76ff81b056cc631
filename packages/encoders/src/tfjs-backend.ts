import type { Logger } from "@llminit/core";
import { NotAvailableError } from "@llminit/core";
import type * as TfjsCore from "@tensorflow/tfjs-core";
import { useLitePackageMissing } from "./use-lite-constants.js";

type Tfjs = typeof TfjsCore;

/**
 * Registers and selects a TensorFlow.js backend on first use (never at module import):
 * `"wasm"` (ships its .wasm, works offline) falls back to `"cpu"` when it cannot start.
 * Returns the tfjs-core module.
 */
export async function setupTfjsBackend(preferred: "wasm" | "cpu", logger: Logger): Promise<Tfjs> {
  const tf = await import("@tensorflow/tfjs-core").catch((cause: unknown) => {
    throw useLitePackageMissing("@tensorflow/tfjs-core", cause);
  });
  if (preferred === "wasm") {
    try {
      if (tf.findBackendFactory("wasm") === null) await import("@tensorflow/tfjs-backend-wasm");
      if (await tf.setBackend("wasm")) {
        await tf.ready();
        return tf;
      }
      logger.log("warn", "tfjs wasm backend failed to start; falling back to cpu");
    } catch (error) {
      logger.log("warn", "tfjs wasm backend failed to load; falling back to cpu", { error: String(error) });
    }
  }
  if (tf.findBackendFactory("cpu") === null)
    await import("@tensorflow/tfjs-backend-cpu").catch((cause: unknown) => {
      throw useLitePackageMissing("@tensorflow/tfjs-backend-cpu", cause);
    });
  if (!(await tf.setBackend("cpu"))) {
    throw new NotAvailableError("tfjs cpu backend", "failed to start", "Reinstall @tensorflow/tfjs-backend-cpu");
  }
  await tf.ready();
  return tf;
}
