import type { RunFolder } from "@llminit/pipeline";
import type { TerminalStream } from "./terminal-reporter.js";

/** Where the CLI hears SIGINT / SIGTERM (the process; tests pass an emitter of their own). */
export interface SignalSource {
  on(event: "SIGINT" | "SIGTERM", listener: (signal: NodeJS.Signals) => void): unknown;
  off(event: "SIGINT" | "SIGTERM", listener: (signal: NodeJS.Signals) => void): unknown;
}

/** What a run needs from {@link watchInterrupts}. */
export interface InterruptWatch {
  /** Aborted on the first signal (a caller that does not exit at once stops at the next check). */
  signal: AbortSignal;
  /** Tell the watch which run folder the run holds (`RunHooks.onFolder`). */
  onFolder(folder: RunFolder): void;
  /** Stops listening (call when the run is over, whatever its outcome). */
  dispose(): void;
  /** The exit status of the signal that interrupted the run (undefined: none did). */
  readonly interrupted: number | undefined;
}

const STATUS: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

/**
 * Ctrl-C or a SIGTERM during `llminit run`: releases the run folder's lock files (synchronously:
 * the run's files are already safe, each written whole and a checkpoint after every epoch), prints
 * one line saying the run was interrupted and how to resume it, and exits 130 (SIGINT) or 143.
 */
export function watchInterrupts(
  stderr: TerminalStream,
  signals: SignalSource,
  exit: (status: number) => void,
): InterruptWatch {
  const controller = new AbortController();
  let folder: RunFolder | undefined;
  let interrupted: number | undefined;
  const listener = (signal: NodeJS.Signals) => {
    if (interrupted !== undefined) return;
    interrupted = STATUS[signal] ?? 130;
    folder?.release();
    stderr.write(`llminit: interrupted (${signal}): ${whereToResume(folder)}\n`);
    controller.abort(new Error(`interrupted by ${signal}`));
    exit(interrupted);
  };
  signals.on("SIGINT", listener);
  signals.on("SIGTERM", listener);
  return {
    signal: controller.signal,
    onFolder: (held) => (folder = held),
    dispose: () => {
      signals.off("SIGINT", listener);
      signals.off("SIGTERM", listener);
    },
    get interrupted() {
      return interrupted;
    },
  };
}

function whereToResume(folder: RunFolder | undefined): string {
  if (folder === undefined) return "stopped before its run folder was created; nothing was written";
  const resume = `continue it from its last epoch checkpoint with: llminit run --resume ${folder.dir}`;
  if (!folder.staged) return resume;
  return `${folder.finalDir} still holds the previous run; the new one stopped in ${folder.dir}: ${resume} (it then replaces the previous run)`;
}
