import { readFileSync } from "node:fs";
import { join, posix } from "node:path";
import { readTarball } from "./local-registry.js";
import type { PackedPackage } from "./local-registry.js";
import { REPO_ROOT } from "./pack.js";

interface Manifest {
  license?: string;
  homepage?: string;
  keywords?: string[];
  bugs?: { url?: string };
  repository?: { url?: string; directory?: string };
  main?: string;
  types?: string;
  bin?: Record<string, string>;
  exports?: Record<string, string | Record<string, string>>;
  browser?: Record<string, string>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/**
 * What a user of the published tarball would trip over: a missing LICENSE or README, relative README links
 * (they break on npmjs.com), missing metadata, `workspace:` ranges, entry points or browser-field targets that
 * are not in the tarball, source maps whose sources are not shipped, tests shipped. Empty when all is well.
 */
export function tarballProblems(pkg: PackedPackage, root = REPO_ROOT): string[] {
  const files = readTarball(pkg.tarball);
  const manifest = pkg.manifest as Manifest;
  const problems: string[] = [];
  const has = (path: string) => files.has(posix.normalize(path.replace(/^\.\//, "")));

  const license = files.get("LICENSE")?.toString("utf8");
  if (license === undefined) problems.push("no LICENSE");
  else if (license !== readFileSync(join(root, "LICENSE"), "utf8")) problems.push("LICENSE differs from the repo's");
  if (manifest.license !== "Apache-2.0") problems.push(`license is ${String(manifest.license)}, not Apache-2.0`);
  const readme = files.get("README.md")?.toString("utf8");
  if (readme === undefined) problems.push("no README.md");
  else
    for (const match of readme.matchAll(/\]\(([^)\s]+)\)/g))
      if (!/^(https?:|mailto:|#)/.test(match[1])) problems.push(`README.md has a relative link: ${match[1]}`);
  if (!manifest.repository?.url || !manifest.repository.directory) problems.push("no repository url/directory");
  if (!manifest.homepage) problems.push("no homepage");
  if (!manifest.bugs?.url) problems.push("no bugs url");
  if (!manifest.keywords || manifest.keywords.length === 0) problems.push("no keywords");

  for (const field of ["dependencies", "peerDependencies", "optionalDependencies"] as const)
    for (const [name, range] of Object.entries(manifest[field] ?? {}))
      if (range.startsWith("workspace:")) problems.push(`${field}.${name} is ${range}`);

  const targets: [string, string][] = [];
  if (manifest.main !== undefined) targets.push(["main", manifest.main]);
  if (manifest.types !== undefined) targets.push(["types", manifest.types]);
  for (const [name, path] of Object.entries(manifest.bin ?? {})) targets.push([`bin.${name}`, path]);
  for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
    if (typeof target === "string") targets.push([`exports["${subpath}"]`, target]);
    else
      for (const [condition, path] of Object.entries(target))
        targets.push([`exports["${subpath}"].${condition}`, path]);
  }
  for (const [from, to] of Object.entries(manifest.browser ?? {}))
    targets.push([`browser["${from}"]`, to], [`browser key`, from]);
  for (const [where, path] of targets) if (!has(path)) problems.push(`${where} → ${path} is not in the tarball`);

  for (const [path, bytes] of files) {
    if (/\.spec\.|(^|\/)test-utils\//.test(path)) problems.push(`ships a test file: ${path}`);
    if (!path.endsWith(".map")) continue;
    const map = JSON.parse(bytes.toString("utf8")) as { sources: string[]; sourceRoot?: string };
    for (const source of map.sources) {
      const resolved = posix.normalize(posix.join(posix.dirname(path), map.sourceRoot ?? "", source));
      if (!files.has(resolved)) problems.push(`${path} points at ${source}, which is not in the tarball`);
    }
  }
  return problems;
}
