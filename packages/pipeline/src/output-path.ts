import { accessSync, constants, mkdirSync, rmdirSync, statSync, type Stats } from "node:fs";
import { dirname, resolve } from "node:path";
import { ConfigError } from "@llminit/core";

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw error;
  }
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks that `path` can be written as a folder (or a file): it is not the other kind, and its
 * nearest existing ancestor is a folder this process may write in and that accepts new folders
 * (tried, and removed at once: nothing is left). Errors name `option` (e.g. "--out") and the path.
 */
export function checkOutputPath(option: string, path: string, kind: "folder" | "file"): void {
  const target = resolve(path);
  const stats = statOrUndefined(target);
  if (stats !== undefined) {
    if (kind === "folder" && !stats.isDirectory()) throw new ConfigError(option, `${target} is a file, not a folder`);
    if (kind === "file" && stats.isDirectory())
      throw new ConfigError(option, `${target} is a folder; give the path of a file to write`);
    const folder = kind === "folder" ? target : dirname(target);
    if (!writable(kind === "folder" ? folder : target))
      throw new ConfigError(option, `no permission to write ${kind === "folder" ? "in " : ""}${target}`);
    return;
  }
  let ancestor = dirname(target);
  for (;;) {
    const found = statOrUndefined(ancestor);
    if (found !== undefined) {
      if (!found.isDirectory())
        throw new ConfigError(option, `cannot create ${target}: ${ancestor} is a file, not a folder`);
      if (!writable(ancestor))
        throw new ConfigError(option, `cannot create ${target}: no permission to write in ${ancestor}`);
      // Some file systems refuse new folders though they look writable (/proc): try, and undo.
      removeFolders(createFolders(option, kind === "folder" ? target : dirname(target)));
      return;
    }
    const parent = dirname(ancestor);
    if (parent === ancestor) throw new ConfigError(option, `cannot create ${target}: no existing folder above it`);
    ancestor = parent;
  }
}

/**
 * Creates `path` and its missing parents one level at a time (Node's recursive mkdir never returns
 * on some virtual file systems such as /proc). On failure, removes the folders it created and
 * throws a ConfigError naming `option`. Returns the folders created, outermost first.
 */
export function createFolders(option: string, path: string): string[] {
  const target = resolve(path);
  const missing = missingFolders(target);
  const created: string[] = [];
  try {
    for (const dir of missing) {
      try {
        mkdirSync(dir);
        created.push(dir);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
    }
    if (!statSync(target).isDirectory()) throw new ConfigError(option, `${target} is a file, not a folder`);
  } catch (error) {
    removeFolders(created);
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(option, `cannot create ${target}: ${describeFsError(error)}`, { cause: error });
  }
  return created;
}

/** The folders of `path` that do not exist yet, outermost first. */
export function missingFolders(path: string): string[] {
  const missing: string[] = [];
  for (let dir = resolve(path); statOrUndefined(dir) === undefined; dir = dirname(dir)) {
    if (dirname(dir) === dir) break;
    missing.unshift(dir);
  }
  return missing;
}

/** Removes folders made by {@link createFolders} (innermost first), where they are still empty. */
export function removeFolders(created: readonly string[]): void {
  for (const dir of [...created].reverse()) {
    try {
      rmdirSync(dir);
    } catch {
      // Not empty (someone else wrote there) or already gone: leave it.
    }
  }
}

const FS_ERRORS: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  ENOTDIR: "a part of the path is a file, not a folder",
  ENOENT: "the file system does not accept new folders there",
  ENAMETOOLONG: "the name is too long",
  EISDIR: "it is a folder",
  EEXIST: "it exists already",
};

/** A short reason for a file-system error: "read-only file system (EROFS)". */
export function describeFsError(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  if (code === undefined) return message ?? String(error);
  return `${FS_ERRORS[code] ?? message.replace(/^[A-Z]+: /, "").replace(/, \w+ '.*'$/, "")} (${code})`;
}
