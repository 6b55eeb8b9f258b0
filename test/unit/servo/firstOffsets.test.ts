/**
 * The offsets before a servo's start and the one its phase is seated from (src/servo/firstOffsets.ts).
 */
import { describe, expect, it } from 'vitest';
import { localTime } from '../../../src/clock/timePoint.js';
import { FirstOffsets } from '../../../src/servo/firstOffsets.js';

const at = (s: number) => localTime(BigInt(Math.round(s * 1e9)));

describe('FirstOffsets', () => {
  it("gives the median of the offsets, each carried to the newest one's instant at the drift", () => {
    const first = new FirstOffsets();
    // A clock drifting by +1000 ppb: 1 µs per s; the second Sync 20 µs late.
    [0, 1_000 + 20_000, 2_000, 3_000].forEach((offsetNs, i) => first.push(offsetNs, at(i)));
    expect(first.seatedOffset(1_000)).toBeCloseTo(3_000, 6);
    // Without the drift the median of 0, 2, 3, 21 µs is 2.5 µs.
    expect(first.seatedOffset(0)).toBeCloseTo(2_500, 6);
  });

  it('refuses to seat from no offset, and forgets its offsets when cleared', () => {
    const first = new FirstOffsets();
    expect(() => first.seatedOffset(0)).toThrow(RangeError);
    first.push(1_000, at(0));
    expect(first.size).toBe(1);
    first.clear();
    expect(first.size).toBe(0);
    expect(() => first.seatedOffset(0)).toThrow(RangeError);
  });
});
