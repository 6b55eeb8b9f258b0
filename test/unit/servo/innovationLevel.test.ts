import { describe, expect, it } from 'vitest';
import { InnovationLevel } from '../../../src/servo/innovationLevel.js';

describe("InnovationLevel: the caller's marks go with the window", () => {
  it("gives the marks of the window's oldest innovation, as the ring fills and as it wraps", () => {
    const w = new InnovationLevel(3, 2);
    expect(w.oldestMarks()).toBeUndefined();
    w.push(10, [1, 100]);
    w.push(20, [2, 200]);
    expect(w.oldestMarks()).toEqual([1, 100]);
    w.push(30, [3, 300]);
    w.push(40, [4, 400]);
    // The first innovation left the window: the second is the oldest now.
    expect(w.oldestMarks()).toEqual([2, 200]);
    w.push(50, [5]);
    w.push(60, [6, 600]);
    expect(w.oldestMarks()).toEqual([4, 400]);
    w.push(70, [7, 700]);
    // A missing mark reads NaN, not a stale value of the slot.
    expect(w.oldestMarks()).toEqual([5, NaN]);
  });

  it('forgets the marks with the window', () => {
    const w = new InnovationLevel(3, 1);
    w.push(10, [1]);
    w.clear();
    expect(w.oldestMarks()).toBeUndefined();
    w.push(20, [2]);
    expect(w.oldestMarks()).toEqual([2]);
  });
});
