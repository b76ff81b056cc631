import type { Tensor, TypedArray } from "@tensorflow/tfjs-core";
import type { Tf } from "./backend.js";

interface HeapBackend {
  typedArrayFromHeap(info: { shape: number[]; dtype: string; dataId: object }): TypedArray;
  dataIdMap: { has(dataId: object): boolean };
}

function onHeap(backend: unknown, tensor: Tensor): backend is HeapBackend {
  const candidate = backend as Partial<HeapBackend>;
  return typeof candidate.typedArrayFromHeap === "function" && candidate.dataIdMap?.has(tensor.dataId) === true;
}

/**
 * A tensor's values for reading in JS. On wasm it is a VIEW of the wasm heap (no copy: wasm's
 * readSync copies through a slow slice), valid only until the next tfjs allocation, so use it
 * at once and never write to it. Elsewhere it is `dataSync()`, which may also be the backend's
 * own storage: never write to the result.
 */
export function readValues(tf: Tf, tensor: Tensor): TypedArray {
  const backend = tf.backend();
  if (tf.getBackend() === "wasm" && onHeap(backend, tensor)) return backend.typedArrayFromHeap(tensor);
  return tensor.dataSync() as TypedArray;
}
