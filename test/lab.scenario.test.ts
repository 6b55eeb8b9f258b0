/**
 * A lab scenario end to end, as `npm run conformance` runs it: a ptp4l grandmaster, Syntonic and a
 * ptp4l reference slave, each link through the impairment relay with a path asymmetry. 802.1AS-2020
 * 8.3: a slave that assumes a symmetric link sets its clock behind the grandmaster by the asymmetry
 * (the Sync takes mean + asymmetry, the slave subtracts only the mean), so the true error is about
 * −50 µs for 50 µs, whatever the link's software-timestamp noise (~1 µs).
 */
import { describe, expect, it } from 'vitest';
import { listNamespaces } from '../conformance/lab/netns.js';
import { LAB_SCENARIO_NAMES, runLabScenario, UnknownLabScenario } from '../conformance/lab/scenarios/index.js';

const ASYMMETRY_NS = 50_000;
const DELAY_NS = 2_000_000;
/** Relay spikes (ms wake-ups on these VMs) reach only a few samples; the median stays within this. */
const MEDIAN_TOLERANCE_NS = 15_000;
/**
 * Syntonic's servo, fed those spikes, has settled up to ~11 µs off the measured offset in runs
 * alongside other lab tests (−60.6 µs once); 20 µs still tells −50 µs from 0.
 */
const TRUE_ERROR_TOLERANCE_NS = 20_000;

describe('lab scenarios', () => {
  it('relay-asymmetry: the true error is minus the asymmetry, the path delay the mean delay', async () => {
    const r = await runLabScenario('relay-asymmetry', { durationS: 8 });
    const f = r.figures;
    console.info(
      `lab: relay-asymmetry true error median ${f.trueErrorNs.median} ns (n ${f.trueErrorNs.count}), Syntonic path delay median ${f.syntonicPathDelayNs.median} ns, ` +
        `ptp4l offset median ${f.ptp4lOffsetNs?.median} ns, relay lateness p99 ${r.relays[0]?.forward.latenessP99Ns} ns`,
    );
    expect(r.skipped).toBeUndefined();
    expect(f.wholeSecondsOffsets).toEqual([0]);
    expect(f.trueErrorNs.count).toBeGreaterThanOrEqual(24);
    expect(Math.abs(f.trueErrorNs.median - -ASYMMETRY_NS)).toBeLessThan(TRUE_ERROR_TOLERANCE_NS);
    expect(Math.abs(f.syntonicPathDelayNs.median - DELAY_NS)).toBeLessThan(MEDIAN_TOLERANCE_NS);
    // ptp4l's free-running slave measures the same asymmetry as an offset of +50 µs.
    expect(Math.abs((f.ptp4lOffsetNs?.median ?? NaN) - ASYMMETRY_NS)).toBeLessThan(MEDIAN_TOLERANCE_NS);
    expect(r.relays.map((s) => [s.forward.delayNs, s.reverse.delayNs])).toEqual([
      [DELAY_NS + ASYMMETRY_NS, DELAY_NS - ASYMMETRY_NS],
      [DELAY_NS + ASYMMETRY_NS, DELAY_NS - ASYMMETRY_NS],
    ]);
    expect(r.series.trueErrorNs.length).toBeGreaterThan(f.trueErrorNs.count);
    expect(listNamespaces().filter((n) => n.startsWith(`syn-lab-${process.pid}-`))).toEqual([]);
  });

  it('refuses unknown scenario names, naming the known ones', async () => {
    await expect(runLabScenario('no-such-scenario')).rejects.toBeInstanceOf(UnknownLabScenario);
    await expect(runLabScenario('no-such-scenario')).rejects.toThrow(/known: .*oscillator-plus-100ppm/);
    expect(LAB_SCENARIO_NAMES).toContain('steady-state');
  });
});
