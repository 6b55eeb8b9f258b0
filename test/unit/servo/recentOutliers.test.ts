/**
 * The ring of recent outliers the status reads to tell whether the noise model still describes the
 * link (src/servo/recentOutliers.ts).
 */
import { describe, expect, it } from 'vitest';
import { RecentOutliers } from '../../../src/servo/recentOutliers.js';

describe('RecentOutliers', () => {
  it('counts the outliers among the last window Syncs only', () => {
    const recent = new RecentOutliers(4);
    [true, false, true, true].forEach((outlier) => recent.note(outlier));
    expect(recent.count).toBe(3);
    // The first outlier leaves the window as a fifth Sync comes.
    recent.note(false);
    expect(recent.count).toBe(2);
    recent.note(false);
    recent.note(false);
    recent.note(false);
    expect(recent.count).toBe(0);
  });

  it('takes a believed change back out: the newest Syncs only, never below zero', () => {
    const recent = new RecentOutliers(8);
    [true, false, true, true, true].forEach((outlier) => recent.note(outlier));
    recent.unflag(3);
    expect(recent.count).toBe(1);
    // Unflagging more than the window holds clears it and no more.
    recent.unflag(20);
    expect(recent.count).toBe(0);
    recent.note(true);
    expect(recent.count).toBe(1);
  });

  it('refuses a window that holds no Sync', () => {
    expect(() => new RecentOutliers(0)).toThrow(RangeError);
    expect(() => new RecentOutliers(2.5)).toThrow(RangeError);
  });
});
