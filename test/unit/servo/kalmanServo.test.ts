/**
 * The Kalman servo (src/servo/kalmanServo.ts) against a scripted clock: the true phase θ moves by
 * (applied − needed frequency)·dt between Syncs, each offset is θ plus noise. Times are simulated.
 */
import { describe, expect, it } from 'vitest';
import { Prng } from '../../../src/clock/prng.js';
import { localTime } from '../../../src/clock/timePoint.js';
import { KalmanServo, type KalmanServoOptions } from '../../../src/servo/kalmanServo.js';
import type { LinkNoise, RateMeasurement, ServoUncertainty } from '../../../src/servo/servo.js';
import { lockFigures, simulate, standardScenario } from '../../../src/servo/servoSimulation.js';
import { ClockDiscipline } from '../../../src/servo/clockDiscipline.js';
import { servoErrorBound } from '../../../src/servo/servoErrorBound.js';
import { ServoState } from '../../../src/servo/servoState.js';
import { seriesFigures } from '../../../conformance/lab/stats.js';

const INTERVAL_S = 0.125;
const at = (s: number) => localTime(BigInt(Math.round(s * 1e9)));

interface Loop {
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
function loop(
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
function expectBoundCovers(l: Loop, label: string): void {
  let largestChange = 0;
  l.truePhases.forEach((truePhase, i) => {
    largestChange = Math.max(largestChange, Math.abs(l.outputs[i]?.phaseChangeNs ?? 0));
    const uncertainty = l.uncertainties[i];
    if (i < 100 || uncertainty === undefined) return;
    const bound = servoErrorBound({ software: true, pathDelayNs: 0, phaseChangeNs: largestChange, offsetRmsNs: 0, uncertainty, ageS: 0 });
    expect(bound.atNs, `${label}, Sync ${i}`).toBeGreaterThanOrEqual(Math.abs(truePhase));
  });
}

function gaussian(seed: number, sigmaNs: number): (i: number) => number {
  const r = new Prng(seed);
  return () => r.gaussian() * sigmaNs;
}

/**
 * The software tuning without the latency state: the two-state filter a software start runs until the
 * latency joins (10 s, and again after a believed change), whose level test and course these specify.
 */
const TWO_STATE: KalmanServoOptions = { softwareTimestamps: true, latencyTimeConstantS: 0 };

describe('KalmanServo: start', () => {
  it('steps a first offset beyond first_step_threshold and locks on the next Sync', () => {
    const l = loop({}, 3, 0, () => 0, undefined, 3_000_000);
    expect(l.outputs[0]?.state).toBe(ServoState.jump);
    expect(l.outputs[1]?.state).toBe(ServoState.locked);
    expect(Math.abs(l.truePhases[1] ?? Infinity)).toBeLessThan(1);
  });

  it('takes a feed-forward 1 ppm off as an uncertain measurement: the offsets correct it within seconds (software)', () => {
    // The clock needs 0 ppb; the start-up rate ratio says +1000 ppb (issue 14: +462 ppb and +1.29 ppm seen).
    const l = loop({ softwareTimestamps: true }, 80, 0, gaussian(1, 300), 1000);
    expect(Math.abs(l.servo.frequencyEstimatePpb())).toBeLessThan(100);
    const last = l.truePhases.slice(40);
    expect(Math.max(...last.map(Math.abs))).toBeLessThan(1000);
  });
});

describe('KalmanServo: the start on software timestamps (startSpanS)', () => {
  const lateFirst = (i: number): number => (i === 0 ? 18_000 : gaussian(2, 300)(i));

  it('seats the phase from the median of its first half second: a first Sync 18 µs late leaves the clock within the noise', () => {
    const l = loop({ softwareTimestamps: true }, 8, 0, lateFirst, 0, 3_000_000);
    expect(l.outputs.slice(0, 3).map((o) => o.state)).toEqual([ServoState.unlocked, ServoState.unlocked, ServoState.unlocked]);
    expect(l.outputs[3]?.state).toBe(ServoState.jump);
    expect(Math.abs(l.truePhases[4] ?? Infinity)).toBeLessThan(1_000);
  });

  it('where seated from the first offset alone, the clock starts 18 µs off', () => {
    const l = loop({ softwareTimestamps: true, startSpanS: 0 }, 2, 0, lateFirst, 0, 3_000_000);
    expect(l.outputs[0]?.state).toBe(ServoState.jump);
    expect(Math.abs(l.truePhases[1] ?? 0)).toBeGreaterThan(17_000);
  });

  it("carries each offset to the newest one's instant at the feed-forward's rate: a clock 50 ppm off seats within the noise", () => {
    // 50 ppm moves the offsets by 18.75 µs over the four Syncs; their plain median would be 9 µs off.
    const l = loop({ softwareTimestamps: true }, 4, 50_000, gaussian(3, 300), 50_000);
    expect(Math.abs((l.servo.uncertainty()?.phaseEstimateNs ?? Infinity) - (l.truePhases[3] ?? 0))).toBeLessThan(1_000);
  });

  it('starts at once in hardware mode, and without a feed-forward to carry the offsets by', () => {
    expect(loop({}, 1, 0, () => 0, 0, 3_000_000).outputs[0]?.state).toBe(ServoState.jump);
    expect(loop({ softwareTimestamps: true }, 1, 0, () => 0, undefined, 3_000_000).outputs[0]?.state).toBe(ServoState.jump);
  });
});

describe('KalmanServo: noise', () => {
  it('learns the measurement noise of the link (σ 600 ns → within 25 %)', () => {
    const l = loop({ softwareTimestamps: true }, 200, 50, gaussian(2, 600));
    const learned = l.servo.uncertainty()?.measurementNoiseNs ?? 0;
    expect(learned).toBeGreaterThan(450);
    expect(learned).toBeLessThan(750);
  });

  it('takes software timestamps as no better than 400 ns, however quiet their last minute (their latency wanders)', () => {
    const quiet = loop({ softwareTimestamps: true }, 200, 50, gaussian(2, 150));
    expect(quiet.servo.uncertainty()?.measurementNoiseNs).toBe(400);
    // Hardware timestamps have no such floor: the same link is learned as it is.
    const hardware = loop({}, 200, 50, gaussian(2, 150));
    expect(hardware.servo.uncertainty()?.measurementNoiseNs).toBeLessThan(190);
  });

  it('ignores a late frame 50 µs out at once, without moving the clock', () => {
    const spike = (i: number): number => (i === 100 ? 50_000 : 0);
    const clean = loop({ softwareTimestamps: true }, 110, 20, () => 0);
    const spiked = loop({ softwareTimestamps: true }, 110, 20, spike);
    expect(spiked.outputs[100]?.outlier).toBe(true);
    expect(spiked.outputs[100]?.frequencyPpb).toBeCloseTo(clean.outputs[100]?.frequencyPpb ?? NaN, 6);
    expect(Math.abs((spiked.truePhases[109] ?? 0) - (clean.truePhases[109] ?? 0))).toBeLessThan(1);
    expect(spiked.servo.uncertainty()?.outliers).toBe(1);
  });

  it('follows a real phase jump (a run of outliers on one side spanning 2 s) instead of rejecting it forever', () => {
    const jump = (i: number): number => (i >= 100 ? 200_000 : 0);
    const l = loop({ softwareTimestamps: true }, 200, 0, jump);
    // 2 s at 8 Sync/s: the 17th offset of the run is the first one believed.
    expect(l.outputs.slice(100, 116).every((o) => o.outlier)).toBe(true);
    expect(l.outputs[116]?.outlier).toBe(false);
    // A believed run was a change, not noise: just after it, it does not count against the noise model (timeBaseStatus.ts).
    expect(loop({ softwareTimestamps: true }, 120, 0, jump).servo.uncertainty()?.recentOutliers).toBe(0);
    // The clock follows the master's new time: the offset it measures goes back towards 0.
    expect(Math.abs((l.truePhases[199] ?? 0) + 200_000)).toBeLessThan(1_000);
  });
});

describe('KalmanServo: where a believed change puts the phase', () => {
  /**
   * A grandmaster back 3 ms ahead after a loss (first_step_threshold armed), σ 400 ns gaussian noise,
   * the run's believed offset `newestOffNs` off the rest: the clock's true phase just after the step, ns.
   */
  function afterStep(newestOffNs: number): number {
    const servo = new KalmanServo({ syncIntervalS: INTERVAL_S, softwareTimestamps: true });
    const noise = gaussian(7, 400);
    let theta = 0;
    let applied = 0;
    for (let i = 0; i < 200; i++) {
      if (i === 100) servo.allowFirstStep();
      const offset = theta + (i >= 100 ? 3_000_000 : 0) + noise(i) + (i === 116 ? newestOffNs : 0);
      const out = servo.sample(offset, at(i * INTERVAL_S), undefined, { feedForwardSigmaPpb: undefined, timestampSigmaNs: undefined, rate: undefined });
      if (out.stepNs !== undefined) {
        expect(i, 'the 17th offset of the run is the first believed, and stepped to').toBe(116);
        return theta + 3_000_000 + out.stepNs;
      }
      if (out.state !== ServoState.unlocked) applied = out.frequencyPpb;
      theta += applied * INTERVAL_S;
    }
    throw new Error('never stepped');
  }

  it("steps to the run's line, not to its newest offset: one offset 1.2 µs off the run leaves the clock within the noise", () => {
    // Lab, session 32: a grandmaster restarted 3 ms ahead; the newest offset 1.4 µs off its run.
    expect(Math.abs(afterStep(1_200))).toBeLessThan(400);
    expect(Math.abs(afterStep(-1_200))).toBeLessThan(400);
    expect(Math.abs(afterStep(0))).toBeLessThan(400);
  });
});

describe('KalmanServo: how far a believed change moved the phase (for the error bound)', () => {
  /** The phase changes the servo reports while it steers the clock through offsets `offsets(i)`: at which Sync, how much, and the level when one was taken. */
  const changes = (syncs: number, offsets: (i: number) => number) =>
    loop(TWO_STATE, syncs, 0, offsets).outputs.flatMap((o, i) => (o.phaseChangeNs === undefined ? [] : [{ i, ns: o.phaseChangeNs, levelNs: o.levelNs }]));
  const largest = (r: readonly { ns: number }[]): number => Math.max(...r.map((c) => Math.abs(c.ns)));
  it('reports a believed run as the size of the jump, once', () => {
    const r = changes(200, (i) => (i >= 100 ? 200_000 : 0));
    expect(r).toHaveLength(1);
    expect(r[0]?.ns).toBeCloseTo(200_000, -3);
  });

  it('reports a level it takes as the whole change of the path, and nothing beyond the noise on steady noise', () => {
    const n = gaussian(2, 400);
    const r = changes(1_000, (i) => n(i) + (i >= 800 ? 1_600 : 0));
    const levels = r.filter((c) => c.levelNs !== undefined);
    expect(levels).toHaveLength(1);
    // The level itself was 1228 ns: the filter had fused and steered out the rest before taking it,
    // and the clock carries all 1600 ns, so the error bound must keep that (lab: a 2 µs step, a level
    // of 1222 ns, the bound short of the true error for 12 s).
    expect(Math.abs(levels[0]?.levelNs ?? 0)).toBeLessThan(0.8 * 1_600);
    // Reported at each Sync while the filter follows it, the largest carries that noise too (1817 ns).
    expect(largest(r)).toBeGreaterThan(0.9 * 1_600);
    expect(largest(r)).toBeLessThan(1.25 * 1_600);
    // Steady noise: no level; while the frequency is learned, a move of the course beyond 1 σ of what
    // the model allows is reported whole, within 2 σ of the noise (nothing or 575–812 ns on seeds
    // 1–10), and after two minutes nothing is reported.
    const steady = changes(2_400, gaussian(9, 400));
    expect(steady.filter((c) => c.levelNs !== undefined)).toEqual([]);
    expect(largest(steady)).toBeLessThan(2 * 400);
    expect(steady.filter((c) => c.i >= 960)).toEqual([]);
  });

  it('does so for a 2 µs change of the Sync path in the noise of software timestamps', () => {
    const n = gaussian(3, 700);
    const r = changes(1_100, (i) => n(i) + (i >= 800 ? 2_000 : 0));
    // The level taken was 1661 ns.
    expect(r.filter((c) => c.levelNs !== undefined)).toHaveLength(1);
    expect(Math.abs(largest(r) - 2_000)).toBeLessThan(250);
  });

  it('counts the part of a change the filter followed before the level and after it (a change in two stages)', () => {
    // Lab, a 2 µs Sync-path step: for 4 s half the Syncs came 1.3 µs late, then all 2.8 µs late. The
    // filter followed the first stage through its gain before the level's window began, took a level of
    // 1230 ns, and followed the rest after it: the clock carried 2.86 µs, the level's window saw 1.62.
    for (const seed of [4, 10, 11]) {
      const n = gaussian(seed, 400);
      const r = changes(1_100, (i) => n(i) + (i >= 832 ? 2_800 : i >= 800 && i % 2 === 0 ? 1_300 : 0));
      const level = r.find((c) => c.levelNs !== undefined);
      // Levels of 1200–1577 ns; the window's change alone 1.51 µs on seed 4.
      expect(Math.abs(level?.levelNs ?? 0)).toBeLessThan(0.6 * 2_800);
      expect(largest(r)).toBeGreaterThan(0.85 * 2_800);
      expect(largest(r)).toBeLessThan(1.25 * 2_800);
    }
  });

  it('restarts the measure at a believed jump: nothing reported after it carries the jump', () => {
    const n = gaussian(5, 400);
    const jumped = changes(1_000, (i) => n(i) + (i >= 800 ? 1_600 : 0) + (i >= 820 ? 5_000_000 : 0));
    const believed = jumped.findIndex((c) => Math.abs(c.ns) > 1e6);
    expect(believed).toBeGreaterThanOrEqual(0);
    expect(largest(jumped.slice(believed + 1))).toBeLessThan(1e5);
  });

  it('reports a change below the level test, followed through the gain alone (a 1 µs step of the Sync path)', () => {
    for (const seed of [1, 2, 3]) {
      const n = gaussian(seed, 400);
      const r = changes(1_800, (i) => n(i) + (i >= 1_200 ? 1_000 : 0));
      // No level: 1 µs is under 3 σ of the learned noise. The clock follows it all the same.
      expect(r.filter((c) => c.levelNs !== undefined)).toEqual([]);
      // 1201–1615 ns on seeds 1–10: the course's move, the noise of its measure included, never less
      // than the step (its excess over 1 σ of what the model allows, reported until session 19, was
      // 794–1208 ns: short of the step the clock carries).
      expect(largest(r.filter((c) => c.i >= 1_200))).toBeGreaterThan(1_000);
      expect(largest(r.filter((c) => c.i >= 1_200))).toBeLessThan(1.7 * 1_000);
    }
  });

  it('and a change spread over 20 s (1.5 µs, a ramp the filter follows as it comes)', () => {
    for (const seed of [1, 2, 3]) {
      const n = gaussian(seed, 400);
      const r = changes(1_800, (i) => n(i) + Math.min(1, Math.max(0, (i - 1_200) / 160)) * 1_500);
      expect(r.filter((c) => c.levelNs !== undefined)).toEqual([]);
      // 1666–2089 ns on seeds 1–10 (the excess over 1 σ: 1260–1687 ns).
      expect(largest(r.filter((c) => c.i >= 1_200))).toBeGreaterThan(1_500);
      expect(largest(r.filter((c) => c.i >= 1_200))).toBeLessThan(1.5 * 1_500);
    }
  });
});

describe('KalmanServo: a change seen through a link with late frames', () => {
  /** 1 µs of noise, and from 10 s on a share of the Syncs 20–100 µs late (a bridge, a loaded host); from 50 s the master is 1 ms ahead. */
  const bridged = (seed: number, lateShare: number, changeNs: number) => {
    const r = new Prng(seed);
    return (i: number): number => (i >= 400 ? changeNs : 0) + r.gaussian() * 1_000 + (i > 80 && r.uniform() < lateShare ? 20_000 + r.uniform() * 80_000 : 0);
  };

  it("follows a new grandmaster's +1 ms within 2.5 s even when one Sync in ten is late (rogue-grandmaster in the lab)", () => {
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) {
      const l = loop({ softwareTimestamps: true }, 440, 0, bridged(seed, 0.1, 1_000_000), 0);
      const believed = l.outputs.findIndex((o, i) => i >= 400 && !o.outlier);
      expect(believed, `seed ${seed}`).toBeGreaterThanOrEqual(400);
      expect((believed - 400) * INTERVAL_S, `seed ${seed}`).toBeLessThanOrEqual(2.5);
      expect(Math.abs((l.truePhases[439] ?? 0) + 1_000_000), `seed ${seed}`).toBeLessThan(5_000);
    }
  });

  it('still rejects a run that scatters (3 s of Syncs 10–500 µs late, a stalled relay): the clock stays within 1 µs', () => {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const r = new Prng(seed);
      const stall = (i: number): number => r.gaussian() * 1_000 + (i >= 400 && i < 424 ? 10_000 + r.uniform() * 490_000 : 0);
      const l = loop({ softwareTimestamps: true }, 500, 0, stall, 0);
      expect(l.outputs.slice(400, 424).filter((o) => !o.outlier).length, `seed ${seed}`).toBe(0);
      expect(Math.max(...l.truePhases.slice(400).map(Math.abs)), `seed ${seed}`).toBeLessThan(1_000);
    }
  });
});

describe("KalmanServo: the link's noise as the engine measured it", () => {
  /** A relay start (lab, relay-delay): offsets with 15 µs of noise, a start-up rate ratio 34 ppm off; max |true phase| over 0–5 s, ns. */
  const relayStart = (seed: number, linkNoise: LinkNoise | undefined, syncs = 40): { worstNs: number; frequencies: number[] } => {
    const servo = new KalmanServo({ syncIntervalS: INTERVAL_S, softwareTimestamps: true });
    const noise = gaussian(seed, 15_000);
    let theta = 0;
    let applied = 0;
    let worstNs = 0;
    const frequencies: number[] = [];
    for (let i = 0; i < syncs; i++) {
      const out = servo.sample(theta + noise(i), at(i * INTERVAL_S), 34_000, linkNoise);
      frequencies.push(out.frequencyPpb);
      if (out.stepNs !== undefined) theta += out.stepNs;
      if (out.state !== ServoState.unlocked) applied = out.frequencyPpb;
      theta += applied * INTERVAL_S;
      worstNs = Math.max(worstNs, Math.abs(theta));
    }
    return { worstNs, frequencies };
  };
  // Two exchanges 1 s apart, each timestamp jittering by 10.6 µs: σ of the ratio 2 × 10.6 µs / 1 s.
  const RELAY: LinkNoise = { feedForwardSigmaPpb: 21_000, timestampSigmaNs: 15_000 / Math.SQRT2, rate: undefined };

  it('weighs a start-up rate ratio by its measured σ and takes the noise prior from the link: within 25 µs from the start', () => {
    for (const seed of [1, 2, 3, 4, 5]) expect(relayStart(seed, RELAY).worstNs).toBeLessThan(25_000);
  });

  it("with the mode's priors alone (2 ppm, 500 ns) the same start runs 80 µs and more away", () => {
    for (const seed of [1, 2, 3, 4, 5]) expect(relayStart(seed, undefined).worstNs).toBeGreaterThan(80_000);
  });

  it("keeps the mode's priors on a link that jitters within their gate (veth: 300 ns, a ratio good to 0.5 ppm)", () => {
    const veth: LinkNoise = { feedForwardSigmaPpb: 500, timestampSigmaNs: 300, rate: undefined };
    expect(relayStart(1, veth, 80).frequencies).toEqual(relayStart(1, undefined, 80).frequencies);
  });
});

describe('KalmanServo: a level its phase has missed', () => {
  // The Syncs' latency moves by 4 σ and stays (lab, oscillator-plus-100ppm): the offsets straddle the gate.
  const SHIFT_AT = 800;
  const SHIFT_NS = 1_600;
  const shifted = (seed: number) => {
    const n = gaussian(seed, 400);
    return (i: number): number => n(i) + (i >= SHIFT_AT ? SHIFT_NS : 0);
  };
  /** Mean of what the offsets show after the shift (true phase + shift) over Syncs [from, to) after it, ns. */
  const residual = (l: Loop, from: number, to: number): number => {
    const r = l.truePhases.slice(SHIFT_AT + from, SHIFT_AT + to).map((t) => t + SHIFT_NS);
    return r.reduce((a, b) => a + b, 0) / r.length;
  };

  it('takes a shift that straddles the gate within seconds (the median of 4 s of innovations beyond 3 σ)', () => {
    for (const seed of [1, 2, 3]) {
      const l = loop(TWO_STATE, SHIFT_AT + 80, 0, shifted(seed));
      // 5–10 s after the shift the clock sits where the offsets say, within the noise of their mean.
      expect(Math.abs(residual(l, 40, 80))).toBeLessThan(300);
    }
  });

  it('without the level test the stiff filter is still more than half the shift away 5–10 s later', () => {
    const l = loop({ ...TWO_STATE, levelSigmas: 0 }, SHIFT_AT + 80, 0, shifted(1));
    expect(Math.abs(residual(l, 40, 80))).toBeGreaterThan(SHIFT_NS / 2);
  });

  /** The closed loop on a shifted link until the servo takes a level: its uncertainty just before and just after. */
  const aroundLevel = (seed: number) => {
    const servo = new KalmanServo({ syncIntervalS: INTERVAL_S, ...TWO_STATE });
    const offsets = shifted(seed);
    let theta = 0;
    let applied = 0;
    let before = servo.uncertainty();
    for (let i = 0; i < SHIFT_AT + 80; i++) {
      const out = servo.sample(theta + offsets(i), at(i * INTERVAL_S));
      if (out.state !== ServoState.unlocked) applied = out.frequencyPpb;
      theta += applied * INTERVAL_S;
      if (out.levelNs !== undefined) return { before, after: servo.uncertainty() };
      before = servo.uncertainty();
    }
    return expect.unreachable('no level taken');
  };

  it('takes the level with the uncertainty of a median of its window, not of one offset', () => {
    const { after } = aroundLevel(2);
    // 32 innovations: σ of their median √(π/2 / 32) ≈ 0.22 of one offset's.
    expect(after?.phaseNs).toBeLessThan(0.3 * (after?.measurementNoiseNs ?? 0));
  });

  it("takes a level as a phase: the frequency's uncertainty stays what it was (the latency's wander is no rate to learn)", () => {
    const { before, after } = aroundLevel(3);
    // Freed by the level as a ramp over its 4 s window, σ of the frequency went from under 10 ppb to 240.
    expect(after?.frequencyPpb).toBeLessThan(2 * (before?.frequencyPpb ?? 0));
  });

  it('leaves steady gaussian noise alone: no level is taken in 200 s', () => {
    const servo = new KalmanServo({ syncIntervalS: INTERVAL_S, softwareTimestamps: true });
    const n = gaussian(9, 400);
    const levels = Array.from({ length: 1_600 }, (_, i) => servo.sample(n(i), at(i * INTERVAL_S)).levelNs).filter((v) => v !== undefined);
    expect(levels).toEqual([]);
  });
});

describe("KalmanServo: the Syncs' latency as a state of its own (software timestamps)", () => {
  /** A latency that wanders and comes back (Ornstein–Uhlenbeck, τ and σ), with white noise on each Sync. */
  const wandering = (seed: number, tauS: number, sigmaNs: number, whiteNs: number) => {
    const r = new Prng(seed);
    const a = Math.exp(-INTERVAL_S / tauS);
    let latency = 0;
    return (): number => {
      latency = a * latency + sigmaNs * Math.sqrt(1 - a * a) * r.gaussian();
      return latency + whiteNs * r.gaussian();
    };
  };
  const std = (xs: readonly number[]): number => seriesFigures(xs).std;

  it('joins 10 s after the start, the frequency then free to move by the slope such a wander makes over 10 s', () => {
    const l = loop({ softwareTimestamps: true }, 400, 0, gaussian(1, 400));
    const sigmas = (i: number) => l.uncertainties[i];
    // Before: the two-state filter's σ (19 ppb, 105 ns); after: 2 × 450 ns / 10 s, and the phase
    // known only as well as the latency's wander lets it be told apart (410 ns at 50 s).
    expect(sigmas(79)?.frequencyPpb).toBeLessThan(45);
    expect(sigmas(80)?.frequencyPpb).toBeGreaterThanOrEqual(89);
    expect(sigmas(79)?.phaseNs).toBeLessThan(200);
    expect(sigmas(399)?.phaseNs).toBeGreaterThan(300);
  });

  it('until then counts the latency whole (σL) as what its phase may carry beyond σθ; once joined, fading over its time constant; in hardware mode never', () => {
    const software = loop({ softwareTimestamps: true }, 400, 0, gaussian(1, 400));
    expect(software.uncertainties[79]?.unmodelledPhaseNs).toBe(450);
    // θ̂ still holds the latency it took as phase when L joins at 0: 450 · e^(−t / 10 s).
    expect(software.uncertainties[80]?.unmodelledPhaseNs).toBeCloseTo(450, 6);
    expect(software.uncertainties[160]?.unmodelledPhaseNs).toBeCloseTo(450 / Math.E, 6);
    expect(software.uncertainties[399]?.unmodelledPhaseNs).toBeLessThan(20);
    const hardware = loop({}, 120, 0, gaussian(1, 20));
    expect(hardware.uncertainties[79]?.unmodelledPhaseNs).toBe(0);
  });

  it("until then counts the slope the latency's wander makes since the start as what its frequency may carry beyond σφ; once joined, nothing; in hardware mode never", () => {
    const software = loop({ softwareTimestamps: true }, 120, 0, gaussian(1, 400));
    // Sync i's uncertainty comes i intervals after the start: σL·√(2(1 − e^(−t/τ)))/t, τ 10 s, σL 450 ns.
    const slope = (t: number): number => (450 * Math.sqrt(2 * (1 - Math.exp(-t / 10)))) / t;
    expect(software.uncertainties[16]?.unmodelledFrequencyPpb).toBeCloseTo(slope(2), 6);
    expect(software.uncertainties[40]?.unmodelledFrequencyPpb).toBeCloseTo(slope(5), 6);
    expect(software.uncertainties[40]?.unmodelledFrequencyPpb).toBeCloseTo(80, 0);
    expect(software.uncertainties[79]?.unmodelledFrequencyPpb).toBeGreaterThan(50);
    expect(software.uncertainties[80]?.unmodelledFrequencyPpb).toBe(0);
    const hardware = loop({}, 120, 0, gaussian(1, 20));
    expect(hardware.uncertainties[40]?.unmodelledFrequencyPpb).toBe(0);
  });

  it('keeps that slope through holdover: no offset has taught the frequency more since the last Sync', () => {
    const servo = new KalmanServo({ syncIntervalS: INTERVAL_S, softwareTimestamps: true });
    const n = gaussian(2, 400);
    for (let i = 0; i <= 40; i++) servo.sample(n(i), at(i * INTERVAL_S));
    const atLastSync = servo.uncertainty()?.unmodelledFrequencyPpb;
    expect(atLastSync).toBeGreaterThan(70);
    servo.holdFrequency(0, at(20));
    expect(servo.uncertainty()?.unmodelledFrequencyPpb).toBe(atLastSync);
  });

  it('keeps the clock off a latency that wanders and comes back: below the two-state filter on each of 6 seeds', () => {
    // τ 5 s, 300 ns, and 300 ns white: the lab's 2 s medians scatter by 83–686 ns, correlated over 2 s.
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const withState = std(loop({ softwareTimestamps: true }, 2_400, 0, wandering(seed, 5, 300, 300)).truePhases.slice(480));
      const twoState = std(loop(TWO_STATE, 2_400, 0, wandering(seed, 5, 300, 300)).truePhases.slice(480));
      // 163–210 ns against 186–268 ns.
      expect(withState, `seed ${seed}`).toBeLessThan(0.95 * twoState);
    }
  });

  it('still follows an oscillator whose frequency wanders by 4 ppb/√s (white latency): within 170 ns std', () => {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const r = new Prng(seed + 50);
      const l = loop({ softwareTimestamps: true }, 2_400, 0, gaussian(seed, 400), 0, 0, () => 4 * Math.sqrt(INTERVAL_S) * r.gaussian());
      // 67–161 ns (the two-state filter 70–152 ns, ptp4l's PI in the simulator 178 ns).
      expect(std(l.truePhases.slice(960)), `seed ${seed}`).toBeLessThan(170);
    }
  });

  it('hands a lasting change of the Sync path to the clock within two of its time constants (a 1 µs step)', () => {
    for (const seed of [1, 2, 3]) {
      const n = gaussian(seed, 400);
      const l = loop({ softwareTimestamps: true }, 1_100, 0, (i) => n(i) + (i >= 800 ? 1_000 : 0));
      const carried = l.truePhases.slice(1_030, 1_050).reduce((a, b) => a + b, 0) / 20;
      // 30 s after: −1076 … −1090 ns.
      expect(carried, `seed ${seed}`).toBeLessThan(-900);
    }
  });

  it("covers what the clock carries with the error bound's servo terms through a change it follows (1 µs step, 1.5 µs ramp, ±2 µs step)", () => {
    const changes: Record<string, (i: number) => number> = {
      '1 µs step': (i) => (i >= 800 ? 1_000 : 0),
      '1.5 µs over 20 s': (i) => Math.min(1, Math.max(0, (i - 800) / 160)) * 1_500,
      '2 µs step': (i) => (i >= 800 ? 2_000 : 0),
      '−2 µs step': (i) => (i >= 800 ? -2_000 : 0),
    };
    for (const [name, change] of Object.entries(changes)) {
      for (const seed of [1, 2, 3, 4, 5]) {
        const n = gaussian(seed, 400);
        const l = loop({ softwareTimestamps: true }, 1_600, 0, (i) => n(i) + change(i));
        // The least room on seeds 1–10: 171 ns (the ramp), 205 and 318 ns (the steps), 717 ns (1 µs).
        expectBoundCovers(l, `${name}, seed ${seed}`);
      }
    }
  });

  it('covers the clock with the error bound before the latency joins, when the Syncs start 1.2 µs above their mean (the simulator on the lab noise: 2 of 80 runs short without σL)', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const n = gaussian(seed, 250);
      // 1 µs of asymmetry that the link delay allows for, and the wander 1.2 µs high, returning over 20 s.
      const l = loop({ softwareTimestamps: true }, 80, 0, (i) => n(i) + 1_000 + 1_200 * Math.exp((-i * INTERVAL_S) / 20));
      for (let i = 0; i < 80; i++) {
        const uncertainty = l.uncertainties[i];
        if (l.outputs[i]?.state !== ServoState.locked || uncertainty === undefined) continue;
        const bound = servoErrorBound({ software: true, pathDelayNs: 1_000, offsetRmsNs: 0, uncertainty, ageS: 0 });
        expect(bound.atNs, `seed ${seed}, Sync ${i}`).toBeGreaterThanOrEqual(Math.abs(l.truePhases[i] ?? 0));
      }
    }
  });

  it('keeps covering it after the latency joins, while θ̂ still holds the latency it took as phase (the simulator on the lab noise: 1 of 175 runs short, 98.7 %, when σL went at the join)', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const n = gaussian(seed, 250);
      // The latency rising by 1.3 µs from 4 s to 11 s, then back over 30 s: the phase took it before the join at 10 s.
      const rise = (t: number): number => 1_300 * Math.min(1, Math.max(0, (t - 4) / 7)) * Math.exp(-Math.max(0, t - 11) / 30);
      const l = loop({ softwareTimestamps: true }, 240, 0, (i) => n(i) + 1_000 + rise(i * INTERVAL_S));
      let largestChange = 0;
      for (let i = 0; i < 240; i++) {
        largestChange = Math.max(largestChange, Math.abs(l.outputs[i]?.phaseChangeNs ?? 0));
        const uncertainty = l.uncertainties[i];
        if (i < 80 || l.outputs[i]?.state !== ServoState.locked || uncertainty === undefined) continue;
        const bound = servoErrorBound({ software: true, pathDelayNs: 1_000, phaseChangeNs: largestChange, offsetRmsNs: 0, uncertainty, ageS: 0 });
        expect(bound.atNs, `seed ${seed}, Sync ${i}`).toBeGreaterThanOrEqual(Math.abs(l.truePhases[i] ?? 0));
      }
    }
  });

  it('leaves at a believed change (the phase seated from one offset) and joins again 10 s later', () => {
    const n = gaussian(4, 400);
    const l = loop({ softwareTimestamps: true }, 1_000, 0, (i) => n(i) + (i >= 480 ? 200_000 : 0));
    const believed = l.outputs.findIndex((o, i) => i >= 480 && !o.outlier);
    expect(believed).toBeGreaterThan(480);
    // The two-state filter's phase σ 9 s after it (112 ns), the latency state's again at 30 s (438 ns).
    expect(l.uncertainties[believed + 72]?.phaseNs).toBeLessThan(200);
    expect(l.uncertainties[believed + 240]?.phaseNs).toBeGreaterThan(300);
  });
});

describe('KalmanServo: every rate ratio a measurement of the frequency (software timestamps)', () => {
  /**
   * The engine's rate ratio as the lab's veth gives it: a new one each second (one Pdelay exchange),
   * the frequency the clock needs with `jitterPpb` of noise (the one-veth capture: ±35 ppb, 5–95 %),
   * `spikes` adding to some, weighed with the σ the engine gives it, each measured over `spanS` (the
   * engine's default window: 8 exchanges a second apart).
   */
  const ratios = (seed: number, jitterPpb: number, sigmaPpb: number, spikes: (second: number) => number = () => 0, spanS = 8) => {
    const r = new Prng(seed + 1_000);
    let last: RateMeasurement | undefined;
    return (i: number, neededPpb: number): RateMeasurement => {
      if (last === undefined || i % 8 === 0) {
        const ppb = neededPpb + jitterPpb * r.gaussian() + spikes(i / 8);
        last = { rateRatio: 1 + ppb * 1e-9, neededPpb: ppb, sigmaPpb, spanS };
      }
      return last;
    };
  };
  const none = () => undefined;
  /** 2 µs more latency on every Sync, reached over 20 s from 100 s on: the Pdelay exchanges see none of it. */
  const ramp = (i: number) => Math.min(1, Math.max(0, (i - 800) / 160)) * 2_000;
  const largest = (xs: readonly number[], from: number, to: number) => Math.max(...xs.slice(from, to).map(Math.abs));
  /** 150 s of 400 ns offsets with the ramp, with the engine's ratios or without. */
  const throughRamp = (seed: number, rate: (i: number, neededPpb: number) => RateMeasurement | undefined) => {
    const n = gaussian(seed, 400);
    return loop(
      { softwareTimestamps: true },
      1_200,
      0,
      (i) => n(i) + ramp(i),
      0,
      0,
      () => 0,
      rate,
    );
  };

  it('does not take a slow change of the Sync path as a rate: the frequency stays with the ratios (a 2 µs ramp over 20 s)', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const fused = throughRamp(seed, ratios(seed, 20, 60));
      const alone = throughRamp(seed, none);
      // φ̂ while the ramp comes and for 20 s after it, where the truth is 0: 19–23 ppb fused, 48–51 ppb from the offsets alone.
      expect(largest(fused.frequencyEstimates, 800, 1_120), `seed ${seed}`).toBeLessThan(30);
      expect(largest(alone.frequencyEstimates, 800, 1_120), `seed ${seed}`).toBeGreaterThan(40);
      // So the clock does not overshoot the ramp: 20–40 s after it, 1.50–1.62 µs carried against 2.23–2.27 µs.
      expect(largest(fused.truePhases, 1_100, 1_200), `seed ${seed}`).toBeLessThan(2_000);
      expect(largest(alone.truePhases, 1_100, 1_200), `seed ${seed}`).toBeGreaterThan(2_100);
    }
  });

  it('and the error bound covers the clock through that ramp, which it carries (no slave can tell it from the grandmaster, 802.1AS-2020 8.3)', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const l = throughRamp(seed, ratios(seed, 20, 60));
      expectBoundCovers(l, `seed ${seed}`);
      // Most of the ramp reaches the clock within 40 s (1.50–1.62 µs): the bound covers a clock that moved.
      expect(largest(l.truePhases, 1_100, 1_200), `seed ${seed}`).toBeGreaterThan(1_400);
    }
  });

  it('leaves out a ratio beyond its gate (a Pdelay timestamp late at one end of the window)', () => {
    const spike = (second: number) => (second === 100 ? 800 : 0);
    const withSpike = loop({ softwareTimestamps: true }, 1_000, 0, gaussian(1, 400), 0, 0, () => 0, ratios(1, 20, 60, spike));
    const without = loop({ softwareTimestamps: true }, 1_000, 0, gaussian(1, 400), 0, 0, () => 0, ratios(1, 20, 60));
    // 0.4 ppb: the one ratio fewer. Fused with its σ, the 800 ppb would have moved φ̂ by about 20 ppb.
    expect(
      largest(
        withSpike.frequencyEstimates.map((f, i) => f - (without.frequencyEstimates[i] ?? NaN)),
        0,
        1_000,
      ),
    ).toBeLessThan(2);
  });

  it('follows the frequency when the ratios keep saying it moved beyond what the filter allows (+1 ppm in steps of 100 ppb a second)', () => {
    for (const seed of [1, 2, 3]) {
      // The clock's need climbs by 1 ppm over 10 s from 100 s on; the offsets are 2 µs noisy.
      const climb = (i: number) => (i >= 800 && i < 880 ? 1_000 / 80 : 0);
      const fused = loop({ softwareTimestamps: true }, 1_040, 0, gaussian(seed, 2_000), 0, 0, climb, ratios(seed, 20, 60));
      const alone = loop({ softwareTimestamps: true }, 1_040, 0, gaussian(seed, 2_000), 0, 0, climb, none);
      // 20 s after the climb began: 1018–1027 ppb fused, 228–251 ppb from the offsets alone (and
      // 149–192 ppb fused without the run beyond one span: the gate would keep every ratio out).
      expect(Math.abs((fused.frequencyEstimates[959] ?? NaN) - 1_000), `seed ${seed}`).toBeLessThan(60);
      expect(Math.abs((alone.frequencyEstimates[959] ?? NaN) - 1_000), `seed ${seed}`).toBeGreaterThan(100);
    }
  });

  it("does not take a step of the neighbor's time as a frequency: every ratio whose span holds it is off by step / span, for one span", () => {
    for (const seed of [1, 2, 3]) {
      // The lab's 2 µs step of the grandmaster's time at 100 s: the Syncs say 2 µs more from then on,
      // and the 8 ratios whose 8 s span holds it say −250 ppb.
      const step = (i: number) => (i >= 800 ? 2_000 : 0);
      const pulse = (second: number) => (second >= 100 && second < 108 ? -250 : 0);
      const n = gaussian(seed, 400);
      const run = (spanS: number) =>
        loop(
          { softwareTimestamps: true },
          1_000,
          0,
          (i) => n(i) + step(i),
          0,
          0,
          () => 0,
          ratios(seed, 20, 40, pulse, spanS),
        );
      // φ̂ where the truth is 0, through the pulse and 12 s after it: 20–26 ppb (212–268 ppb when a run of eight ratios was taken, before).
      expect(largest(run(8).frequencyEstimates, 800, 960), `seed ${seed}`).toBeLessThan(50);
      // Were the ratios measured over 4 s, eight off in a row would be a frequency that moved: taken, 253–274 ppb.
      expect(largest(run(4).frequencyEstimates, 800, 960), `seed ${seed}`).toBeGreaterThan(150);
    }
  });

  it('keeps the hardware tuning as it was: the ratio seats the start only', () => {
    const withRatios = loop({}, 400, 0, gaussian(1, 20), 0, 0, () => 0, ratios(1, 2, 3));
    const without = loop({}, 400, 0, gaussian(1, 20), 0, 0, () => 0, none);
    expect(withRatios.frequencyEstimates).toEqual(without.frequencyEstimates);
  });
});

describe("KalmanServo: a run the grandmaster's own rate ratios contradict (software timestamps)", () => {
  /**
   * The lab under stress-ng: the Syncs' latency 3 µs lower from 100 s for `forS` (the offsets read
   * 3 µs below the clock, beyond the gate: a run) while the Pdelay answers keep theirs. A ratio a
   * second, measured over 9 s with σ 45 ppb (the lab's, that run); `pulsePpb` is added to the ratios
   * whose span holds 100 s: 0 for a change of the Syncs' path, +3000 / 9 ppb for the grandmaster's time
   * moving 3 µs ahead.
   */
  const SPAN_S = 9;
  /** A new ratio each second (8 Syncs), ±20 ppb, σ 45 ppb over SPAN_S; `pulsePpb` more on those whose span holds 100 s. */
  const ratios = (seed: number, pulsePpb: number) => {
    const r = new Prng(seed + 2_000);
    let last: RateMeasurement | undefined;
    return (i: number, neededPpb: number): RateMeasurement => {
      if (last === undefined || i % 8 === 0) {
        const second = i / 8;
        const ppb = neededPpb + 20 * r.gaussian() + (second > 100 && second - SPAN_S < 100 ? pulsePpb : 0);
        last = { rateRatio: 1 + ppb * 1e-9, neededPpb: ppb, sigmaPpb: 45, spanS: SPAN_S };
      }
      return last;
    };
  };
  const through = (seed: number, forS: number, pulsePpb: number, options: KalmanServoOptions = {}, neighborIsGrandmaster = true) => {
    const n = gaussian(seed, 300);
    const rate = ratios(seed, pulsePpb);
    const shift = (i: number) => (i >= 800 && i < 800 + forS * 8 ? -3_000 : 0);
    return loop(
      { softwareTimestamps: true, ...options },
      800 + 40 * 8,
      0,
      (i) => n(i) + shift(i),
      0,
      0,
      () => 0,
      rate,
      neighborIsGrandmaster,
    );
  };
  const largest = (xs: readonly number[], from: number) => Math.max(...xs.slice(from).map(Math.abs));
  const reported = (l: Loop, from: number) => l.outputs.slice(from).filter((o) => o.phaseChangeNs !== undefined).length;

  it("holds a 3 µs change of the Syncs' path for its 8 s: the clock keeps its course, the status its outlier count", () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const held = through(seed, 8, 0);
      expect(largest(held.truePhases, 800), `seed ${seed}`).toBeLessThan(600);
      // One report of the change, for the error bound; none of the run's offsets counted against the noise model.
      expect(reported(held, 800), `seed ${seed}`).toBe(1);
      expect(Math.max(...held.uncertainties.slice(800, 872).map((u) => u?.recentOutliers ?? 0)), `seed ${seed}`).toBeLessThan(24);
      // Without the witness the run was believed after 2 s and the clock followed it.
      expect(largest(through(seed, 8, 0, { neighborWitness: false }).truePhases, 800), `seed ${seed}`).toBeGreaterThan(2_500);
    }
  });

  it("believes the same run when the ratios show the grandmaster's time moving 3 µs: followed as before", () => {
    for (const seed of [1, 2, 3]) {
      const moved = through(seed, 40, 3_000 / SPAN_S);
      const believedAt = moved.outputs.findIndex((o, i) => i > 800 && !o.outlier);
      expect(believedAt - 800, `seed ${seed}`).toBeLessThan(24);
      expect(moved.truePhases, `seed ${seed}`).toEqual(through(seed, 40, 3_000 / SPAN_S, { neighborWitness: false }).truePhases);
    }
  });

  it('follows a change of the path that outlasts heldRunMaxS (20 s), as a change no slave can tell from the grandmaster', () => {
    const lasting = through(1, 40, 0);
    const believedAt = lasting.outputs.findIndex((o, i) => i > 800 && !o.outlier);
    expect((believedAt - 800) * INTERVAL_S).toBeGreaterThan(19);
    expect((believedAt - 800) * INTERVAL_S).toBeLessThan(21.5);
    expect(Math.abs((lasting.truePhases[800 + 30 * 8] ?? NaN) - 3_000)).toBeLessThan(600);
  });

  it('does not take the ratios that span a believed move as the frequency: within 1 µs of a 20 µs move (7.6–9.0 µs past it in 3 of 4 seeds without)', () => {
    // lab, grandmaster-phase-step: the run believed with its slope uncertain on µs of noise opened φ
    // to the ratios carrying the move (+2.2 ppm for their 9 s span), and the clock ran past it.
    for (const seed of [1, 2, 3, 4]) {
      const n = gaussian(seed, 800);
      const rate = ratios(seed, 20_000 / SPAN_S);
      const moved = loop(
        { softwareTimestamps: true },
        1_200,
        0,
        (i) => n(i) + (i >= 800 ? -20_000 : 0),
        0,
        0,
        () => 0,
        rate,
        true,
      );
      expect(
        largest(
          moved.truePhases.slice(840).map((p) => p - 20_000),
          0,
        ),
        `seed ${seed}`,
      ).toBeLessThan(1_000);
    }
  });

  it('reports a 20 µs run that reads late while it is judged: its level from the second offset, seen by the ratios once one spans it, gone once believed', () => {
    const n = gaussian(1, 300);
    const moved = loop(
      { softwareTimestamps: true },
      900,
      0,
      (i) => n(i) + (i >= 800 ? 20_000 : 0),
      0,
      0,
      () => 0,
      ratios(1, -20_000 / SPAN_S),
      true,
    );
    const judged = moved.uncertainties.map((u) => u?.judgedRun);
    // One outlier is a late frame; the second that agrees with it is judged (their mean), the fourth
    // on the run's line (maxConsecutiveOutliers).
    expect(judged.slice(790, 801)).toEqual(Array(11).fill(undefined));
    expect(judged.slice(801, 804).map((j) => j?.offsets)).toEqual([2, 3, 4]);
    for (const j of judged.slice(801, 804)) expect(Math.abs((j?.levelNs ?? 0) - 20_000)).toBeLessThan(1_500);
    // The first ratio measured after the move (each second, from 101 s) carries it.
    expect(judged.slice(803, 808).map((j) => j?.ratiosSeeMove)).toEqual([false, false, false, false, false]);
    expect(judged[808]?.ratiosSeeMove).toBe(true);
    const believedAt = moved.outputs.findIndex((o, i) => i > 800 && !o.outlier);
    expect((believedAt - 800) * INTERVAL_S).toBeGreaterThanOrEqual(2);
    expect(judged[believedAt - 1]?.ratiosSeeMove).toBe(true);
    expect(judged.slice(believedAt)).toEqual(Array(900 - believedAt).fill(undefined));
  });

  it('judges a run that reads early from its first offset, at its level: no late frame reads early; an early Sync alone is judged for itself only', () => {
    const n = gaussian(1, 300);
    const moved = loop(
      { softwareTimestamps: true },
      900,
      0,
      (i) => n(i) + (i >= 800 ? -20_000 : 0),
      0,
      0,
      () => 0,
      ratios(1, 20_000 / SPAN_S),
      true,
    );
    const judged = moved.uncertainties.map((u) => u?.judgedRun);
    expect(judged.slice(790, 800)).toEqual(Array(10).fill(undefined));
    expect(judged.slice(800, 804).map((j) => j?.offsets)).toEqual([1, 2, 3, 4]);
    for (const j of judged.slice(800, 804)) expect(Math.abs((j?.levelNs ?? 0) + 20_000)).toBeLessThan(1_500);
    const once = loop(
      { softwareTimestamps: true },
      900,
      0,
      (i) => n(i) + (i === 800 ? -5_000 : 0),
      0,
      0,
      () => 0,
      ratios(1, 0),
      true,
    );
    const onceJudged = once.uncertainties.map((u) => u?.judgedRun);
    expect(onceJudged[800]?.offsets).toBe(1);
    expect(Math.abs((onceJudged[800]?.levelNs ?? 0) + 5_000)).toBeLessThan(1_500);
    expect(onceJudged.slice(801, 810)).toEqual(Array(9).fill(undefined));
    expect(once.outputs[800]?.outlier).toBe(true);
  });

  it('judges no pair of late frames that disagree (30 and 70 µs late), nor a run where nothing waits (hardware tuning)', () => {
    const n = gaussian(3, 300);
    const late = loop(
      { softwareTimestamps: true },
      900,
      0,
      (i) => n(i) + (i === 800 ? 30_000 : i === 801 ? 70_000 : 0),
      0,
      0,
      () => 0,
      ratios(3, 0),
      true,
    );
    expect(late.uncertainties.slice(795, 810).map((u) => u?.judgedRun)).toEqual(Array(15).fill(undefined));
    const h = gaussian(4, 20);
    const hardware = loop(
      {},
      900,
      0,
      (i) => h(i) + (i >= 800 ? -20_000 : 0),
      0,
      0,
      () => 0,
      ratios(4, 0),
      true,
    );
    expect(hardware.outputs.findIndex((o, i) => i >= 800 && !o.outlier)).toBe(802);
    expect(hardware.uncertainties.slice(795, 810).map((u) => u?.judgedRun)).toEqual(Array(15).fill(undefined));
  });

  it('believes a 20 µs move 2 s after it though one Sync 26 µs late (the other side of the phase estimate) falls 1.5 s into its run', () => {
    const n = gaussian(2, 300);
    const offset = (i: number) => (i === 812 ? 6_000 : n(i) + (i >= 800 ? -20_000 : 0));
    const moved = loop({ softwareTimestamps: true }, 900, 0, offset, 0, 0, () => 0, ratios(2, 20_000 / SPAN_S), true);
    const believedAt = moved.outputs.findIndex((o, i) => i > 800 && !o.outlier);
    expect((believedAt - 800) * INTERVAL_S).toBeLessThan(2.5);
    // Two such Syncs in a row start a run of their own: the grandmaster's time may have moved back.
    const twice = (i: number) => (i === 812 || i === 813 ? 6_000 : offset(i));
    const restarted = loop({ softwareTimestamps: true }, 900, 0, twice, 0, 0, () => 0, ratios(2, 20_000 / SPAN_S), true);
    expect((restarted.outputs.findIndex((o, i) => i > 800 && !o.outlier) - 814) * INTERVAL_S).toBeGreaterThanOrEqual(2);
  });

  it('takes no offset that reads earlier than a late run for a late frame of it: it is judged as itself, early', () => {
    const n = gaussian(2, 300);
    const offset = (i: number) => (i === 812 ? -6_000 : n(i) + (i >= 800 ? 20_000 : 0));
    const moved = loop({ softwareTimestamps: true }, 900, 0, offset, 0, 0, () => 0, ratios(2, -20_000 / SPAN_S), true);
    const judged = moved.uncertainties[812]?.judgedRun;
    expect(judged?.offsets).toBe(1);
    expect(Math.abs((judged?.levelNs ?? 0) + 6_000)).toBeLessThan(1_500);
  });

  it('believes a 20 µs early move 2 s after it though one Sync 20 µs late falls on the old time 1.5 s into its run; two there end the run', () => {
    const n = gaussian(2, 300);
    const offset = (i: number) => n(i) + (i >= 800 && i !== 812 ? -20_000 : 0);
    const moved = loop({ softwareTimestamps: true }, 900, 0, offset, 0, 0, () => 0, ratios(2, 20_000 / SPAN_S), true);
    // Taken into the run as a late frame of it, not as the clock on the old time.
    expect(moved.outputs[812]?.outlier).toBe(true);
    const believedAt = moved.outputs.findIndex((o, i) => i > 800 && !o.outlier);
    expect((believedAt - 800) * INTERVAL_S).toBeLessThan(2.5);
    const twice = (i: number) => (i === 812 || i === 813 ? n(i) : offset(i));
    const ended = loop({ softwareTimestamps: true }, 900, 0, twice, 0, 0, () => 0, ratios(2, 20_000 / SPAN_S), true);
    expect(ended.outputs[813]?.outlier).toBe(false);
    expect((ended.outputs.findIndex((o, i) => i > 813 && !o.outlier) - 814) * INTERVAL_S).toBeGreaterThanOrEqual(2);
  });

  it("judges a 3 µs change of the Syncs' path until the ratios contradict it, then holds it: judged no more", () => {
    const held = through(1, 8, 0);
    const judged = held.uncertainties.map((u) => u?.judgedRun);
    expect(judged[803]?.ratiosSeeMove).toBe(false);
    expect(judged.slice(808, 872)).toEqual(Array(64).fill(undefined));
  });

  it("asks no witness when the Syncs come through a bridge: its ratios are the bridge's clock, not the grandmaster's", () => {
    expect(largest(through(1, 8, 0, {}, false).truePhases, 800)).toBeGreaterThan(2_500);
  });
});

describe('KalmanServo: what a believed change leaves uncertain', () => {
  it("a flat run (a phase jump) widens the frequency's uncertainty by what the run's slope allows, not to 10 ppm", () => {
    const jump = (i: number): number => (i >= 100 ? 200_000 : 0) + ((i * 7919) % 11) * 40 - 200;
    const l = loop({ softwareTimestamps: true }, 117, 0, jump);
    expect(l.outputs[116]?.outlier).toBe(false);
    expect(l.servo.uncertainty()?.frequencyPpb).toBeLessThan(1_000);
  });

  it('a run on a slope (an unannounced +5 ppm frequency step) leaves the frequency free to move by it', () => {
    const step = (i: number): number => (i >= 100 ? 5_000 * (i - 100) * INTERVAL_S + 50_000 : 0);
    const believed = loop({ softwareTimestamps: true }, 140, 0, step).outputs.findIndex((o, i) => i > 100 && !o.outlier);
    expect(believed).toBeGreaterThan(100);
    // Just after the run is believed: the frequency may move by the 5 ppm the run's slope shows.
    expect(loop({ softwareTimestamps: true }, believed + 1, 0, step).servo.uncertainty()?.frequencyPpb).toBeGreaterThan(4_000);
  });
});

describe('KalmanServo: bursts of late software timestamps', () => {
  it('does not follow a 1 s burst of Syncs all ~3 µs late (a loaded host), however well they agree', () => {
    const r = new Prng(7);
    const burst = (i: number): number => (i >= 100 && i < 108 ? 3_000 + r.gaussian() * 100 : r.gaussian() * 300);
    const l = loop({ softwareTimestamps: true }, 140, 0, burst);
    expect(l.outputs.slice(100, 108).every((o) => o.outlier)).toBe(true);
    expect(Math.max(...l.truePhases.slice(100).map(Math.abs))).toBeLessThan(300);
  });

  it('with hardware tuning still believes four outliers in a row (no minimum span)', () => {
    const jump = (i: number): number => (i >= 100 ? 200_000 : 0);
    const l = loop({}, 120, 0, jump);
    expect(l.outputs[103]?.outlier).toBe(false);
  });
});

describe('KalmanServo on the hardware simulation (8 ns stamps, ±20 ns, +100 ppm, 1 ppb/√s)', () => {
  it('locks within 0.2 s and stays within 100 ns, RMS ≤ 5 ns on each of 6 seeds', () => {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const f = lockFigures(simulate(standardScenario(seed), (clock) => new ClockDiscipline(clock, { servo: 'kalman' })).syncs, 100, 10);
      expect(f.timeToLockS, `seed ${seed}`).toBeLessThanOrEqual(0.2);
      expect(f.rmsNs, `seed ${seed}`).toBeLessThanOrEqual(5);
      expect(f.maxNs, `seed ${seed}`).toBeLessThan(100);
    }
  });
});

describe('error bound (servoErrorBound.ts)', () => {
  it('adds the asymmetry allowance, 4 σ of the phase and the unremoved phase; grows with 4 σ of the frequency and the wander', () => {
    const uncertainty = { phaseNs: 50, frequencyPpb: 10, phaseEstimateNs: -20, measurementNoiseNs: 300, outliers: 0, recentOutliers: 0, recentWindow: 64 };
    const b = servoErrorBound({ software: true, pathDelayNs: 1_350, offsetRmsNs: 400, uncertainty, ageS: 2 });
    // 1350 + 300 + 4·50 + 20 = 1870 at the Sync; + 2·(40 + 10·2) = 120 after 2 s.
    expect(b.atLastSyncNs).toBe(1_870);
    expect(b.atNs).toBe(1_990);
    expect(b.growthPpb).toBe(40);
  });

  it('adds the level of a run still being judged: the grandmaster may have moved its time by it', () => {
    const uncertainty = { phaseNs: 50, frequencyPpb: 10, phaseEstimateNs: -20, measurementNoiseNs: 300, outliers: 4, recentOutliers: 4, recentWindow: 64 };
    const judgedRun = { levelNs: -20_300, offsets: 4, ratiosSeeMove: false };
    const b = servoErrorBound({ software: true, pathDelayNs: 1_350, offsetRmsNs: 400, uncertainty: { ...uncertainty, judgedRun }, ageS: 0 });
    // 1350 + 300 + 4·50 + 20 + 20300.
    expect(b.atNs).toBe(22_170);
  });

  /** A Kalman servo's uncertainty without a judged run, and what it does not model yet as given. */
  const unmodelled = (phaseNs: number, frequencyPpb: number, unmodelledPhaseNs: number, unmodelledFrequencyPpb: number) => ({
    phaseNs,
    frequencyPpb,
    unmodelledPhaseNs,
    unmodelledFrequencyPpb,
    phaseEstimateNs: 0,
    measurementNoiseNs: 400,
    outliers: 0,
    recentOutliers: 0,
    recentWindow: 64,
  });

  it('takes what the phase may carry unmodelled in quadrature with σθ', () => {
    const b = servoErrorBound({ software: true, pathDelayNs: 1_000, offsetRmsNs: 400, uncertainty: unmodelled(300, 10, 400, 0), ageS: 0 });
    // 1000 + 400 + 4·√(300² + 400²) = 1400 + 2000.
    expect(b.atNs).toBe(3_400);
  });

  it('grows with what the frequency may carry unmodelled in quadrature with σφ', () => {
    const b = servoErrorBound({ software: true, pathDelayNs: 1_000, offsetRmsNs: 400, uncertainty: unmodelled(300, 30, 0, 40), ageS: 1 });
    // 4·√(30² + 40²) = 200 ns/s, and ½·20 ppb/s·1 s² of wander.
    expect(b.growthPpb).toBe(200);
    expect(b.atNs - b.atLastSyncNs).toBe(200 + 10);
  });

  it("without a servo uncertainty (pi, linreg): 4 × the offset RMS and the mode's frequency error", () => {
    const b = servoErrorBound({ software: false, pathDelayNs: 500, offsetRmsNs: 10, uncertainty: undefined, ageS: 0 });
    expect(b.atNs).toBe(500 + 10 + 40);
    expect(b.growthPpb).toBe(100);
  });
});
