import { acquireFolderLock, createFolders, removeFolders, type FolderLock } from "@llminit/pipeline";
import type { Logger } from "@llminit/core";

/**
 * Creates a bench command's `--out` folder and takes its lock, as the grids do: a second command
 * on the same folder would remove or overwrite this one's runs. Folders it created are removed
 * again when the lock is refused.
 */
export function lockBenchOut(out: string, command: string, logger?: Logger): FolderLock {
  const created = createFolders("--out", out);
  try {
    return acquireFolderLock(out, { command: `llminit-bench ${command}`, option: "--out", logger });
  } catch (error) {
    removeFolders(created);
    throw error;
  }
}
