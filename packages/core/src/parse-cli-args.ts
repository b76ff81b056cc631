import { ConfigError } from "./errors.js";

/** Flag name on the command line for a camelCase option key: dataDir → data-dir. */
export function flagName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

export interface FlagSpec {
  /** camelCase key the value is stored under. */
  key: string;
  boolean?: boolean;
}

export interface ParsedArgs {
  values: Record<string, string | boolean>;
  positionals: string[];
}

/**
 * A small strict parser: `--name value`, `--name=value`, boolean `--flag` / `--no-flag`.
 * Unknown flags are errors that name the flag and suggest the closest known one.
 */
export function parseCliArgs(argv: readonly string[], flags: readonly FlagSpec[]): ParsedArgs {
  const byFlag = new Map(flags.map((f) => [flagName(f.key), f]));
  const values: Record<string, string | boolean> = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("--")) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    let name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    let inline: string | undefined = eq === -1 ? undefined : arg.slice(eq + 1);
    let spec = byFlag.get(name);
    if (spec === undefined && name.startsWith("no-") && byFlag.get(name.slice(3))?.boolean) {
      name = name.slice(3);
      spec = byFlag.get(name);
      if (inline !== undefined) throw new ConfigError(name, `--no-${name} takes no value`);
      inline = "false";
    }
    if (spec === undefined) {
      const hint = closest(name, [...byFlag.keys()]);
      throw new ConfigError(name, `unknown option --${name}${hint === undefined ? "" : ` (did you mean --${hint}?)`}`);
    }
    if (spec.boolean) {
      values[spec.key] = inline === undefined ? true : inline;
      continue;
    }
    if (inline === undefined) {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith("--") && next.length > 2))
        throw new ConfigError(name, `--${name} needs a value`);
      inline = next;
      i++;
    }
    values[spec.key] = inline;
  }
  return { values, positionals };
}

function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const candidate of candidates) {
    const d = editDistance(name, candidate);
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length];
}
