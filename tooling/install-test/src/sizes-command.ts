// `pnpm --filter @llminit/install-test sizes [--out FILE]` (after `pnpm build`): packs every package, installs
// each alone with npm into a fresh project (our scope from a local registry, the rest from the public one) and
// prints the table of tarball, unpacked and installed sizes, with and without optional peers.
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { startLocalRegistry } from "./local-registry.js";
import { packAll } from "./pack.js";
import { measurePackage, sizesMarkdown } from "./sizes.js";
import type { PackageSizes } from "./sizes.js";

const outIndex = process.argv.indexOf("--out");
// pnpm runs this script in tooling/install-test; a relative --out means the folder the user typed it in.
const outArg = outIndex >= 0 ? process.argv[outIndex + 1] : undefined;
if (outIndex >= 0 && (outArg === undefined || outArg.startsWith("--"))) {
  process.stderr.write("sizes: --out needs a file path\n");
  process.exit(2);
}
const out = outArg === undefined ? undefined : resolve(process.env.INIT_CWD ?? process.cwd(), outArg);
if (out !== undefined && !(existsSync(dirname(out)) && statSync(dirname(out)).isDirectory())) {
  // Checked before the minutes of packing and installing, not after.
  process.stderr.write(`sizes: --out ${outArg}: the folder ${dirname(out)} does not exist\n`);
  process.exit(2);
}
const work = mkdtempSync(join(tmpdir(), "llminit-sizes-"));
const projects: string[] = [];
const packages = packAll(work);
const registry = await startLocalRegistry(packages);
try {
  const rows: PackageSizes[] = [];
  for (const pkg of packages) {
    process.stderr.write(`measuring ${pkg.name}\n`);
    rows.push(await measurePackage(pkg, registry.url, projects));
  }
  const header =
    "# Install sizes\n\n" +
    `Install sizes of the packed packages (${new Date().toISOString().slice(0, 10)}, ` +
    `on Node ${process.version}): sums of file sizes in node_modules; optional peers installed with --ignore-scripts ` +
    "(so tfjs-node(-gpu) without the libtensorflow their install scripts download).";
  const table = sizesMarkdown(rows, header);
  process.stdout.write(table);
  if (out !== undefined) {
    writeFileSync(out, table);
    process.stderr.write(`sizes: wrote ${out}\n`);
  }
} finally {
  await registry.close();
  for (const dir of [work, ...projects]) rmSync(dir, { recursive: true, force: true });
}
