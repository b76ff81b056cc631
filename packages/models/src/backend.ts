import type * as TfCore from "@tensorflow/tfjs-core";
import { ConfigError, NotAvailableError, silentLogger } from "@llminit/core";
import type { Logger } from "@llminit/core";
import { registerFastSegmentSum } from "./segment-sum-kernel.js";

/** The tfjs-core module namespace: every op, the engine and the kernel registry. */
export type Tf = typeof TfCore;

/** Which backend to use; "auto" tries them fastest first. */
export type BackendPreference = "auto" | "tfjs-node-gpu" | "tfjs-node" | "wasm" | "cpu";

/** The backend that was selected and the tfjs-core module it was activated in. */
export interface SelectedBackend {
  /** One of "tfjs-node-gpu", "tfjs-node", "wasm", "cpu". */
  name: Exclude<BackendPreference, "auto">;
  /** tfjs-core with that backend active. */
  tf: Tf;
}

const ORDER: readonly Exclude<BackendPreference, "auto">[] = ["tfjs-node-gpu", "tfjs-node", "wasm", "cpu"];

const INSTALL_HINT: Readonly<Record<Exclude<BackendPreference, "auto">, string>> = {
  "tfjs-node-gpu":
    "Install it with `pnpm add @tensorflow/tfjs-node-gpu@4.22.0` on a machine with internet access, CUDA 11.2 and cuDNN 8.1 (its install script downloads libtensorflow)",
  "tfjs-node":
    "Install it with `pnpm add @tensorflow/tfjs-node@4.22.0` on a machine with internet access (its install script downloads libtensorflow)",
  wasm: "Install it with `pnpm add @tensorflow/tfjs-backend-wasm@4.22.0`",
  cpu: "Install it with `pnpm add @tensorflow/tfjs-backend-cpu@4.22.0`",
};

function isBackendPreference(value: string): value is BackendPreference {
  return value === "auto" || (ORDER as readonly string[]).includes(value);
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message.split("\n")[0];
  return String(error);
}

/**
 * Imports a module by a computed specifier: the tfjs packages are optional peers, so neither TypeScript nor a
 * browser bundler may require them when the tfjs engine is not used.
 */
async function importOptional(specifier: string): Promise<unknown> {
  return import(specifier);
}

/** What to install for the tfjs engine (npm; pnpm add / yarn add take the same names). */
const TFJS_INSTALL =
  "Install the TensorFlow.js engine's packages: `npm i @tensorflow/tfjs-core@4.22.0 @tensorflow/tfjs@4.22.0 " +
  "@tensorflow/tfjs-backend-wasm@4.22.0` (CPU), plus `@tensorflow/tfjs-node-gpu@4.22.0` for a GPU; or use the " +
  "kernels engine, which needs none of them";

/** tfjs-core, or a NotAvailableError naming the packages to install. */
async function importTfjsCore(): Promise<Tf> {
  try {
    return (await importOptional("@tensorflow/tfjs-core")) as Tf;
  } catch (cause) {
    throw new NotAvailableError(
      "TensorFlow.js engine",
      `@tensorflow/tfjs-core cannot be loaded (${describe(cause)})`,
      TFJS_INSTALL,
      { cause },
    );
  }
}

/**
 * tfjs-core's Node bundle ships no gradient functions; the `@tensorflow/tfjs` bundle registers
 * all of them in the registry that every tfjs-core copy shares (a global). Loaded once, on demand.
 */
async function ensureGradients(tf: Tf): Promise<void> {
  if (tf.getGradient("Add") !== undefined && tf.getGradient("GatherV2") !== undefined) return;
  try {
    await importOptional("@tensorflow/tfjs");
  } catch (cause) {
    throw new NotAvailableError(
      "TensorFlow.js gradients",
      `@tensorflow/tfjs cannot be loaded (${describe(cause)}); it registers the gradient functions`,
      TFJS_INSTALL,
      { cause },
    );
  }
  if (tf.getGradient("GatherV2") === undefined) {
    throw new NotAvailableError(
      "TensorFlow.js gradients",
      "@tensorflow/tfjs registered no gradient functions with this @tensorflow/tfjs-core",
      "Install @tensorflow/tfjs and @tensorflow/tfjs-core of the same version (4.22.0)",
    );
  }
}

/** Tries to activate one backend; returns undefined on success or the reason it failed. */
async function activate(tf: Tf, name: Exclude<BackendPreference, "auto">): Promise<string | undefined> {
  let tfBackendName: string;
  try {
    switch (name) {
      case "tfjs-node-gpu":
        await importOptional("@tensorflow/tfjs-node-gpu");
        tfBackendName = "tensorflow";
        break;
      case "tfjs-node":
        await importOptional("@tensorflow/tfjs-node");
        tfBackendName = "tensorflow";
        break;
      case "wasm":
        await importOptional("@tensorflow/tfjs-backend-wasm");
        tfBackendName = "wasm";
        break;
      case "cpu":
        await importOptional("@tensorflow/tfjs-backend-cpu");
        tfBackendName = "cpu";
        break;
    }
  } catch (error) {
    return `cannot be loaded (${describe(error)})`;
  }
  if (tf.findBackendFactory(tfBackendName) === null && tf.findBackend(tfBackendName) === null) {
    return `loaded, but it registered no "${tfBackendName}" backend with this copy of @tensorflow/tfjs-core (version mismatch?)`;
  }
  try {
    const ok = await tf.setBackend(tfBackendName);
    if (!ok) return `backend "${tfBackendName}" failed to initialise`;
    await tf.ready();
  } catch (error) {
    return `backend "${tfBackendName}" failed to initialise (${describe(error)})`;
  }
  return undefined;
}

/**
 * Picks and activates a TensorFlow.js backend at run time.
 *
 * "auto" tries `@tensorflow/tfjs-node-gpu`, then `@tensorflow/tfjs-node`, then wasm, then the
 * pure-JS cpu backend, and takes the first that loads and initialises. Naming one forces it:
 * if it is not usable, a `NotAvailableError` names it, says why and how to install it.
 * On wasm and cpu it also registers the O(n) `UnsortedSegmentSum` kernel (see
 * {@link registerFastSegmentSum}) and makes sure gradient functions are registered (tfjs-core's
 * Node bundle has none; they come from `@tensorflow/tfjs`). The choice, and why earlier candidates
 * were skipped, is logged.
 */
export async function selectBackend(
  preference: BackendPreference | string = "auto",
  logger: Logger = silentLogger,
): Promise<SelectedBackend> {
  if (!isBackendPreference(preference)) {
    throw new ConfigError("backend", `unknown backend "${preference}"; expected one of auto, ${ORDER.join(", ")}`);
  }
  const tf = await importTfjsCore();
  await ensureGradients(tf);
  const candidates = preference === "auto" ? ORDER : [preference];
  const skipped: Record<string, string> = {};
  for (const name of candidates) {
    const failure = await activate(tf, name);
    if (failure !== undefined) {
      skipped[name] = failure;
      if (preference !== "auto") {
        throw new NotAvailableError(`TensorFlow.js backend "${name}"`, failure, INSTALL_HINT[name]);
      }
      continue;
    }
    if (name === "wasm" || name === "cpu") registerFastSegmentSum(tf, tf.getBackend());
    logger.log("info", `tfjs backend: ${name}`, { backend: name, preference, skipped });
    return { name, tf };
  }
  throw new NotAvailableError(
    "TensorFlow.js backend",
    `none could be loaded (${JSON.stringify(skipped)})`,
    INSTALL_HINT.wasm,
  );
}
