/**
 * A coarse quality level from the magnitude of the clock's error (the last offset while Syncs arrive,
 * the estimated holdover error while they do not). Thresholds are upper bounds in ns:
 *   excellent < 100 ns   (hardware timestamping, locked)
 *   good      < 1 µs     (software timestamping, locked)
 *   fair      < 10 µs
 *   poor      < 1 ms
 *   critical  ≥ 1 ms, or unknown
 */
export type QualityLevel = 'excellent' | 'good' | 'fair' | 'poor' | 'critical';

export interface QualityThresholdsNs {
  readonly excellent: number;
  readonly good: number;
  readonly fair: number;
  readonly poor: number;
}

export const DEFAULT_QUALITY_THRESHOLDS_NS: QualityThresholdsNs = Object.freeze({
  excellent: 100,
  good: 1_000,
  fair: 10_000,
  poor: 1_000_000,
});

export function qualityLevel(errorNs: number | undefined, thresholds: QualityThresholdsNs = DEFAULT_QUALITY_THRESHOLDS_NS): QualityLevel {
  if (errorNs === undefined || !Number.isFinite(errorNs)) return 'critical';
  const e = Math.abs(errorNs);
  if (e < thresholds.excellent) return 'excellent';
  if (e < thresholds.good) return 'good';
  if (e < thresholds.fair) return 'fair';
  if (e < thresholds.poor) return 'poor';
  return 'critical';
}
