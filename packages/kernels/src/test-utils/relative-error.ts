/** ‖a − b‖ / ‖b‖ with b in float64. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let e = 0;
  let n = 0;
  for (let k = 0; k < b.length; k++) {
    e += (a[k] - b[k]) ** 2;
    n += b[k] ** 2;
  }
  return Math.sqrt(e / Math.max(n, 1e-300));
}
