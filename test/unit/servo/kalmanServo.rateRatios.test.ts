/**
 * The Kalman servo and every rate ratio as a measurement of the frequency (software timestamps).
 */
import { describe, expect, it } from 'vitest';
import { Prng } from '../../../src/clock/prng.js';
import type { RateMeasurement } from '../../../src/servo/servo.js';
import { loop, expectBoundCovers, gaussian } from '../../support/kalmanServoLoop.js';

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
