import type { Logger, LogFields, LogLevel, ProgressReporter, ProgressTask } from "@llminit/core";

/** What the CLI writes progress and logs to: stderr, so that stdout stays clean for `--json`. */
export interface TerminalStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

function formatFields(fields: LogFields | undefined): string {
  if (fields === undefined) return "";
  const parts = Object.entries(fields).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`);
  return parts.length === 0 ? "" : ` ${parts.join(" ")}`;
}

/** Logs as `[level] message key=value …` lines; debug lines only when verbose. */
export function terminalLogger(stream: TerminalStream, verbose = false): Logger {
  return {
    log(level: LogLevel, message: string, fields?: LogFields) {
      if (level === "debug" && !verbose) return;
      stream.write(`[${level}] ${message}${formatFields(fields)}\n`);
    },
  };
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  return s >= 3600
    ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`
    : s >= 60
      ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`
      : `${s}s`;
}

function formatInfo(info: Readonly<Record<string, number | string>> | undefined): string {
  if (info === undefined) return "";
  return Object.entries(info)
    .map(([k, v]) => `${k} ${typeof v === "number" ? (Number.isInteger(v) ? v : v.toPrecision(4)) : v}`)
    .join("  ");
}

/**
 * A progress bar with rate and ETA on a terminal (redrawn at most every 100 ms), or one line per
 * finished task when stderr is a file or pipe, so logs stay readable.
 */
export function terminalProgress(
  stream: TerminalStream,
  now: () => number = () => performance.now(),
): ProgressReporter {
  return {
    begin(label: string, total?: number): ProgressTask {
      const started = now();
      let done = 0;
      let lastDraw = 0;
      let info: Readonly<Record<string, number | string>> | undefined;
      const draw = (final: boolean) => {
        const elapsed = (now() - started) / 1000;
        const rate = elapsed > 0 ? done / elapsed : 0;
        const width = 24;
        let bar = "";
        let eta = "";
        if (total !== undefined && total > 0) {
          const filled = Math.min(width, Math.round((done / total) * width));
          bar = `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total} `;
          eta = final ? ` ${formatDuration(elapsed)}` : ` ETA ${formatDuration((total - done) / Math.max(rate, 1e-9))}`;
        } else {
          bar = `${done} `;
          eta = ` ${formatDuration(elapsed)}`;
        }
        const text = `${label} ${bar}${rate.toFixed(1)}/s${eta}  ${formatInfo(info)}`.trimEnd();
        if (stream.isTTY) stream.write(`\r\x1b[2K${text}${final ? "\n" : ""}`);
        else if (final) stream.write(`${text}\n`);
      };
      return {
        tick(n = 1, tickInfo) {
          done += n;
          if (tickInfo !== undefined) info = tickInfo;
          const t = now();
          if (stream.isTTY && t - lastDraw > 100) {
            lastDraw = t;
            draw(false);
          }
        },
        end(endInfo) {
          if (endInfo !== undefined) info = endInfo;
          draw(true);
        },
      };
    },
  };
}
