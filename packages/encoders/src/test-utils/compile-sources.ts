import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";

/**
 * Worker threads run plain JavaScript, but vitest runs this package from its TypeScript
 * sources. This transpiles every non-test source file into
 * `<package>/node_modules/.cache/encoders-test-build/` (where bare imports still resolve
 * through the package's node_modules) and returns that folder's URL.
 */
export function compileSourcesForWorkers(): URL {
  const src = join(dirname(fileURLToPath(import.meta.url)), "..");
  const out = join(src, "..", "node_modules", ".cache", "encoders-test-build");
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "package.json"), '{ "type": "module" }\n');
  for (const name of readdirSync(src)) {
    if (!name.endsWith(".ts") || name.endsWith(".spec.ts") || name.endsWith(".d.ts")) continue;
    const { outputText } = ts.transpileModule(readFileSync(join(src, name), "utf8"), {
      compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
      fileName: name,
    });
    writeFileSync(join(out, name.replace(/\.ts$/, ".js")), outputText);
  }
  return pathToFileURL(`${out}/`);
}
