/** Figures of a series of signed values (errors or offsets in ns). */
export interface SeriesFigures {
  readonly count: number;
  readonly mean: number;
  /** Standard deviation about the mean (population). */
  readonly std: number;
  /** Median of the signed values. */
  readonly median: number;
  readonly rms: number;
  /** Largest |value|. */
  readonly maxAbs: number;
  /** Median of |value|. */
  readonly medianAbs: number;
  /** 99th percentile of |value| (nearest rank). */
  readonly p99Abs: number;
}

/** Nearest-rank quantile q ∈ [0, 1] of sorted values; NaN when empty. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] as number;
}

export function seriesFigures(values: readonly number[]): SeriesFigures {
  const n = values.length;
  if (n === 0) return { count: 0, mean: NaN, std: NaN, median: NaN, rms: NaN, maxAbs: NaN, medianAbs: NaN, p99Abs: NaN };
  const sorted = [...values].sort((a, b) => a - b);
  const abs = values.map(Math.abs).sort((a, b) => a - b);
  const mean = values.reduce((a, v) => a + v, 0) / n;
  return {
    count: n,
    mean,
    std: Math.sqrt(values.reduce((a, v) => a + (v - mean) * (v - mean), 0) / n),
    median: quantile(sorted, 0.5),
    rms: Math.sqrt(values.reduce((a, v) => a + v * v, 0) / n),
    maxAbs: abs[n - 1] as number,
    medianAbs: quantile(abs, 0.5),
    p99Abs: quantile(abs, 0.99),
  };
}
