// The browser-safe half (logs, filters, k-core, splits, item texts, the registry), then what reads files.
export * from "./browser.js";
export { forEachLine, readLines, isGzipFile } from "./read-lines.js";
export type { NumberedLine, TextEncoding, LineSink } from "./read-lines.js";
export { checkIdBytes, hasInvalidBytes, replaceInvalidBytes } from "./text-bytes.js";
export { InvalidTextTally } from "./data-issues.js";
export type { DataIssue, FileSummary, ColumnSummary, ColumnUse } from "./data-issues.js";
export { readAtomicFile, readAtomicInteractions, readAtomicItems } from "./atomic-file.js";
export type { AtomicField, AtomicType, AtomicInteractionFields, ReadOptions } from "./atomic-file.js";
export {
  forEachDelimitedRecord,
  readDelimitedInteractions,
  readDelimitedItems,
  splitDelimited,
} from "./delimited-file.js";
export type { DelimitedOptions, DelimitedItemsOptions, ColumnRef, RecordSink } from "./delimited-file.js";
export { DELIMITED_COLUMNS, detectDelimited, readDelimitedHeader } from "./delimited-dataset.js";
export type { DelimitedColumns, DelimitedLocation } from "./delimited-dataset.js";
export { readAmazonReviews, readAmazonMeta, unescapeHtml } from "./amazon.js";
export type { AmazonReviewOptions } from "./amazon.js";
export { readMovieLens100k, readMovieLens1m, ML100K_GENRES } from "./movielens.js";
export type { MovieLensData, MovieLensOptions } from "./movielens.js";
export { listZip, readZipEntry } from "./zip.js";
export type { ZipEntry } from "./zip.js";
export { downloadFile } from "./download.js";
export type { DownloadOptions } from "./download.js";
export { detectFolder, locateDataset, listDatasets, loadDataset } from "./load-dataset.js";
export type { LocateOptions, LoadOptions, DatasetLocation, DatasetListing, LoadedDataset } from "./load-dataset.js";
export { prepareDataset } from "./prepare-dataset.js";
export { inspectDataset } from "./inspect-dataset.js";
export type { InspectOptions, DatasetInspection, StageReport, TextCoverage, TextCount } from "./inspect-dataset.js";
export type { PrepareOptions, PreparedDataset } from "./prepare-dataset.js";
export { readSplitFiles } from "./split-files.js";
export type { SplitFiles } from "./split-files.js";
