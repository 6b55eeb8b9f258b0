import { describe, expect, it } from 'vitest';
import { errorBoundFigures } from '../../../conformance/lab/labResult.js';
import { errorBoundOver } from '../../../conformance/lab/stats.js';
import type { TrueErrorSample } from '../../../conformance/lab/trueErrorProbe.js';

const sample = (status: TrueErrorSample['status'], errorNs: number, errorBoundNs: number): TrueErrorSample => ({
  atMs: 0,
  status,
  errorNs,
  wholeSeconds: 0,
  errorBoundNs,
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
