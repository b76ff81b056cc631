import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/** The nearest folder at or above `start` holding pnpm-workspace.yaml (the repository root). */
export function findRepoRoot(start: string): string | undefined {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, "pnpm-workspace.yaml"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * Where datasets are looked up by name: `--data-dir`, else $LLMINIT_DATA_DIR, else
 * `<repository root>/../shared/data` when that folder exists (the root found from the working
 * directory, then from this module's location).
 */
export function findDataDir(
  explicit: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  starts: readonly string[],
): { dir?: string; source: string } {
  if (explicit !== undefined) return { dir: resolve(explicit), source: "--data-dir" };
  if (env.LLMINIT_DATA_DIR) return { dir: resolve(env.LLMINIT_DATA_DIR), source: "LLMINIT_DATA_DIR" };
  for (const start of starts) {
    const root = findRepoRoot(start);
    const candidate = root === undefined ? undefined : resolve(root, "..", "shared", "data");
    if (candidate !== undefined && existsSync(candidate)) return { dir: candidate, source: `${root}/../shared/data` };
  }
  return { source: "none" };
}
