import { statSync } from "node:fs";
import { join } from "node:path";
import { addCommand, createConsumerProject, folderBytes, run, tail } from "./consumer-project.js";
import { readTarball } from "./local-registry.js";
import type { PackedPackage } from "./local-registry.js";

/** The sizes of one package as a user installs it. */
export interface PackageSizes {
  name: string;
  /** The .tgz. */
  tarballBytes: number;
  /** Its files unpacked. */
  unpackedBytes: number;
  /** `node_modules` after `npm install <name>` in an empty project (optional peers are not installed). */
  installedBytes: number;
  /** Optional peer dependencies, and `node_modules` with them installed too (`--ignore-scripts`). */
  optionalPeers: string[];
  installedWithPeersBytes?: number;
}

function optionalPeers(pkg: PackedPackage): string[] {
  const peers = (pkg.manifest.peerDependencies ?? {}) as Record<string, string>;
  const meta = (pkg.manifest.peerDependenciesMeta ?? {}) as Record<string, { optional?: boolean }>;
  return Object.entries(peers)
    .filter(([name]) => meta[name]?.optional === true)
    .map(([name, range]) => `${name}@${range}`);
}

/**
 * Installs `pkg` alone with npm into a fresh project whose `@llminit` scope comes from `registry`, measures it,
 * then adds its optional peers (install scripts off: `@tensorflow/tfjs-node(-gpu)` would download libtensorflow,
 * which their measured size therefore leaves out) and measures again. `projects` collects the folders to remove.
 */
export async function measurePackage(pkg: PackedPackage, registry: string, projects: string[]): Promise<PackageSizes> {
  const files = readTarball(pkg.tarball);
  const sizes: PackageSizes = {
    name: pkg.name,
    tarballBytes: statSync(pkg.tarball).size,
    unpackedBytes: [...files.values()].reduce((n, b) => n + b.length, 0),
    installedBytes: 0,
    optionalPeers: optionalPeers(pkg),
  };
  const project = createConsumerProject(registry, pkg.name.replace(/\W/g, "-"));
  projects.push(project);
  const [command, args] = addCommand("npm", [pkg.name]);
  const install = await run(command, args, { cwd: project });
  if (install.status !== 0) throw new Error(`npm install ${pkg.name} failed:\n${tail(install)}`);
  sizes.installedBytes = folderBytes(join(project, "node_modules"));
  if (sizes.optionalPeers.length > 0) {
    const [peerCommand, peerArgs] = addCommand("npm", sizes.optionalPeers);
    const peers = await run(peerCommand, [...peerArgs, "--ignore-scripts", "--legacy-peer-deps"], { cwd: project });
    if (peers.status !== 0) throw new Error(`npm install of ${pkg.name}'s optional peers failed:\n${tail(peers)}`);
    sizes.installedWithPeersBytes = folderBytes(join(project, "node_modules"));
  }
  return sizes;
}

function megabytes(bytes: number | undefined): string {
  return bytes === undefined ? "–" : `${(bytes / 1024 / 1024).toFixed(bytes < 10 * 1024 * 1024 ? 2 : 1)} MB`;
}

/** The table of {@link measurePackage} results, in Markdown. */
export function sizesMarkdown(rows: readonly PackageSizes[], header: string): string {
  const lines = [
    header,
    "",
    "| package | tarball | unpacked | installed (npm, no optional peers) | installed with optional peers | optional peers |",
    "| --- | --- | --- | --- | --- | --- |",
  ];
  for (const r of rows)
    lines.push(
      `| \`${r.name}\` | ${megabytes(r.tarballBytes)} | ${megabytes(r.unpackedBytes)} | ${megabytes(r.installedBytes)} | ` +
        `${megabytes(r.installedWithPeersBytes)} | ${r.optionalPeers.map((p) => `\`${p}\``).join(", ") || "none"} |`,
    );
  return `${lines.join("\n")}\n`;
}
