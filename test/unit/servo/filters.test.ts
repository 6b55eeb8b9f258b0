import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LinkDelayFilter } from '../../../src/servo/linkDelayFilter.js';
import { median } from '../../../src/protocol/windowedMedian.js';
import { OffsetSpikeFilter } from '../../../src/servo/offsetSpikeFilter.js';
import { qualityLevel } from '../../../src/servo/quality.js';

describe('LinkDelayFilter', () => {
  it('takes the median of the last five distinct Pdelay results, so one 50 µs spike changes nothing', () => {
    const filter = new LinkDelayFilter({ kind: 'median', length: 5 });
    // The engine repeats one meanLinkDelay for every Sync until the next exchange: counted once.
    for (let i = 0; i < 8; i++) filter.push(500);
    filter.push(510);
    filter.push(490);
    // Window 500, 510, 490, 50000: sorted 490 500 510 50000, median (500 + 510) / 2.
    expect(filter.push(50_000)).toBe(505);
    // Window 500, 510, 490, 50000, 505: median 505.
    expect(filter.push(505)).toBe(505);
  });

  it('computes medians of odd and even windows as usual', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('finds by selection the same median as sorting would, with repeats and any order', () => {
    const values = fc.array(
      fc.oneof(
        fc.integer({ min: -5, max: 5 }),
        fc.double({ min: -1e9, max: 1e9, noNaN: true }).map((x) => x + 0),
      ),
      { minLength: 1, maxLength: 70 },
    );
    fc.assert(
      fc.property(values, (v) => {
        const sorted = [...v].sort((a, b) => a - b);
        const mid = sorted.length >> 1;
        const expected = sorted.length % 2 === 1 ? sorted[mid] : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
        expect(median(v)).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('the min filter keeps the smallest of the window and "none" passes values through', () => {
    const min = new LinkDelayFilter({ kind: 'min', length: 3 });
    min.push(520);
    min.push(480);
    expect(min.push(900)).toBe(480);
    min.push(700);
    expect(min.value()).toBe(480); // window 480, 900, 700
    expect(min.push(650)).toBe(650); // window 900, 700, 650
    const none = new LinkDelayFilter({ kind: 'none' });
    expect(none.push(12_345)).toBe(12_345);
  });

  it('refuses a window length that is not a positive integer', () => {
    expect(() => new LinkDelayFilter({ length: 0 })).toThrow(/length/);
  });
});

describe('OffsetSpikeFilter', () => {
  const options = { length: 8, minSamples: 4, k: 3, minThresholdNs: 5, maxConsecutiveRejections: 3 };

  it('accepts everything while warming up, then rejects beyond k × 1.4826 × MAD of the median', () => {
    const filter = new OffsetSpikeFilter(options);
    for (const v of [0, 2, -2, 4]) expect(filter.check(v).accepted).toBe(true);
    // median 1, MAD 2 → threshold 3 × 1.4826 × 2 = 8.8956 ns
    const spike = filter.check(10);
    expect(spike.accepted).toBe(false);
    expect(spike.thresholdNs).toBeCloseTo(8.8956, 4);
    expect(filter.check(9).accepted).toBe(true);
    expect(filter.rejectedCount()).toBe(1);
  });

  it('never uses a threshold below minThresholdNs', () => {
    const filter = new OffsetSpikeFilter(options);
    for (const v of [1, 1, 1, 1]) filter.check(v);
    expect(filter.check(5.9).accepted).toBe(true); // MAD 0: the threshold is the 5 ns floor
    expect(filter.check(6.5).accepted).toBe(false);
  });

  it('takes an offset that persists past maxConsecutiveRejections as real and starts over', () => {
    const filter = new OffsetSpikeFilter(options);
    for (const v of [0, 1, -1, 0]) filter.check(v);
    expect(filter.check(1_000_000).accepted).toBe(false);
    expect(filter.check(1_000_000).accepted).toBe(false);
    expect(filter.check(1_000_000).accepted).toBe(false);
    expect(filter.check(1_000_000).accepted).toBe(true);
    expect(filter.rejectedCount()).toBe(3);
    // History restarted: warming up again.
    expect(filter.check(999_990).thresholdNs).toBeUndefined();
  });
});

describe('qualityLevel', () => {
  it('grades |offset| at 100 ns, 1 µs, 10 µs and 1 ms', () => {
    expect(qualityLevel(50)).toBe('excellent');
    expect(qualityLevel(-500)).toBe('good');
    expect(qualityLevel(5_000)).toBe('fair');
    expect(qualityLevel(500_000)).toBe('poor');
    expect(qualityLevel(2_000_000)).toBe('critical');
    expect(qualityLevel(undefined)).toBe('critical');
  });
});
