import { randomBytes } from "node:crypto";
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { ConfigError, silentLogger, type Logger } from "@llminit/core";

/** The lock file's name inside a locked folder. */
export const LOCK_FILE = ".llminit.lock";

/** What a lock file records about its writer. */
export interface LockHolder {
  pid: number;
  host: string;
  /** What holds it, e.g. "llminit run" or "llminit-bench paper". */
  command: string;
  started: string;
  /** Tells this lock from a later one of the same pid. */
  token: string;
}

/** A held lock: `release()` removes the lock file if it is still this lock's (idempotent). */
export interface FolderLock {
  readonly file: string;
  readonly holder: LockHolder;
  release(): void;
}

export interface LockOptions {
  /** Written into the lock, and named to a second writer. */
  command: string;
  /** The option that chose the folder, named in errors (default "--out"). */
  option?: string;
  /** Told when a stale lock (its process is gone) is taken over. */
  logger?: Logger;
}

/** The lock file's holder; undefined when there is no lock, "unreadable" when it is not one of ours. */
export function readLock(dir: string): LockHolder | "unreadable" | undefined {
  let text: string;
  try {
    text = readFileSync(join(dir, LOCK_FILE), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    return "unreadable";
  }
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    if (typeof value.pid === "number" && typeof value.host === "string" && typeof value.token === "string")
      return value as LockHolder;
  } catch {
    // falls through
  }
  return "unreadable";
}

/** Whether the process that wrote `holder` may still run: same machine and its pid is alive. */
export function holderAlive(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return true; // cannot tell from here
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function describe(holder: LockHolder): string {
  return `${holder.command} (pid ${holder.pid} on ${holder.host}, since ${holder.started})`;
}

/**
 * Throws when `dir` is locked by a writer that still runs; says nothing about a stale lock (its
 * process is gone), which {@link acquireFolderLock} will take over. For early checks that must not
 * create anything.
 */
export function checkNotLocked(dir: string, option = "--out"): void {
  const holder = readLock(dir);
  if (holder === undefined) return;
  if (holder === "unreadable")
    throw new ConfigError(
      option,
      `${join(dir, LOCK_FILE)} is not a lock this version can read; delete it if no llminit process writes to ${dir}`,
    );
  if (holderAlive(holder)) {
    const remote = holder.host !== hostname();
    throw new ConfigError(
      option,
      `${dir} is in use by ${describe(holder)}; wait for it to finish or use another ${option}` +
        (remote ? ` (it runs on another machine: delete ${join(dir, LOCK_FILE)} if it has stopped)` : ""),
    );
  }
}

/**
 * Takes the lock of an existing folder for one writer: creates `dir/.llminit.lock` atomically with
 * the holder inside (a hard link of a complete file, so no reader sees a half-written lock). A lock
 * whose process is gone (same machine, dead pid: a killed run) is taken over with a warning; a live
 * one is an error naming its holder.
 */
export function acquireFolderLock(dir: string, options: LockOptions): FolderLock {
  const option = options.option ?? "--out";
  const logger = options.logger ?? silentLogger;
  const file = join(dir, LOCK_FILE);
  const holder: LockHolder = {
    pid: process.pid,
    host: hostname(),
    command: options.command,
    started: new Date().toISOString(),
    token: randomBytes(8).toString("hex"),
  };
  const body = `${JSON.stringify(holder)}\n`;
  const temp = `${file}.${holder.pid}.${holder.token}`;
  writeFileSync(temp, body);
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      if (tryLink(temp, file, body)) return heldLock(file, holder);
      const current = readLock(dir);
      if (current === undefined) continue; // released meanwhile
      if (current === "unreadable" || holderAlive(current)) {
        checkNotLocked(dir, option); // throws, naming the holder
        continue;
      }
      // Stale: move it aside, and make sure what moved is the lock judged stale, not a fresh one.
      const aside = `${file}.stale.${holder.token}`;
      try {
        renameSync(file, aside);
      } catch {
        continue;
      }
      const moved = readLockFile(aside);
      if (moved?.token !== current.token) {
        tryLink(aside, file, undefined);
        unlinkQuietly(aside);
        continue;
      }
      unlinkQuietly(aside);
      logger.log("warn", `took over a stale lock: ${describe(current)} is no longer running`, { dir });
    }
    throw new ConfigError(option, `could not lock ${dir}: other writers keep taking it`);
  } finally {
    unlinkQuietly(temp);
  }
}

function readLockFile(path: string): LockHolder | undefined {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as LockHolder;
  } catch {
    return undefined;
  }
}

/** Creates `file` from `temp` unless it exists; false when it exists. */
function tryLink(temp: string, file: string, body: string | undefined): boolean {
  try {
    linkSync(temp, file);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return false;
    if (body === undefined) throw error;
    // File systems without hard links: exclusive create (a reader may briefly see it empty).
    try {
      writeFileSync(file, body, { flag: "wx" });
      return true;
    } catch (second) {
      if ((second as NodeJS.ErrnoException).code === "EEXIST") return false;
      throw second;
    }
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

/** The lock `holder` holds in `dir`, after its folder was renamed to `dir` (a replacing run swapped in). */
export function lockAt(dir: string, holder: LockHolder): FolderLock {
  return heldLock(join(dir, LOCK_FILE), holder);
}

function heldLock(file: string, holder: LockHolder): FolderLock {
  let released = false;
  return {
    file,
    holder,
    release() {
      if (released) return;
      released = true;
      if (readLockFile(file)?.token === holder.token) unlinkQuietly(file);
    },
  };
}
