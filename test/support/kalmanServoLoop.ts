/**
 * The Kalman servo (src/servo/kalmanServo.ts) against a scripted clock, for its specifications
 * (test/unit/servo/kalmanServo*.test.ts): the true phase θ moves by (applied − needed frequency)·dt
 * between Syncs, each offset is θ plus noise. Times are simulated.
 */
import { expect } from 'vitest';
import { Prng } from '../../src/clock/prng.js';
import { localTime } from '../../src/clock/timePoint.js';
import { KalmanServo, type KalmanServoOptions } from '../../src/servo/kalmanServo.js';
import type { LinkNoise, RateMeasurement, ServoUncertainty } from '../../src/servo/servo.js';
import { servoErrorBound } from '../../src/servo/servoErrorBound.js';
import { ServoState } from '../../src/servo/servoState.js';

export const INTERVAL_S = 0.125;
export const at = (s: number) => localTime(BigInt(Math.round(s * 1e9)));

export interface Loop {
  readonly servo: KalmanServo;
  /** True phase (clock − master), ns, before each Sync. */
  readonly truePhases: number[];
  readonly outputs: { frequencyPpb: number; outlier: boolean; state: string; phaseChangeNs?: number; levelNs?: number }[];
  /** The servo's uncertainty after each Sync. */
  readonly uncertainties: (ServoUncertainty | undefined)[];
  /** Its frequency estimate φ̂ after each Sync, ppb. */
  readonly frequencyEstimates: number[];
}

/**
 * Runs `syncs` Syncs: the clock needs `neededPpb`, which moves by `wander(i)` ppb after the i-th;
 * `noise(i)` is added to the i-th offset, `rate(i, needed)` is the rate ratio the engine gives with it
 * (none by default). The servo's frequency is applied until the next Sync; a step moves the phase.
 */
export function loop(
  options: KalmanServoOptions,
  syncs: number,
  neededPpb: number,
  noise: (i: number) => number,
  feedForwardPpb?: number,
  initialPhaseNs = 0,
  wander: (i: number) => number = () => 0,
  rate: (i: number, neededPpb: number) => RateMeasurement | undefined = () => undefined,
  neighborIsGrandmaster = false,
): Loop {
  const servo = new KalmanServo({ syncIntervalS: INTERVAL_S, ...options });
  let theta = initialPhaseNs;
  let applied = 0;
  let needed = neededPpb;
  const truePhases: number[] = [];
  const outputs: Loop['outputs'] = [];
  const uncertainties: Loop['uncertainties'] = [];
  const frequencyEstimates: number[] = [];
  const link: LinkNoise = { feedForwardSigmaPpb: undefined, timestampSigmaNs: undefined, rate: undefined, neighborIsGrandmaster };
  for (let i = 0; i < syncs; i++) {
    truePhases.push(theta);
    link.rate = rate(i, needed);
    const out = servo.sample(theta + noise(i), at(i * INTERVAL_S), feedForwardPpb, link);
    outputs.push({
      frequencyPpb: out.frequencyPpb,
      outlier: out.outlier === true,
      state: out.state,
      ...(out.phaseChangeNs === undefined ? {} : { phaseChangeNs: out.phaseChangeNs }),
      ...(out.levelNs === undefined ? {} : { levelNs: out.levelNs }),
    });
    uncertainties.push(servo.uncertainty());
    frequencyEstimates.push(servo.frequencyEstimatePpb());
    if (out.stepNs !== undefined) theta += out.stepNs;
    if (out.state !== ServoState.unlocked) applied = out.frequencyPpb;
    needed += wander(i);
    theta += (applied - needed) * INTERVAL_S;
  }
  return { servo, truePhases, outputs, uncertainties, frequencyEstimates };
}

/**
 * The error bound's servo terms cover the clock at every Sync from the 100th on, with the largest
 * change the servo reported so far. No asymmetry here: the link's own terms are the engine's
 * (servoErrorBound.ts).
 */
export function expectBoundCovers(l: Loop, label: string): void {
  let largestChange = 0;
  l.truePhases.forEach((truePhase, i) => {
    largestChange = Math.max(largestChange, Math.abs(l.outputs[i]?.phaseChangeNs ?? 0));
    const uncertainty = l.uncertainties[i];
    if (i < 100 || uncertainty === undefined) return;
    const bound = servoErrorBound({ software: true, pathDelayNs: 0, phaseChangeNs: largestChange, offsetRmsNs: 0, uncertainty, ageS: 0 });
    expect(bound.atNs, `${label}, Sync ${i}`).toBeGreaterThanOrEqual(Math.abs(truePhase));
  });
}

export function gaussian(seed: number, sigmaNs: number): (i: number) => number {
  const r = new Prng(seed);
  return () => r.gaussian() * sigmaNs;
}

/**
 * The software tuning without the latency state: the two-state filter a software start runs until the
 * latency joins (10 s, and again after a believed change), whose level test and course these specify.
 */
export const TWO_STATE: KalmanServoOptions = { softwareTimestamps: true, latencyTimeConstantS: 0 };
