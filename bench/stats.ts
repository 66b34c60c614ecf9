/** Small statistics shared by the benchmarks. */

/** Nearest-rank percentile `p` (0–100) of an ascending array; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** An ascending copy. */
export const sortedCopy = (xs: readonly number[]): number[] => [...xs].sort((a, b) => a - b);
