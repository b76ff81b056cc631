import type { EngineState } from "./training-engine.js";

/** Throws a RangeError naming `engine` unless `state` holds nodes × dim values per table and a whole step count. */
export function checkEngineState(state: EngineState, nodes: number, dim: number, engine: string): void {
  for (const key of ["ego", "moment1", "moment2"] as const) {
    const length = state[key].length;
    if (length !== nodes * dim)
      throw new RangeError(`${engine}: state.${key} has ${length} values, expected ${nodes} × ${dim}`);
  }
  if (!Number.isSafeInteger(state.step) || state.step < 0)
    throw new RangeError(`${engine}: state.step must be a non-negative integer, got ${state.step}`);
}

/**
 * β^(steps + 1) as an optimiser that starts from float32 β and multiplies by float32 β once per
 * step computes it (each product rounded to float32; `Math.fround` of a product of two float32
 * values rounds exactly as float32 multiplication does). `pow(β, t + 1)` can differ in the last bit.
 */
export function float32PowerByProducts(beta: number, steps: number): number {
  const factor = Math.fround(beta);
  let power = factor;
  for (let k = 0; k < steps; k++) power = Math.fround(power * factor);
  return power;
}
