/**
 * Holdover sets the clock's frequency outside the servo (ClockServo.holdFrequency). A servo that
 * predicts the clock's course from the frequency it applied (kalman, linreg) must take the held one,
 * or its first prediction after the loss is off by (held − applied) × the loss's length. Scenario: a
 * scripted clock that needs +50 ppb is 20 µs off at the start; the Syncs stop while the servo still
 * pulls that phase in (its output then differs from its frequency estimate), the clock runs on the
 * servo's frequency estimate for 30 s, and the Syncs come back.
 */
import { describe, expect, it } from 'vitest';
import { Prng } from '../../../src/clock/prng.js';
import { localTime } from '../../../src/clock/timePoint.js';
import { KalmanServo } from '../../../src/servo/kalmanServo.js';
import { LinregServo } from '../../../src/servo/linregServo.js';
import type { Servo } from '../../../src/servo/servo.js';
import { ServoState } from '../../../src/servo/servoState.js';

const INTERVAL_S = 0.125;
const NEEDED_PPB = 50;
const INITIAL_PHASE_NS = 20_000;
const NOISE_NS = 20;
const SYNCS_AFTER = 80;
const at = (s: number) => localTime(BigInt(Math.round(s * 1e9)));

interface Loss {
  /** Whether the servo is told of the held frequency. */
  readonly told: boolean;
  /** Syncs before the loss. Default 24 (3 s: the phase still being pulled in). */
  readonly syncsBefore?: number;
  /** How late the last Sync before the loss reads (a software timestamp's late frame), ns. Default 0. */
  readonly lateNs?: number;
  /** When the hold begins after the last Sync, s. Default 3 intervals (syncReceiptTimeout 3). */
  readonly holdAfterS?: number;
  /** From the hold to the first Sync back, s. Default 30. */
  readonly lossS?: number;
  /** How far the held frequency is from the servo's own estimate (the holdover line's), ppb. Default 0. */
  readonly heldFromEstimatePpb?: number;
}

interface Return {
  /** |true phase| when the Syncs came back, ns. */
  readonly atReturnNs: number;
  /** Largest |true phase| once the first Sync back has been used, ns. */
  readonly largestAfterFirstNs: number;
  /** |the servo's phase estimate − the true phase| at the first Sync back, ns (servos that keep one). */
  readonly firstEstimateErrorNs: number | undefined;
  /** Offsets after the return the servo left out as outliers. */
  readonly outliersAfter: number;
}

function lossAndReturn(servo: Servo, loss: Loss): Return {
  const syncsBefore = loss.syncsBefore ?? 24;
  const noise = new Prng(7);
  let theta = INITIAL_PHASE_NS;
  let applied = 0;
  let t = 0;
  const sync = (lateNs = 0): { outlier: boolean; estimateErrorNs: number | undefined } => {
    const out = servo.sample(theta + noise.gaussian() * NOISE_NS + lateNs, at(t));
    const estimate = servo.uncertainty?.()?.phaseEstimateNs;
    const estimateErrorNs = estimate === undefined ? undefined : Math.abs(estimate - theta);
    if (out.stepNs !== undefined) theta += out.stepNs;
    if (out.state !== ServoState.unlocked) applied = out.frequencyPpb;
    theta += (applied - NEEDED_PPB) * INTERVAL_S;
    t += INTERVAL_S;
    return { outlier: out.outlier === true, estimateErrorNs };
  };
  for (let i = 0; i < syncsBefore; i++) sync(i === syncsBefore - 1 ? (loss.lateNs ?? 0) : 0);
  // The last Sync's interval has run on the servo's output; the rest up to the hold as well.
  const sinceLast = (loss.holdAfterS ?? 3 * INTERVAL_S) - INTERVAL_S;
  theta += (applied - NEEDED_PPB) * sinceLast;
  t += sinceLast;
  const held = servo.frequencyEstimatePpb() + (loss.heldFromEstimatePpb ?? 0);
  if (loss.told) servo.holdFrequency?.(held, at(t));
  const lossS = loss.lossS ?? 30;
  theta += (held - NEEDED_PPB) * lossS;
  t += lossS;
  applied = held;
  const atReturnNs = Math.abs(theta);
  let largestAfterFirstNs = 0;
  let outliersAfter = 0;
  let firstEstimateErrorNs: number | undefined;
  for (let i = 0; i < SYNCS_AFTER; i++) {
    const s = sync();
    if (i === 0) firstEstimateErrorNs = s.estimateErrorNs;
    if (s.outlier) outliersAfter++;
    largestAfterFirstNs = Math.max(largestAfterFirstNs, Math.abs(theta));
  }
  return { atReturnNs, largestAfterFirstNs, firstEstimateErrorNs, outliersAfter };
}

const kalman = (): Servo => new KalmanServo({ syncIntervalS: INTERVAL_S, firstStepThresholdNs: 0 });

/**
 * The servos, and how late the last Sync before the loss reads: the Kalman servo's output differs from
 * its estimate while it pulls the phase in; linreg's after a late frame it took (its output then
 * removes that offset within an interval, its estimate is the fitted slope).
 */
const servos: readonly [string, () => Servo, number][] = [
  ['kalman', kalman, 0],
  ['linreg (PHC)', () => new LinregServo({ syncIntervalS: INTERVAL_S, firstStepThresholdNs: 0 }), 500],
  ['linreg (virtual clock)', () => new LinregServo({ syncIntervalS: INTERVAL_S, firstStepThresholdNs: 0, timestampsFollowAdjustment: false }), 500],
];

describe.each(servos)('the %s servo told of a held frequency', (_name, create, lateNs) => {
  it('takes the clock back from where the loss left it, never farther off', () => {
    const r = lossAndReturn(create(), { told: true, lateNs });
    // The loss leaves the clock off by the frequency estimate's error × 30 s: something to take back.
    expect(r.atReturnNs).toBeGreaterThan(20);
    expect(r.largestAfterFirstNs).toBeLessThanOrEqual(Math.min(r.atReturnNs, 100) + 4 * NOISE_NS);
  });

  it('is what makes the difference: untold, it steers by the course it did not run', () => {
    const told = lossAndReturn(create(), { told: true, lateNs });
    const untold = lossAndReturn(create(), { told: false, lateNs });
    expect(untold.largestAfterFirstNs).toBeGreaterThan(told.largestAfterFirstNs + 300);
  });

  it("counts the hold from its instant: before it, the clock ran on the servo's own output", () => {
    // A hold 3 s after the last Sync (a loss judged late: an asCapable or master loss, a 1 s timeout).
    const r = lossAndReturn(create(), { told: true, lateNs, holdAfterS: 3 });
    expect(r.largestAfterFirstNs).toBeLessThanOrEqual(Math.min(r.atReturnNs, 100) + 4 * NOISE_NS);
  });
});

describe('the kalman servo after a held frequency', () => {
  it('uses the first offsets after the return: the course it predicts is the one the clock ran', () => {
    expect(lossAndReturn(kalman(), { told: true }).outliersAfter).toBe(0);
  });

  it('predicts on its own output up to the hold and on the held frequency after it', () => {
    // Locked for 50 s, then held 200 ppb from its own estimate (the holdover line's) 3 s after the last
    // Sync, and the Syncs back 1 s later: the filter is still sure of its phase, so its prediction sets
    // the estimate. Counted as held from the last Sync on, it would be 600 ns off and gate the offsets out.
    const r = lossAndReturn(kalman(), { told: true, syncsBefore: 400, holdAfterS: 3, lossS: 1, heldFromEstimatePpb: 200 });
    expect(r.atReturnNs).toBeGreaterThan(150);
    expect(r.firstEstimateErrorNs).toBeLessThanOrEqual(4 * NOISE_NS);
    expect(r.outliersAfter).toBe(0);
  });
});
