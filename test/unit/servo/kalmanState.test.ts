/**
 * The Kalman servo's algebra: the time update, the two measurement updates, and the latency state's
 * return to its mean.
 */
import { describe, expect, it } from 'vitest';
import { Prng } from '../../../src/clock/prng.js';
import { KalmanState } from '../../../src/servo/kalmanState.js';

describe('KalmanState time update', () => {
  it('moves the phase by what was applied beyond the frequency needed, and grows P as F·P·Fᵀ + Q', () => {
    const x = new KalmanState(50);
    x.seatPhase(1000, 100);
    x.widenFrequency(4);
    x.predict(2, 80, 3, undefined);
    // θ' = θ + (u − φ)·dt = 1000 + (80 − 50)·2.
    expect(x.theta).toBe(1060);
    const q = 9;
    expect(x.p00).toBeCloseTo(100 + 2 * 2 * 4 + (q * 8) / 3, 9);
    expect(x.p01).toBeCloseTo(-2 * 4 - (q * 4) / 2, 9);
    expect(x.p11).toBeCloseTo(4 + q * 2, 9);
  });

  it('lets the latency return to its mean over its time constant, its variance to σL²', () => {
    const x = new KalmanState(0);
    x.joinLatency(450, 0);
    x.updateOffset(900, x.offsetVariance() + 1);
    const latency = x.latency;
    expect(latency).toBeGreaterThan(800);
    x.predict(10, 0, 0, { timeConstantS: 10, sigmaNs: 450 });
    expect(x.latency).toBeCloseTo(latency * Math.exp(-1), 6);
    for (let k = 0; k < 20; k++) x.predict(10, 0, 0, { timeConstantS: 10, sigmaNs: 450 });
    expect(Math.sqrt(x.p22)).toBeCloseTo(450, 3);
    expect(Math.abs(x.latency)).toBeLessThan(1e-3);
  });
});

describe('KalmanState measurement updates', () => {
  it('moves φ̂ by p11 / (p11 + r) of a frequency measurement, θ̂ by p01 / (p11 + r)', () => {
    const x = new KalmanState(0);
    x.seatPhase(0, 400);
    x.widenFrequency(100);
    x.predict(1, 0, 0, undefined); // p01 = −100: the phase has learned from the frequency's doubt
    const { p01, p11 } = x;
    x.updateFrequency(30, 300);
    expect(x.phi).toBeCloseTo((p11 / (p11 + 300)) * 30, 9);
    expect(x.theta).toBeCloseTo((p01 / (p11 + 300)) * 30, 9);
    expect(x.p11).toBeCloseTo(p11 - (p11 * p11) / (p11 + 300), 9);
  });

  it("takes an offset's innovation against θ̂ + L̂, and moves θ̂ with a step of the clock without changing what it knows", () => {
    const x = new KalmanState(0);
    x.seatPhase(300, 400);
    x.joinLatency(450, 0);
    x.updateOffset(1000, x.offsetVariance() + 1);
    expect(x.offsetInnovation(2000)).toBeCloseTo(2000 - x.theta - x.latency, 9);
    const before = { theta: x.theta, p00: x.p00, p02: x.p02 };
    x.clockStepped(-250);
    expect(x.theta).toBeCloseTo(before.theta - 250, 9);
    expect({ p00: x.p00, p02: x.p02 }).toEqual({ p00: before.p00, p02: before.p02 });
  });

  it('shares an offset between phase and latency as their variances say', () => {
    const x = new KalmanState(0);
    x.seatPhase(0, 300 ** 2);
    x.joinLatency(600, 0);
    x.updateOffset(1000, x.offsetVariance());
    // No measurement noise and no prior covariance: the split is p00 : p22 and the sum is the offset.
    expect(x.theta + x.latency).toBeCloseTo(1000, 6);
    expect(x.latency / x.theta).toBeCloseTo(600 ** 2 / 300 ** 2, 6);
  });

  it('leaves no trace of the latency once it leaves the state', () => {
    const x = new KalmanState(0);
    x.joinLatency(450, 0);
    x.updateOffset(500, x.offsetVariance() + 100);
    x.leaveLatency();
    expect([x.latency, x.p02, x.p12, x.p22]).toEqual([0, 0, 0, 0]);
    expect(x.offsetVariance()).toBe(x.p00);
  });

  it('learns a free-running clock’s frequency from noisy offsets to within what its covariance says', () => {
    const prng = new Prng(7);
    const trueFrequencyPpb = 1234;
    const noiseNs = 200;
    const x = new KalmanState(0);
    x.seatPhase(0, noiseNs ** 2);
    x.widenFrequency(1e8);
    let trueTheta = 0;
    for (let k = 0; k < 400; k++) {
      // Nothing applied (u = 0): the clock runs off by the frequency it would need, ns per s.
      trueTheta -= trueFrequencyPpb * 0.125;
      x.predict(0.125, 0, 0.1, undefined);
      const offset = trueTheta + noiseNs * prng.gaussian();
      x.updateOffset(x.offsetInnovation(offset), x.offsetVariance() + noiseNs ** 2);
    }
    expect(Math.abs(x.phi - trueFrequencyPpb)).toBeLessThan(4 * x.frequencySigmaPpb());
    expect(x.frequencySigmaPpb()).toBeLessThan(5);
    expect(Math.abs(x.theta - trueTheta)).toBeLessThan(4 * x.phaseSigmaNs());
  });
});
