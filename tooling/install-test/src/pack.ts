import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readPackedPackage } from "./local-registry.js";
import type { PackedPackage } from "./local-registry.js";

/** The repository root (this file is tooling/install-test/src/pack.ts, or its dist/ twin). */
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** A package of the workspace that is published (not `"private": true`). */
export interface WorkspacePackage {
  name: string;
  /** Folder, relative to the repository root. */
  dir: string;
}

/** The published packages of the workspace (packages/* and apps/*), by folder name. */
export function publishedPackages(root = REPO_ROOT): WorkspacePackage[] {
  const found: WorkspacePackage[] = [];
  for (const group of ["packages", "apps"]) {
    for (const name of readdirSync(join(root, group)).sort()) {
      const file = join(root, group, name, "package.json");
      if (!existsSync(file)) continue;
      const manifest = JSON.parse(readFileSync(file, "utf8")) as { name: string; private?: boolean };
      if (manifest.private !== true) found.push({ name: manifest.name, dir: `${group}/${name}` });
    }
  }
  return found;
}

/**
 * Packs every published package with `pnpm pack` (which turns `workspace:^` into real version ranges) into
 * `destination`. The packages must be built.
 */
export function packAll(destination: string, root = REPO_ROOT): PackedPackage[] {
  return publishedPackages(root).map((pkg) => {
    const output = execFileSync("pnpm", ["pack", "--pack-destination", destination], {
      cwd: join(root, pkg.dir),
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    const tarball = output
      .trim()
      .split("\n")
      .map((line) => line.trim())
      .findLast((line) => line.endsWith(".tgz"));
    if (tarball === undefined) throw new Error(`pnpm pack in ${pkg.dir} printed no tarball path:\n${output}`);
    return readPackedPackage(tarball);
  });
}
