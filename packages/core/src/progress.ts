/**
 * Progress of long work (loading, encoding, training). Libraries report; the CLI renders a
 * bar, tests record. A task is one unit with an optional total.
 */
export interface ProgressTask {
  /** Advances by `done` units (default 1), with optional key figures (loss, metric…). */
  tick(done?: number, info?: Readonly<Record<string, number | string>>): void;
  /** Marks the task finished. */
  end(info?: Readonly<Record<string, number | string>>): void;
}

export interface ProgressReporter {
  /** Starts a task; `total` is the number of units when known. */
  begin(label: string, total?: number): ProgressTask;
}

const NOOP_TASK: ProgressTask = Object.freeze({ tick() {}, end() {} });

/** Reports nothing. */
export const silentProgress: ProgressReporter = Object.freeze({ begin: () => NOOP_TASK });

export interface RecordedProgress {
  label: string;
  total?: number;
  done: number;
  ticks: number;
  ended: boolean;
  lastInfo?: Readonly<Record<string, number | string>>;
}

/** Keeps every task in `tasks`; for tests and for machine-readable logs. */
export class RecordingProgress implements ProgressReporter {
  readonly tasks: RecordedProgress[] = [];
  begin(label: string, total?: number): ProgressTask {
    const record: RecordedProgress = { label, total, done: 0, ticks: 0, ended: false };
    this.tasks.push(record);
    return {
      tick(done = 1, info) {
        record.done += done;
        record.ticks++;
        if (info !== undefined) record.lastInfo = info;
      },
      end(info) {
        record.ended = true;
        if (info !== undefined) record.lastInfo = info;
      },
    };
  }
}
