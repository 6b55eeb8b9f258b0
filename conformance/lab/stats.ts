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

/** The error bound claimed at an instant, beside the true error then, ns. */
export interface BoundSample {
  readonly absErrorNs: number;
  readonly boundNs: number;
}

/** The least errorBoundNs − |true error| over samples, ns (< 0: the bound missed; Infinity for none): how close it came. */
export function errorBoundClosestNs(samples: readonly BoundSample[]): number {
  let closest = Infinity;
  for (const x of samples) closest = Math.min(closest, x.boundNs - x.absErrorNs);
  return closest;
}

/** How an error bound did over the instants it was claimed: the lab's and the replay's one definition. */
export interface ErrorBoundOver {
  /** Share of the samples with |true error| ≤ the bound (0–1; NaN for none). */
  readonly coverage: number;
  /** Median bound, ns (NaN for none). */
  readonly medianNs: number;
  /** The least bound − |true error|, ns (< 0: the bound missed; NaN for none). */
  readonly closestNs: number;
}

export function errorBoundOver(samples: readonly BoundSample[]): ErrorBoundOver {
  if (samples.length === 0) return { coverage: NaN, medianNs: NaN, closestNs: NaN };
  const within = samples.filter((x) => x.absErrorNs <= x.boundNs).length;
  const bounds = samples.map((x) => x.boundNs).sort((a, b) => a - b);
  return { coverage: within / samples.length, medianNs: quantile(bounds, 0.5), closestNs: errorBoundClosestNs(samples) };
}

/** The difference of two series' means with its 95 % confidence interval (Welch's t). */
export interface MeanDifference {
  /** mean(a) − mean(b). */
  readonly difference: number;
  /** Half-width of the 95 % interval around `difference`. */
  readonly halfWidth95: number;
  /** Welch–Satterthwaite degrees of freedom, rounded down (the wider, safer interval). */
  readonly degreesOfFreedom: number;
}

/** Student's t, two-sided 95 % (the 0.975 quantile), for 1 … 30 degrees of freedom. */
const T_975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069,
  2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** The 0.975 quantile of Student's t; past the table 1.96 + 2.4/ν, within 0.002 of the exact value. */
export function studentT975(degreesOfFreedom: number): number {
  const nu = Math.max(1, Math.floor(degreesOfFreedom));
  return nu <= T_975.length ? (T_975[nu - 1] as number) : 1.96 + 2.4 / nu;
}

function sampleVariance(x: readonly number[]): number {
  const mean = x.reduce((s, v) => s + v, 0) / x.length;
  return x.reduce((s, v) => s + (v - mean) * (v - mean), 0) / (x.length - 1);
}

/**
 * mean(a) − mean(b) and its 95 % interval, without assuming equal spreads (Welch). Five runs per
 * stack leave an interval as wide as the run-to-run spread of the link, so a target on the difference
 * can only be judged against this width. Undefined unless both have two values or more.
 */
export function meanDifference(a: readonly number[], b: readonly number[]): MeanDifference | undefined {
  if (a.length < 2 || b.length < 2) return undefined;
  const meanA = a.reduce((s, v) => s + v, 0) / a.length;
  const meanB = b.reduce((s, v) => s + v, 0) / b.length;
  const va = sampleVariance(a) / a.length;
  const vb = sampleVariance(b) / b.length;
  const spread = va + vb;
  const nu = spread === 0 ? a.length + b.length - 2 : (spread * spread) / ((va * va) / (a.length - 1) + (vb * vb) / (b.length - 1));
  const degreesOfFreedom = Math.floor(nu);
  return { difference: meanA - meanB, halfWidth95: studentT975(degreesOfFreedom) * Math.sqrt(spread), degreesOfFreedom };
}

/** A mean with its 95 % confidence interval (Student's t over the values). */
export interface MeanInterval {
  readonly mean: number;
  readonly halfWidth95: number;
}

/**
 * The mean of paired differences (each run's Syntonic − ptp4l, both in that run) and its 95 %
 * interval: what the two stacks share in a run (the link, its wander) drops out of each value, so
 * the interval is as narrow as the stacks' own run-to-run spread. Undefined for fewer than 2 values.
 */
export function meanInterval(values: readonly number[]): MeanInterval | undefined {
  if (values.length < 2) return undefined;
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  return { mean, halfWidth95: studentT975(values.length - 1) * Math.sqrt(sampleVariance(values) / values.length) };
}
