/**
 * How far a client's extrapolated time may be from grandmaster time, ns — a guard time that grows
 * with the time since the last Sync the servo used (age, s):
 *
 *   bound(age) = offsetFromMasterRmsNs + floorNs + frequencyErrorPpb × age + ½ × wanderPpbPerS × age²
 *
 * - offsetFromMasterRmsNs: how far the servo is from the grandmaster while it is locked.
 * - floorNs: what the offset cannot show — timestamping noise and path asymmetry, which the offset
 *   measurement is blind to (a constant asymmetry a shows up as a/2 of invisible error).
 * - frequencyErrorPpb: residual error of the rate the mapping extrapolates with (ppb × s = ns).
 * - wanderPpbPerS: how fast the local oscillator's frequency may change while no Sync corrects it
 *   (temperature), giving the quadratic holdover term.
 *
 * Assumptions: the mapping's rate was right to within frequencyErrorPpb at the last Sync, and the
 * oscillator's frequency changes by at most wanderPpbPerS per second after it. The bound is meant to be
 * conservative (an application reserves it as guard time), not a statistical 1σ figure.
 */
import type { Snapshot, TimestampingMode } from './snapshot.js';

export interface ErrorBoundModel {
  /** ns added to the offset RMS. */
  readonly floorNs: number;
  /** ppb: |rate error| of the mapping at the last Sync. */
  readonly frequencyErrorPpb: number;
  /** ppb/s: |frequency change| of the local oscillator in holdover. */
  readonly wanderPpbPerS: number;
}

/**
 * Defaults per timestamping mode.
 * - software: timestamps on veth/NICs without PTP hardware jitter by ~1–5 µs with a ~0.6 µs
 *   asymmetry (shared/LAB-NOTES.md: ptp4l's own offsets there reach ~2 µs), so 2 µs floor; a rate
 *   estimated from µs-jittered timestamps over seconds is good to ~1 ppm.
 * - hardware: PHC timestamps jitter by tens of ns; 100 ns floor, 100 ppb rate error.
 * - wander: an uncompensated quartz oscillator drifts up to ~1 ppm/K; a room warming by 1 K/min gives
 *   ~17 ppb/s, rounded up to 20 ppb/s. A TCXO/OCXO allows much less (configure it).
 */
export const DEFAULT_ERROR_BOUND_MODELS: Readonly<Record<TimestampingMode, ErrorBoundModel>> = {
  software: { floorNs: 2000, frequencyErrorPpb: 1000, wanderPpbPerS: 20 },
  hardware: { floorNs: 100, frequencyErrorPpb: 100, wanderPpbPerS: 20 },
};

/** The bound after `ageS` seconds without a Sync, ns. */
export function errorBoundNs(model: ErrorBoundModel, offsetFromMasterRmsNs: number, ageS: number): number {
  const age = Math.max(0, ageS);
  return offsetFromMasterRmsNs + model.floorNs + age * (model.frequencyErrorPpb + 0.5 * model.wanderPpbPerS * age);
}

/**
 * The bound as a polynomial in the age (s): atSyncNs + age × (nsPerS + nsPerS2 × age). The one place
 * that turns a snapshot into the terms a reader evaluates at each call: TimeExtrapolator
 * (TimeBaseClient.now()) and the shared-memory time page (timePage.ts) both take them from here.
 */
export interface ErrorBoundTerms {
  readonly atSyncNs: number;
  readonly nsPerS: number;
  readonly nsPerS2: number;
}

export function errorBoundTerms(snapshot: Pick<Snapshot, 'offsetFromMasterRmsNs' | 'errorBound' | 'holdover'>, model: ErrorBoundModel): ErrorBoundTerms {
  const guard = guardTerms(snapshot, model);
  const h = snapshot.holdover;
  if (h === null) return guard;
  // In holdover the daemon's estimate (e0 + σ·t + ½D·t², t from the start of holdover) knows this
  // oscillator's recent history, the guard assumes one; neither may undercut the other. Taking each
  // term's larger value, with t counted from the last Sync (earlier than the start of holdover), gives
  // one polynomial that is never below either: the client and the time page then evaluate the same bound.
  return {
    atSyncNs: Math.max(guard.atSyncNs, model.floorNs + h.initialErrorNs),
    nsPerS: Math.max(guard.nsPerS, h.stabilityPpb),
    nsPerS2: Math.max(guard.nsPerS2, 0.5 * h.driftPpbPerS),
  };
}

function guardTerms(snapshot: Pick<Snapshot, 'offsetFromMasterRmsNs' | 'errorBound'>, model: ErrorBoundModel): ErrorBoundTerms {
  // The daemon's servo bounds its own error (src/servo/servoErrorBound.ts): when the snapshot carries
  // that bound, it is used as it is; the model is for providers that send none.
  const b = snapshot.errorBound;
  if (b !== undefined && b !== null) return { atSyncNs: b.atLastSyncNs, nsPerS: b.growthPpb, nsPerS2: b.halfWanderPpbPerS };
  return { atSyncNs: errorBoundNs(model, snapshot.offsetFromMasterRmsNs, 0), nsPerS: model.frequencyErrorPpb, nsPerS2: 0.5 * model.wanderPpbPerS };
}
