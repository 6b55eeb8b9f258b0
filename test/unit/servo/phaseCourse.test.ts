import { describe, expect, it } from 'vitest';
import { courseChangeNs, courseChangeSigmaNs, PhaseCourse, type CourseMark } from '../../../src/servo/phaseCourse.js';

const mark = (courseNs: number, atS = courseNs, phiPpb = 0): CourseMark => ({ courseNs, phiPpb, atS, sigmaThetaNs: 0, sigmaPhiPpb: 0 });

describe('PhaseCourse: the clock course of the last Syncs used', () => {
  it('gives the oldest mark kept and the one n Syncs back, as the ring fills and as it wraps', () => {
    const c = new PhaseCourse(3);
    expect(c.oldest()).toBeUndefined();
    c.push(mark(1));
    c.push(mark(2));
    expect(c.oldest()?.courseNs).toBe(1);
    expect(c.back(0)?.courseNs).toBe(2);
    // Further back than kept: the oldest.
    expect(c.back(5)?.courseNs).toBe(1);
    c.push(mark(3));
    c.push(mark(4));
    // The first mark left the ring: the second is the oldest now.
    expect(c.oldest()?.courseNs).toBe(2);
    expect(c.back(1)?.courseNs).toBe(3);
    c.push(mark(5));
    c.push(mark(6));
    expect(c.oldest()).toEqual(mark(4));
  });

  it('keeps every field of a mark', () => {
    const c = new PhaseCourse(2);
    const m: CourseMark = { courseNs: -12.5, phiPpb: 33, atS: 7.25, sigmaThetaNs: 80, sigmaPhiPpb: 4.5 };
    c.push(m);
    expect(c.back(0)).toEqual(m);
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
    // θ̂ − A unchanged over 10 s at a frequency of 0: nothing moved.
    expect(courseChangeNs(mark(500, 0), mark(500, 10, 30), 0)).toBe(0);
  });

  it("counts the clock's drift at the frequency given as the oscillator's, not a change", () => {
    // At +20 ppb, 10 s of applying 0 leaves θ̂ − A 200 ns lower for the oscillator's sake alone.
    expect(courseChangeNs(mark(0, 0), mark(-200, 10), 20)).toBeCloseTo(0, 9);
    // Beyond that drift, the rest is the offsets' change.
    expect(courseChangeNs(mark(0, 0), mark(1_800, 10), 20)).toBeCloseTo(2_000, 9);
  });
});

describe('courseChangeSigmaNs: what the servo model allows of a change', () => {
  it('adds both phase estimates, the frequency over the span and the random walk over it', () => {
    const from: CourseMark = { courseNs: 0, phiPpb: 0, atS: 0, sigmaThetaNs: 30, sigmaPhiPpb: 0 };
    const to: CourseMark = { courseNs: 0, phiPpb: 0, atS: 12, sigmaThetaNs: 40, sigmaPhiPpb: 0 };
    // 30 and 40 ns: 50 ns; 5 ppb over 12 s: 60 ns; 1 ppb/√s over 12 s: √(12³/3) = 24 ns.
    expect(courseChangeSigmaNs(from, to, 0, 0)).toBeCloseTo(50, 9);
    expect(courseChangeSigmaNs(from, to, 5, 0)).toBeCloseTo(Math.hypot(50, 60), 9);
    expect(courseChangeSigmaNs(from, to, 5, 1)).toBeCloseTo(Math.hypot(50, 60, 24), 9);
  });
});
