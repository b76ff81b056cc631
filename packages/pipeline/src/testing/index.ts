export { writeToyDataset } from "./write-toy-dataset.js";
export type { ToyDataset } from "./write-toy-dataset.js";
export { writeToyVectorsWithNewItems } from "./write-toy-new-items.js";
export { expandTokens, outcomeProblems, snapshotChanges, snapshotTree, writeCaseFiles } from "./bad-input-corpus.js";
export type { BadInputCase, CaseFile } from "./bad-input-corpus.js";
