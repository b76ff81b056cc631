/**
 * When a validation score counts as the new best, and when to stop:
 * - `"strict"` (default): strictly greater than the best so far; stop after `patience`
 *   evaluations without improvement.
 * - `"recbole"`: RecBole's `early_stopping(value, best, cur_step, max_step, bigger=True)` on the
 *   score its evaluator reports, rounded to 4 decimals (`metric_decimal_place`, numpy's
 *   half-to-even `round`): `≥` the best counts as an improvement (so a tie moves the best epoch
 *   later), and training stops once `cur_step > max_step`, i.e. after `patience + 1`
 *   evaluations without improvement (11 with RecBole's `stopping_step: 10`). What the official
 *   LLMInit code runs.
 */
export type EarlyStoppingRule = "strict" | "recbole";

/** numpy's `round(x, decimals)`: x · 10^d rounded half to even, divided back, in float64. */
export function roundHalfEven(x: number, decimals: number): number {
  const scale = 10 ** decimals;
  const scaled = x * scale;
  let rounded = Math.round(scaled);
  // Math.round takes halves up; numpy's rint takes them to the even neighbour.
  if (rounded - scaled === 0.5 && rounded % 2 !== 0) rounded -= 1;
  return rounded / scale;
}

/** True when `score` becomes the new best over `best` (undefined: nothing validated yet). */
export function isImprovement(rule: EarlyStoppingRule, score: number, best: number | undefined): boolean {
  if (best === undefined) return true;
  return rule === "recbole" ? roundHalfEven(score, 4) >= roundHalfEven(best, 4) : score > best;
}

/** True when training stops after `sinceBest` evaluations in a row without improvement. */
export function shouldStop(rule: EarlyStoppingRule, sinceBest: number, patience: number): boolean {
  return rule === "recbole" ? sinceBest > patience : sinceBest >= patience;
}
