/** Structured log lines. Libraries never print; they log here and the caller decides where it goes. */
export type LogLevel = "debug" | "info" | "warn";

export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  log(level: LogLevel, message: string, fields?: LogFields): void;
}

export interface LogRecord {
  level: LogLevel;
  message: string;
  fields?: LogFields;
}

/** Drops everything. */
export const silentLogger: Logger = Object.freeze({ log() {} });

/** Keeps every record in `records`; for tests. */
export class RecordingLogger implements Logger {
  readonly records: LogRecord[] = [];
  log(level: LogLevel, message: string, fields?: LogFields): void {
    this.records.push({ level, message, fields });
  }
}
