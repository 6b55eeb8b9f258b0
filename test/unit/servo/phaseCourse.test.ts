import { describe, expect, it } from 'vitest';
import { courseChangeNs, PhaseCourse } from '../../../src/servo/phaseCourse.js';

const mark = (courseNs: number, atS = courseNs) => ({ courseNs, phiPpb: 0, atS });

describe('PhaseCourse: the clock course of the last Syncs', () => {
  it('gives the oldest mark kept, as the ring fills and as it wraps', () => {
    const c = new PhaseCourse(3);
    expect(c.oldest()).toBeUndefined();
    c.push(mark(1));
    c.push(mark(2));
    expect(c.oldest()?.courseNs).toBe(1);
    c.push(mark(3));
    c.push(mark(4));
    // The first mark left the ring: the second is the oldest now.
    expect(c.oldest()?.courseNs).toBe(2);
    c.push(mark(5));
    c.push(mark(6));
    expect(c.oldest()).toEqual(mark(4));
  });

  it('forgets every mark when cleared', () => {
    const c = new PhaseCourse(3);
    c.push(mark(1));
    c.clear();
    expect(c.oldest()).toBeUndefined();
    c.push(mark(2));
    expect(c.oldest()?.courseNs).toBe(2);
  });

  it('refuses a ring of no Sync', () => {
    expect(() => new PhaseCourse(0)).toThrow(/length/);
  });
});

describe('courseChangeNs: how far the offsets moved against the clock course', () => {
  it('counts the estimate moving with the adjustments as no change', () => {
    // θ̂ − A unchanged over 10 s at the frequency believed then (0): nothing moved.
    expect(courseChangeNs({ courseNs: 500, phiPpb: 0, atS: 0 }, { courseNs: 500, phiPpb: 30, atS: 10 })).toBe(0);
  });

  it("counts the clock's drift at the frequency believed at the start as the oscillator's, not a change", () => {
    // Believing +20 ppb, 10 s of applying 0 leaves θ̂ − A 200 ns lower for the oscillator's sake alone.
    expect(courseChangeNs({ courseNs: 0, phiPpb: 20, atS: 0 }, { courseNs: -200, phiPpb: 20, atS: 10 })).toBeCloseTo(0, 9);
    // Beyond that drift, the rest is the offsets' change.
    expect(courseChangeNs({ courseNs: 0, phiPpb: 20, atS: 0 }, { courseNs: 1_800, phiPpb: 20, atS: 10 })).toBeCloseTo(2_000, 9);
  });
});
