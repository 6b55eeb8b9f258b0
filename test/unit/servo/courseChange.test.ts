/**
 * How far the offsets moved the Kalman servo's clock, for the error bound: a change followed through
 * the filter's gain beyond what its model allows, and the whole change a level stands for.
 */
import { describe, expect, it } from 'vitest';
import { CourseChange } from '../../../src/servo/courseChange.js';
import { LatencyJoin } from '../../../src/servo/latencyJoin.js';
import type { CourseMark } from '../../../src/servo/phaseCourse.js';

const intervalS = 0.125;
/** The software tuning's level window at 8 Sync/s: twice the 2 s outlier run. */
const levelWindow = 32;

function mark(atS: number, courseNs: number, sigmaThetaNs = 400): CourseMark {
  return { courseNs, phiPpb: 0, atS, sigmaThetaNs, sigmaPhiPpb: 4 };
}

/** Reports the course of `courseAt` Sync by Sync up to untilS (exclusive); the last report. */
function run(change: CourseChange, courseAt: (tS: number) => number, untilS: number, sigmaThetaNs?: number) {
  let last = {};
  for (let i = 0; i * intervalS < untilS; i++) last = change.report(mark(i * intervalS, courseAt(i * intervalS), sigmaThetaNs), undefined);
  return last;
}

function courseChange(): CourseChange {
  return new CourseChange(new LatencyJoin(undefined, 0), () => 1, levelWindow, intervalS);
}

describe('CourseChange', () => {
  it('reports nothing while the course stays within what the model allows (both phases, the frequency, the walk)', () => {
    expect(run(courseChange(), (t) => 50 * Math.sin(t), 75)).toEqual({});
  });

  it('reports a change of 3 µs the filter followed through its gain over 10 s, whole and signed', () => {
    const ramp = (t: number): number => -3_000 * Math.min(1, Math.max(0, (t - 40) / 10));
    const last = run(courseChange(), ramp, 60) as { phaseChangeNs?: number };
    expect(last.phaseChangeNs).toBeCloseTo(-3_000, 6);
  });

  it('reports a level as all the course moved from two level windows before it, for two windows after it', () => {
    const change = courseChange();
    const step = (t: number): number => (t >= 9 ? 2_500 : 0);
    // Phases this uncertain put a 2.5 µs move within the model: only the level reports it.
    run(change, step, 10, 2_000);
    expect(change.report(mark(10, 2_500, 2_000), 1_000)).toEqual({ levelNs: 1_000, phaseChangeNs: 2_500 });
    expect(change.report(mark(17.9, 2_500, 2_000), undefined)).toEqual({ phaseChangeNs: 2_500 });
    expect(change.report(mark(18.1, 2_500, 2_000), undefined)).toEqual({});
  });

  it('forgets the course at a step: a move before it is no change the clock followed', () => {
    const change = courseChange();
    run(change, (t) => (t >= 5 ? 3_000 : 0), 10);
    change.forget();
    expect(change.report(mark(10, 3_000), undefined)).toEqual({});
  });
});
