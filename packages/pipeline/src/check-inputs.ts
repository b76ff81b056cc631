import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { closestName, ConfigError } from "@llminit/core";
import { DATASETS, detectFolder } from "@llminit/data";
import { ENCODER_SPECS } from "@llminit/encoders";

const ENCODER_KINDS = ["transformers", "file", "openai"];

/**
 * Checks an encoder spec without loading anything: a known kind with a value after its colon,
 * and for `file:` a file that exists. `option` names the option in errors ("encoder", "encoders").
 */
export function checkEncoderSpec(spec: string, option = "encoder"): void {
  if (spec === "use-lite") return;
  const colon = spec.indexOf(":");
  const kind = colon < 0 ? spec : spec.slice(0, colon);
  if (colon < 0 || !ENCODER_KINDS.includes(kind))
    throw new ConfigError(option, `unknown encoder "${spec}"; expected one of ${ENCODER_SPECS.join(", ")}`);
  const value = spec.slice(colon + 1);
  if (value.trim() === "") throw new ConfigError(option, `"${spec}" needs a value after "${kind}:"`);
  if (kind === "file") {
    if (!existsSync(value)) throw new ConfigError(option, `"${spec}": no such file ${resolve(value)}`);
    if (statSync(value).isDirectory())
      throw new ConfigError(option, `"${spec}": ${resolve(value)} is a folder; give a .npy or .jsonl file`);
  }
}

/**
 * Checks that a dataset can be found without loading it: a registry name (found in `dataDir` or
 * downloadable), or a folder whose files are recognised. `option` names the option in errors.
 */
export async function checkDataset(dataset: string, option = "dataset"): Promise<void> {
  if (DATASETS.some((entry) => entry.name === dataset)) return;
  const dir = resolve(dataset);
  if (!existsSync(dir)) {
    const names = DATASETS.map((e) => e.name);
    // A bare word is most likely a misspelt registry name; a path is a folder that is not there.
    const hint = /[/\\]/.test(dataset) ? undefined : closestName(dataset, names);
    throw new ConfigError(
      option,
      `"${dataset}" is neither a known dataset (${names.join(", ")}) nor a folder` +
        (hint === undefined ? "" : ` (did you mean ${hint}?)`),
    );
  }
  if (!statSync(dir).isDirectory() && /\.(csv|tsv)(\.gz)?$/i.test(dir)) return; // its header is read by the run
  if ((await detectFolder(dir)) === undefined)
    throw new ConfigError(
      option,
      `${dir}: no dataset files recognised (expected RecBole atomic files <folder>.inter[.gz] and .item, ` +
        `a CSV/TSV interactions file with user_id and item_id columns (and an optional item CSV/TSV), ` +
        `MovieLens u.data + u.item or ratings.dat + movies.dat, or Amazon review + meta_*.json files)`,
    );
}
