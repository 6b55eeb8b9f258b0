/**
 * Software timestamps from a cold start, on the simulator with the latencies recorded on veth
 * (fixtures/noise/veth-software.json: heavy one-sided tail, the timer path slower than the answer path,
 * the first answers slower still) and the lab's cold start (scenarios.ts LAB_COLD_START: the
 * grandmaster's first two Pdelay_Resp 2.5 µs late). Issue 14's start-up problem: the software PI seated its frequency
 * once from the engine's first rate ratio — from two or three µs-noisy Pdelay exchanges, hundreds of
 * ppb off where the truth is 0 — and then needed tens of seconds to walk it back, µs off meanwhile.
 * The Kalman servo (the software default) takes that ratio as one uncertain measurement.
 * Targets (the lab's): synchronized within 10 s of start and not left again; |error| ≤ 3 µs and never
 * beyond 10 µs while synchronized; the error bound holding in ≥ 99.9 % of those samples.
 */
import { describe, expect, it } from 'vitest';
import { runScenario, type ScenarioResult } from '../../conformance/sim/runScenario.js';
import { LAB_COLD_START, softwareRecorded } from '../../conformance/sim/scenarios.js';
import type { ClockServoOptions } from '../../src/servo/clockServo.js';
import type { PiTuning } from '../../src/servo/piServo.js';

const SEEDS = [1, 2, 3, 4, 5, 6];

function run(seed: number, servo: ClockServoOptions): ScenarioResult {
  return runScenario(softwareRecorded(`seed-${seed}`, 'cold start, recorded veth noise', seed, 0, servo, LAB_COLD_START));
}

/** The first Sync comes 3 s after the start (the grandmaster's announceReceiptTimeout). */
const SYNC_STARTS_S = 3;

function meetsTargets(r: ScenarioResult): boolean {
  return (
    r.timeToSynchronizedS !== undefined &&
    r.timeToSynchronizedS + SYNC_STARTS_S <= 10 &&
    r.leftSynchronized === 0 &&
    r.synchronizedMaxNs <= 3_000 &&
    r.errorBoundCoverage >= 0.999
  );
}

describe('software timestamps from a cold start (recorded veth noise)', () => {
  it('the Kalman servo meets the targets on every seed', () => {
    for (const seed of SEEDS) {
      const r = run(seed, { timestamping: 'software' });
      expect(r.timeToSynchronizedS, `seed ${seed}`).toBeLessThanOrEqual(10 - SYNC_STARTS_S);
      expect(r.leftSynchronized, `seed ${seed}`).toBe(0);
      expect(r.synchronizedMaxNs, `seed ${seed}`).toBeLessThanOrEqual(3_000);
      expect(r.errorBoundCoverage, `seed ${seed}`).toBeGreaterThanOrEqual(0.999);
      expect(r.synchronizedSamples, `seed ${seed}`).toBeGreaterThan(600);
    }
  });

  it('the software PI of issue 14 (frequency seated from the start-up rate ratio, tracking gains only) misses them', () => {
    // Measured: on three seeds synchronized only after 31–35 s, on the other three synchronized early and
    // left again once the seated frequency error showed. The PI tuning is pinned as it was then: the
    // acquisition gains it has since gained (for the phase a holdover leaves) hide part of the problem.
    const issue14Pi: PiTuning = { kpScale: 0.07, kiScale: 0.003, slewThresholdNs: 20_000 };
    const failing = SEEDS.filter((seed) => !meetsTargets(run(seed, { timestamping: 'software', servo: 'pi', pi: issue14Pi })));
    expect(failing.length).toBeGreaterThanOrEqual(SEEDS.length - 1);
  });
});
