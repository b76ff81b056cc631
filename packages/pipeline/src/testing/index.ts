export { writeToyDataset } from "./write-toy-dataset.js";
export type { ToyDataset } from "./write-toy-dataset.js";
export { writeToyVectorsWithNewItems } from "./write-toy-new-items.js";
