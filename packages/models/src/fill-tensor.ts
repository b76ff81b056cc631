import type { Tensor } from "@tensorflow/tfjs-core";
import type { Tf } from "./backend.js";
import { readValues } from "./read-values.js";

/**
 * A new float32 tensor whose values `fill` writes. On wasm, `fill` writes straight into the
 * zero-initialised tensor's heap memory (no JS allocation, no copy); elsewhere into a fresh
 * zeroed array that becomes the tensor. `fill` must not create tfjs tensors.
 */
export function fillTensor<T extends Tensor>(tf: Tf, shape: number[], fill: (values: Float32Array) => void): T {
  if (tf.getBackend() === "wasm") {
    const tensor = tf.fill(shape, 0, "float32"); // the Fill kernel writes in the heap; tf.zeros copies from JS
    fill(readValues(tf, tensor) as Float32Array);
    return tensor as T;
  }
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  fill(values);
  return tf.tensor(values, shape, "float32") as T;
}
