import { ConfigError } from "./errors.js";

/** Flag name on the command line for a camelCase option key: dataDir → data-dir. */
export function flagName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** The camelCase option key of a kebab-case flag or config key: data-dir → dataDir. */
export function optionKey(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

export interface FlagSpec {
  /** camelCase key the value is stored under. */
  key: string;
  boolean?: boolean;
}

export interface ParsedArgs {
  /** Strings for options that take a value, booleans for boolean flags. */
  values: Record<string, string | boolean>;
  positionals: string[];
}

export interface ParseOptions {
  /** Accept words that are no option's value (default false: each one is an error naming it). */
  positionals?: boolean;
}

const TRUE_WORDS = new Set(["true", "yes", "1"]);
const FALSE_WORDS = new Set(["false", "no", "0"]);

/** A boolean word (`true`/`false`, `yes`/`no`, `1`/`0`), or undefined for anything else. */
export function parseBooleanWord(text: string): boolean | undefined {
  const word = text.trim().toLowerCase();
  return TRUE_WORDS.has(word) ? true : FALSE_WORDS.has(word) ? false : undefined;
}

/** True when argv asks for help (`--help` or `-h` before a `--`). */
export function wantsHelp(argv: readonly string[]): boolean {
  for (const arg of argv) {
    if (arg === "--") return false;
    if (arg === "-h" || arg === "--help" || (arg.startsWith("--help=") && parseBooleanWord(arg.slice(7)) === true))
      return true;
  }
  return false;
}

/**
 * A small strict parser: `--name value`, `--name=value`; boolean flags as `--flag`, `--no-flag`,
 * `--flag=false` or `--flag false`; `-h` for `--help`. Unknown flags are errors that name the flag
 * and suggest the closest known one; so are stray words unless `options.positionals`, and a flag
 * given twice (`--dim 8 --dim 16`: which one was meant?).
 */
export function parseCliArgs(
  argv: readonly string[],
  flags: readonly FlagSpec[],
  options: ParseOptions = {},
): ParsedArgs {
  const byFlag = new Map(flags.map((f) => [flagName(f.key), f]));
  const values: Record<string, string | boolean> = {};
  const positionals: string[] = [];
  const set = (key: string, name: string, value: string | boolean) => {
    const previous = values[key];
    if (previous !== undefined && key !== "help")
      throw new ConfigError(
        `--${name}`,
        `--${name} is given twice (${String(previous)}, then ${String(value)}); give it once`,
      );
    values[key] = value;
  };
  // A boolean flag that took no value, to explain a stray word right after it.
  let bareBoolean: string | undefined;
  const positional = (word: string, after: string | undefined) => {
    if (options.positionals) {
      positionals.push(word);
      return;
    }
    const hint = after === undefined ? "" : ` (--${after} takes no value other than true or false)`;
    throw new ConfigError(word, `unexpected argument "${word}"${hint}`);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const afterBoolean = bareBoolean;
    bareBoolean = undefined;
    if (arg === "--") {
      for (const word of argv.slice(i + 1)) positional(word, undefined);
      break;
    }
    if (arg === "-h" && byFlag.get("help")?.boolean) {
      values.help = true;
      continue;
    }
    if (!arg.startsWith("--")) {
      if (arg.startsWith("-") && arg.length > 1 && !/^-[\d.]/.test(arg))
        throw new ConfigError(arg, `unknown option ${arg} (options start with --; -h is the only short one)`);
      positional(arg, afterBoolean);
      continue;
    }
    const eq = arg.indexOf("=");
    let name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    let inline: string | undefined = eq === -1 ? undefined : arg.slice(eq + 1);
    let spec = byFlag.get(name);
    if (spec === undefined && name.startsWith("no-")) {
      const negated = byFlag.get(name.slice(3));
      if (negated?.boolean) {
        name = name.slice(3);
        spec = negated;
        if (inline !== undefined) throw new ConfigError(`--no-${name}`, `--no-${name} takes no value`);
        inline = "false";
      } else if (negated !== undefined) {
        throw new ConfigError(`--${name}`, `--${name.slice(3)} is not a yes/no flag, so --${name} means nothing`);
      }
    }
    if (spec === undefined) {
      const hint = closestName(name, [...byFlag.keys()]);
      throw new ConfigError(
        `--${name}`,
        `unknown option --${name}${hint === undefined ? "" : ` (did you mean --${hint}?)`}`,
      );
    }
    if (spec.boolean) {
      if (inline === undefined) {
        // `--flag false`: the next word is the flag's value only when it is a boolean word.
        const next = argv[i + 1];
        const word = next === undefined ? undefined : parseBooleanWord(next);
        if (word !== undefined) {
          set(spec.key, name, word);
          i++;
        } else {
          set(spec.key, name, true);
          bareBoolean = name;
        }
        continue;
      }
      const word = parseBooleanWord(inline);
      if (word === undefined)
        throw new ConfigError(`--${name}`, `--${name} takes true or false (or yes/no, 1/0), got "${inline}"`);
      set(spec.key, name, word);
      continue;
    }
    if (inline === undefined) {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith("--") && next.length > 2) || next === "-h")
        throw new ConfigError(`--${name}`, `--${name} needs a value`);
      inline = next;
      i++;
    }
    set(spec.key, name, inline);
  }
  return { values, positionals };
}

/** The candidate closest to `name` by edit distance, when it is close enough to be a likely typo. */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
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
