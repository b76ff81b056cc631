export { LlminitError, DataFormatError, ConfigError, NotAvailableError, ShapeError, formatLocation } from "./errors.js";
export type { SourceLocation } from "./errors.js";
export { createRng } from "./rng.js";
export type { Rng } from "./rng.js";
export { createMatrix, matrixRow, gatherRows, gatherColumns, normalizeRowsL2 } from "./matrix.js";
export type { Matrix } from "./matrix.js";
export {
  csrFromPairs,
  csrTranspose,
  csrRow,
  csrRowDegrees,
  csrColumnDegrees,
  csrHas,
  csrNnz,
  validateCsr,
} from "./csr.js";
export type { Csr, CsrFromPairsOptions } from "./csr.js";
export { encodeNpy, encodeNpyHeader, decodeNpy } from "./npy.js";
export type { NpyArray, NpyData, NpyDtype } from "./npy.js";
export { silentProgress, RecordingProgress } from "./progress.js";
export type { ProgressReporter, ProgressTask, RecordedProgress } from "./progress.js";
export { silentLogger, RecordingLogger } from "./logger.js";
export type { Logger, LogLevel, LogFields, LogRecord } from "./logger.js";
export { Vocab } from "./vocab.js";
export { parseCliArgs, flagName, optionKey, closestName, parseBooleanWord, wantsHelp } from "./parse-cli-args.js";
export type { FlagSpec, ParsedArgs, ParseOptions } from "./parse-cli-args.js";
