import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The package managers a consumer may use. */
export type PackageManager = "npm" | "pnpm" | "yarn";

/** What a command printed and how it ended. */
export interface CommandResult {
  status: number;
  stdout: string;
  stderr: string;
  seconds: number;
}

/** Runs a command (no shell), never throwing on a non-zero status. */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string | undefined>; timeoutMs?: number },
): Promise<CommandResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      {
        cwd: options.cwd,
        env: { ...process.env, ...options.env },
        timeout: options.timeoutMs ?? 600_000,
        maxBuffer: 64 * 1024 * 1024,
        encoding: "utf8",
      },
      (error, stdout, stderr) => {
        const status = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
        resolve({ status, stdout, stderr, seconds: (performance.now() - started) / 1000 });
      },
    );
  });
}

/** The last lines of a command's output, for assertion messages. */
export function tail(result: CommandResult, lines = 30): string {
  return `exit ${result.status}\n${`${result.stdout}\n${result.stderr}`.trim().split("\n").slice(-lines).join("\n")}`;
}

/**
 * A fresh project folder outside the workspace whose `@llminit` scope comes from `registry` (everything else from
 * the public registry), as a user's project would be once our packages are published.
 */
export function createConsumerProject(registry: string, label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `llminit-consumer-${label}-`));
  writeFileSync(
    join(dir, "package.json"),
    `${JSON.stringify({ name: `consumer-${label}`, version: "1.0.0", private: true, type: "module" }, null, 2)}\n`,
  );
  writeFileSync(join(dir, ".npmrc"), `@llminit:registry=${registry}\n`);
  writeFileSync(join(dir, ".yarnrc"), `"@llminit:registry" "${registry}"\n`);
  return dir;
}

/** The command line that adds `packages` to the project with `manager`. */
export function addCommand(manager: PackageManager, packages: readonly string[]): [string, string[]] {
  switch (manager) {
    case "npm":
      return ["npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", ...packages]];
    case "pnpm":
      return ["pnpm", ["add", "--reporter=append-only", ...packages]];
    case "yarn":
      return ["yarn", ["add", "--non-interactive", "--no-progress", ...packages]];
  }
}

/** Copies the consumer program and its tsconfig (no skipLibCheck) into `project`. */
export function copyConsumer(project: string): void {
  const source = fileURLToPath(new URL("../consumer/", import.meta.url));
  for (const file of readdirSync(source)) cpSync(join(source, file), join(project, file));
}

/** The TypeScript compiler of the workspace (the consumer's own version of tsc does not matter here). */
export function tscPath(): string {
  return createRequire(import.meta.url).resolve("typescript/bin/tsc");
}

/** Bytes of a folder on disk: the sum of its files' sizes (symlinks not followed, each file once). */
export function folderBytes(dir: string, seen = new Set<string>()): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) total += folderBytes(path, seen);
    else if (entry.isFile()) {
      const stat = statSync(path);
      const key = `${stat.dev}:${stat.ino}`;
      if (seen.has(key)) continue;
      seen.add(key);
      total += stat.size;
    }
  }
  return total;
}
