/**
 * `@llminit/data/browser`: the part of this package that runs in a browser (no files, streams or downloads):
 * interaction logs, filters, iterative k-core, seeded splits to CSR, item texts. Reading files, the dataset
 * registry's loaders and downloads are Node-only: import `@llminit/data`.
 */
export { InteractionLogBuilder, selectInteractions, compactLog } from "./interaction-log.js";
export type { InteractionLog, ItemFeatures } from "./interaction-log.js";
export {
  computeStats,
  filterByValue,
  removeDuplicates,
  kCore,
  filterInteractions,
  EmptyDatasetError,
} from "./filters.js";
export type { StageStats, FilterResult, FilterOptions } from "./filters.js";
export { splitInteractions, ratioCounts } from "./split.js";
export type { Split, SplitMethod, SplitOptions } from "./split.js";
export { parseTemplate, renderItemText, buildItemTexts, MAX_EMPTY_TEXT_SHARE } from "./item-text.js";
export type { TextTemplate } from "./item-text.js";
export { parsePythonLiteral, PythonLiteralError } from "./python-literal.js";
export type { PyValue } from "./python-literal.js";
export { DATASETS, defaultTextTemplate } from "./registry.js";
export type { DatasetEntry, RemoteFile, RawFormat } from "./registry.js";
export { sparsifyTrain } from "./sparsify-train.js";
export type { SparsifyOptions } from "./sparsify-train.js";
