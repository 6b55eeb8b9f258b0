import { describe, expect, it } from 'vitest';
import {
  againstGrandmasterTime,
  errorBoundFigures,
  grandmasterOffset,
  holdoverEndFigures,
  synchronizedAfterEdges,
} from '../../../conformance/lab/labResult.js';
import { errorBoundOver } from '../../../conformance/lab/stats.js';
import type { StatusObservation, TrueErrorSample } from '../../../conformance/lab/trueErrorProbe.js';

const GM = '02aaaa.fffe.000001';
const ROGUE = '02bbbb.fffe.000002';

const sample = (status: TrueErrorSample['status'], errorNs: number, errorBoundNs: number): TrueErrorSample => ({
  atMs: 0,
  status,
  errorNs,
  wholeSeconds: 0,
  errorBoundNs,
  grandmaster: GM,
});

describe("the lab's error-bound figures over the samples the provider called synchronized", () => {
  it('gives the coverage, the median bound and how close the true error came to the bound, either sign', () => {
    const f = errorBoundFigures([
      sample('synchronized', -1_800, 2_000),
      sample('synchronized', 900, 2_500),
      sample('synchronized', -2_100, 2_000),
      // Not synchronized: not the bound's claim, however far off.
      sample('unstable', 9_000, 1_000),
    ]);
    expect(f.errorBoundCoverage).toBeCloseTo(2 / 3, 12);
    expect(f.errorBoundMedianNs).toBe(2_000);
    // −2100 against 2000: the bound missed by 100 ns.
    expect(f.errorBoundClosestNs).toBe(-100);
  });

  it('says nothing of a run never synchronized', () => {
    expect(errorBoundFigures([sample('lost', 5, 10)]).errorBoundClosestNs).toBeNaN();
  });
});

describe("the same figures against the grandmaster's time where the run moved it (its clock stepped 20 µs early)", () => {
  const at = (atMs: number, status: TrueErrorSample['status'], errorNs: number, errorBoundNs: number): TrueErrorSample => ({
    ...sample(status, errorNs, errorBoundNs),
    atMs,
  });
  const move = { fromMs: 1_000, toMs: 2_000, offsetNs: -20_000 };

  it('counts a clock still on CLOCK_REALTIME, synchronized, as 20 µs off inside the move, and one that followed as on time', () => {
    const samples = [
      at(500, 'synchronized', 100, 3_000),
      // Not yet followed: on CLOCK_REALTIME, 20 µs off the moved time, still synchronized.
      at(1_250, 'synchronized', 200, 4_000),
      at(1_500, 'unstable', 10_000, 4_000),
      // Followed: 20 µs off CLOCK_REALTIME, on the grandmaster's time.
      at(1_750, 'synchronized', -19_800, 46_000),
      at(2_250, 'synchronized', -300, 46_000),
    ];
    const f = againstGrandmasterTime(samples, grandmasterOffset(move));
    expect(f.errorBoundCoverage).toBe(3 / 4);
    expect(f.errorBoundClosestNs).toBe(4_000 - 20_200);
    expect(f.synchronizedBeyond10us).toBe(1);
    expect(f.whileSynchronizedNs?.maxAbs).toBe(20_200);
    // Against CLOCK_REALTIME the same run looks the other way round.
    expect(errorBoundFigures(samples).synchronizedBeyond10us).toBe(1);
    expect(errorBoundFigures(samples).errorBoundCoverage).toBe(1);
  });
});

describe('the same figures against the time of the grandmaster the provider followed (a better one, its clock 1 ms ahead)', () => {
  const on = (grandmaster: string, status: TrueErrorSample['status'], errorNs: number, errorBoundNs: number): TrueErrorSample => ({
    ...sample(status, errorNs, errorBoundNs),
    grandmaster,
  });
  const offsets = new Map([[ROGUE, 1_000_000]]);

  it("takes a sample that followed the better grandmaster against that grandmaster's time, the others against CLOCK_REALTIME", () => {
    const samples = [
      on(GM, 'synchronized', -8_000, 20_000),
      // Following the rogue: 1 ms off CLOCK_REALTIME, 9 µs off the rogue's time, which the bound covers.
      on(ROGUE, 'synchronized', 991_000, 25_000),
      // Still on the rogue's time after the provider named the grandmaster again: synchronized, 1 ms off.
      on(GM, 'synchronized', 990_000, 25_000),
    ];
    const f = againstGrandmasterTime(samples, grandmasterOffset(undefined, offsets));
    expect(f.errorBoundCoverage).toBe(2 / 3);
    expect(f.synchronizedBeyond10us).toBe(1);
    expect(f.whileSynchronizedNs?.maxAbs).toBe(990_000);
    // Against CLOCK_REALTIME alone, following the rogue would read as two misses of 1 ms.
    expect(errorBoundFigures(samples).errorBoundCoverage).toBe(1 / 3);
  });
});

describe("how long the status said synchronized after each edge of the grandmaster's move", () => {
  const observed = (atMs: number, status: StatusObservation['status']): StatusObservation => ({ atMs, status, reason: '' });
  const move = { fromMs: 1_000, toMs: 2_000 };

  it('counts from the edge to the first status other than synchronized, to the ms', () => {
    const statuses = [
      observed(100, 'unstable'),
      observed(400, 'synchronized'),
      observed(1_237, 'unstable'),
      observed(1_900, 'synchronized'),
      observed(2_104, 'unstable'),
    ];
    expect(synchronizedAfterEdges(statuses, move, 3_000)).toEqual([0.237, 0.104]);
  });

  it('gives 0 where the status was not synchronized at the edge, and the rest of the run where it never left', () => {
    const statuses = [observed(100, 'unstable'), observed(1_500, 'synchronized')];
    expect(synchronizedAfterEdges(statuses, move, 3_000)).toEqual([0, 1]);
  });
});

describe('errorBoundOver: the one definition the lab and the replay share', () => {
  it('takes the lower of two middle bounds as the median, as the replay always did', () => {
    const over = errorBoundOver([
      { absErrorNs: 100, boundNs: 3_000 },
      { absErrorNs: 1_500, boundNs: 1_000 },
      { absErrorNs: 200, boundNs: 2_000 },
      { absErrorNs: 300, boundNs: 4_000 },
    ]);
    expect(over.coverage).toBe(3 / 4);
    expect(over.medianNs).toBe(2_000);
    expect(over.closestNs).toBe(-500);
  });

  it('is NaN throughout over no samples', () => {
    expect(errorBoundOver([])).toEqual({ coverage: NaN, medianNs: NaN, closestNs: NaN });
  });
});

describe('where holdover ended: the last sample the provider called lost before the disruption ended', () => {
  const held = (atMs: number, status: TrueErrorSample['status'], errorNs: number, holdoverErrorNs?: number): TrueErrorSample => ({
    ...sample(status, errorNs, 40_000),
    atMs,
    ...(holdoverErrorNs === undefined ? {} : { holdoverErrorNs }),
  });

  it('gives its |true error|, the estimate and the bound, not a later sample after the Syncs came back', () => {
    const f = holdoverEndFigures(
      [held(900, 'synchronized', 300), held(1_500, 'lost', -2_000, 5_000), held(30_900, 'lost', -9_400, 8_100), held(31_200, 'lost', -9_500, 8_200)],
      { fromMs: 1_000, toMs: 31_000 },
    );
    expect(f.holdoverEnd).toEqual({ trueErrorNs: 9_400, estimateNs: 8_100, errorBoundNs: 40_000 });
  });

  it('says nothing without a disruption or without a sample in holdover', () => {
    expect(holdoverEndFigures([held(1_500, 'lost', 10, 20)], undefined)).toEqual({});
    expect(holdoverEndFigures([held(1_500, 'unstable', 10)], { fromMs: 1_000, toMs: 2_000 })).toEqual({});
  });
});
