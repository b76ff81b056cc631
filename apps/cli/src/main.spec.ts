import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { decodeNpy } from "@llminit/core";
import { writeToyDataset, type ToyDataset } from "@llminit/pipeline/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "./main.js";

const root = mkdtempSync(join(tmpdir(), "llminit-cli-"));
let toy: ToyDataset;
beforeAll(async () => {
  toy = await writeToyDataset(root);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const status = await main(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: {},
  });
  return { status, stdout, stderr };
}

const common = () => [
  "--dataset",
  toy.dir,
  "--encoder",
  toy.encoder,
  "--cache-dir",
  join(root, "cache"),
  "--dim",
  "8",
  "--batch-size",
  "64",
];

describe("llminit run", () => {
  it("prints one JSON object on stdout with the documented keys, logs on stderr", async () => {
    const out = join(root, "run-json");
    const { status, stdout, stderr } = await cli("run", ...common(), "--epochs", "2", "--out", out, "--json");
    expect(status).toBe(0);
    const summary = JSON.parse(stdout);
    expect(summary.dataset).toMatchObject({ users: 60, items: 40, interactions: 480 });
    expect(summary.backend).toMatch(/wasm|cpu|tfjs-node/);
    expect(summary.epochs).toBe(2);
    expect(summary.secondsPerEpoch).toBeGreaterThan(0);
    expect(Object.keys(summary.valid)).toContain("recall@10");
    expect(Object.keys(summary.test)).toEqual(expect.arrayContaining(["recall@10", "ndcg@10", "recall@20", "ndcg@20"]));
    expect(stderr).toMatch(/\[info\]/);

    const rec = await cli("recommend", "--run", out, "--users", "u1,u40", "--k", "3", "--json");
    expect(rec.status).toBe(0);
    const lists = JSON.parse(rec.stdout);
    expect(lists.map((l: { user: string }) => l.user)).toEqual(["u1", "u40"]);
    expect(lists[0].items).toHaveLength(3);
  }, 60_000);

  it("layers command line over config file over defaults, and names bad keys", async () => {
    const config = join(root, "run.yaml");
    writeFileSync(config, `init: uni\nepochs: 5\nout: ${join(root, "run-yaml")}\n`);
    const { status, stdout } = await cli("run", ...common(), "--config", config, "--epochs", "0", "--json");
    expect(status).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ init: "uni", epochs: 0 });

    writeFileSync(config, "init: uni\nepoch: 5\n");
    const bad = await cli("run", ...common(), "--config", config);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/option "epoch": unknown option in .*run\.yaml/);

    writeFileSync(config, "init: [uni\n");
    const broken = await cli("run", ...common(), "--config", config);
    expect(broken.status).toBe(2);
    expect(broken.stderr).toMatch(/run\.yaml:\d+: invalid YAML/);
  }, 60_000);

  it("rejects unknown flags and bad values with exit status 2", async () => {
    const flag = await cli("run", "--dataset", toy.dir, "--learning-rat", "0.1");
    expect(flag.status).toBe(2);
    expect(flag.stderr).toMatch(/unknown option --learning-rat \(did you mean --learning-rate\?\)/);
    const value = await cli("run", "--dataset", toy.dir, "--init", "pca");
    expect(value.status).toBe(2);
    expect(value.stderr).toMatch(/option "--init": "pca" is not one of/);
    const command = await cli("train");
    expect(command.status).toBe(2);
  });
});

describe("llminit encode / datasets", () => {
  it("writes a numpy matrix with the ids beside it", async () => {
    const out = join(root, "encoded.npy");
    const { status, stdout } = await cli(
      "encode",
      "--dataset",
      toy.dir,
      "--encoder",
      toy.encoder,
      "--cache-dir",
      join(root, "cache"),
      "--out",
      out,
      "--json",
    );
    expect(status).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ items: 40, dimension: 16 });
    const matrix = decodeNpy(readFileSync(out));
    expect(matrix.shape).toEqual([40, 16]);
    expect(readFileSync(`${out}.ids.txt`, "utf8").trim().split("\n")).toHaveLength(40);
  });

  it("does not promise a download that a run with --data-dir would refuse", async () => {
    const { status, stdout } = await cli("datasets", "--data-dir", root);
    expect(status).toBe(0);
    expect(stdout).toMatch(/ml-1m .*\n +not in .*\(a run with --data-dir does not download/);
    expect(stdout).not.toMatch(/downloads https/);
  });

  it("lists the registry with where each dataset is", async () => {
    const { status, stdout } = await cli("datasets", "--data-dir", root, "--json");
    expect(status).toBe(0);
    const names = JSON.parse(stdout).map((d: { name: string }) => d.name);
    expect(names).toEqual(
      expect.arrayContaining([
        "ml-100k",
        "ml-1m",
        "amazon-beauty",
        "amazon-office-products",
        "amazon-toys-games",
        "amazon-tools-home-improvement",
      ]),
    );
  });

  it("lists the models with their settings, options and defaults, from the model registry", async () => {
    const text = await cli("models");
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/^lightgcn — LightGCN: /m);
    expect(text.stdout).toMatch(/^sgl — SGL: /m);
    expect(text.stdout).toMatch(/--augmentation +ed +.*\{ed\|nd\|rw\}/);
    const json = await cli("models", "--json");
    expect(json.status).toBe(0);
    const models: { name: string; settings: { key: string; default: unknown; shared: boolean }[] }[] = JSON.parse(
      json.stdout,
    );
    expect(models.map((m) => m.name)).toEqual(expect.arrayContaining(["lightgcn", "mf", "sgl", "sgcl"]));
    const sgl = models.find((m) => m.name === "sgl")!;
    expect(sgl.settings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ key: "dim", default: 128, shared: true }),
        expect.objectContaining({ key: "batchSize", default: 256, shared: true }),
        expect.objectContaining({ key: "sslWeight", default: 0.05, shared: false }),
      ]),
    );
    expect((await cli("models", "extra")).status).toBe(2);
  });

  it("run --help shows each model's own options with the models that take them", async () => {
    const { status, stdout } = await cli("run", "--help");
    expect(status).toBe(0);
    expect(stdout).toMatch(/model options/);
    expect(stdout).toMatch(/--temperature +.*\[sgl 0\.2, sgcl 0\.2, .*xsimgcl 0\.15/);
    expect(stdout).toMatch(/--contrast-layer +.*\[1: xsimgcl\]/);
    expect(stdout).toMatch(/--batch-size +training pairs per step \[256\]/);
  });
});

describe("CLI conventions", () => {
  it("prints each command's own help with --help or -h anywhere, and does no work", async () => {
    const out = join(root, "help-run");
    for (const argv of [
      ["run", "--help"],
      ["run", "--dataset", toy.dir, "--out", out, "-h"],
      ["run", "--bogus", "-h"],
      ["help", "run"],
      ["-h", "run"],
      ["--help", "run", "--dataset", toy.dir],
    ]) {
      const { status, stdout, stderr } = await cli(...argv);
      expect(status, argv.join(" ")).toBe(0);
      expect(stdout).toMatch(/^usage: llminit run --dataset NAME/);
      expect(stdout).toMatch(/--overwrite/);
      expect(stdout).toMatch(/keys as the flags \(data-dir: x\) or in\s+camelCase \(dataDir: x\)/);
      expect(stderr).toBe("");
    }
    expect(existsSync(out)).toBe(false);
    for (const [command, usage] of [
      ["encode", /^usage: llminit encode --dataset NAME --out FILE\.npy/],
      ["datasets", /^usage: llminit datasets/],
      ["recommend", /^usage: llminit recommend --run DIR/],
    ] as const) {
      const { status, stdout } = await cli(command, "--help");
      expect(status, command).toBe(0);
      expect(stdout).toMatch(usage);
    }
  });

  it("takes --x false for yes/no options and records it", async () => {
    const out = join(root, "no-normalize");
    const { status, stdout } = await cli(
      "run",
      ...common(),
      "--normalize",
      "false",
      "--with-replacement=yes",
      "--init",
      "rand",
      "--epochs",
      "0",
      "--out",
      out,
      "--json",
    );
    expect(status).toBe(0);
    expect(JSON.parse(stdout).init).toBe("rand");
    const recorded = JSON.parse(readFileSync(join(out, "config.json"), "utf8"));
    expect(recorded).toMatchObject({ normalize: false, withReplacement: true });
  }, 60_000);

  it("reads kebab-case config keys, and replaying a run's config.json never targets that run", async () => {
    const config = join(root, "kebab.yaml");
    const first = join(root, "replayed");
    writeFileSync(config, `init: none\nbatch-size: 32\nepochs: 0\nout: ${first}\ncache-dir: ${join(root, "cache")}\n`);
    const run = await cli("run", "--dataset", toy.dir, "--dim", "8", "--config", config, "--json");
    expect(run.status, run.stderr).toBe(0);
    const recorded = JSON.parse(readFileSync(join(first, "config.json"), "utf8"));
    expect(recorded).toMatchObject({ batchSize: 32, init: "none" });
    expect(recorded.out).toBeUndefined();
    const before = readdirSync(first).sort();

    // A config.json from before out was dropped from it: its own folder is not reused.
    writeFileSync(join(first, "config.json"), JSON.stringify({ ...recorded, out: first }));
    const replay = await cli("run", "--config", join(first, "config.json"), "--out", join(root, "replay-2"), "--json");
    expect(replay.status, replay.stderr).toBe(0);
    expect(JSON.parse(replay.stdout).runDir).toBe(join(root, "replay-2"));
    const implicit = await cli("run", "--config", join(first, "config.json"), "--json");
    expect(implicit.status, implicit.stderr).toBe(0);
    expect(implicit.stderr).toMatch(/config\.json is the record of the run in .*replayed; its out is not reused/);
    const elsewhere = JSON.parse(implicit.stdout).runDir as string;
    expect(elsewhere).not.toBe(first);
    expect(elsewhere).toMatch(/runs\/toy-lightgcn-none-\d{8}T\d{6}Z/);
    rmSync(elsewhere, { recursive: true });
    if (readdirSync(dirname(elsewhere)).length === 0) rmSync(dirname(elsewhere), { recursive: true });
    expect(readdirSync(first).sort()).toEqual(before);
  }, 60_000);

  it("prints the degree table at the run's smallest cut-off", async () => {
    const run = await cli(
      "run",
      ...common(),
      "--init",
      "none",
      "--epochs",
      "0",
      "--ks",
      "5,20",
      "--out",
      join(root, "k5"),
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).not.toMatch(/NaN/);
    expect(run.stdout).toMatch(/^ {2}\S+ +users +\d+ {2}recall@5 \d\.\d{4} {2}ndcg@5 \d\.\d{4}$/m);
  }, 60_000);

  it("records absolute paths in config.json, so that it replays from any folder", async () => {
    const out = join(root, "relative");
    const here = (path: string) => relative(process.cwd(), path);
    const vectors = `file:${here(toy.encoder.slice("file:".length))}`;
    const args = ["--dataset", here(toy.dir), "--encoder", vectors, "--cache-dir", here(join(root, "cache"))];
    const run = await cli("run", ...args, "--dim", "8", "--epochs", "0", "--out", here(out));
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(out, "config.json"), "utf8"))).toMatchObject({
      dataset: toy.dir,
      encoder: toy.encoder,
      cacheDir: join(root, "cache"),
    });
  }, 60_000);
});
