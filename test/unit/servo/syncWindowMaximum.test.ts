import { describe, expect, it } from 'vitest';
import { SyncWindowMaximum } from '../../../src/servo/syncWindowMaximum.js';

describe('SyncWindowMaximum: the largest value (a meanLinkDelay, a believed phase change) of the last minutes of Syncs', () => {
  it('has nothing to say before the first value', () => {
    expect(new SyncWindowMaximum().max()).toBeUndefined();
  });

  it('keeps a peak through a 20 s dip at 8 Sync/s (the lab run where the 64-Sync maximum fell to 0.73 µs)', () => {
    const e = new SyncWindowMaximum();
    for (let i = 0; i < 8 * 30; i++) e.push(1_300 + (i % 7) * 20);
    for (let i = 0; i < 8 * 20; i++) e.push(730);
    expect(e.max()).toBe(1_420);
  });

  it('forgets a peak after 4096 more Syncs, and within one more bucket of 64', () => {
    const e = new SyncWindowMaximum();
    e.push(5_000);
    for (let i = 0; i < 4_095; i++) e.push(1_000);
    expect(e.max()).toBe(5_000);
    for (let i = 0; i < 64; i++) e.push(1_000);
    expect(e.max()).toBe(1_000);
  });

  it('ignores values that are not finite numbers', () => {
    const e = new SyncWindowMaximum();
    e.push(Number.NaN);
    e.push(Number.POSITIVE_INFINITY);
    e.push(800);
    expect(e.max()).toBe(800);
  });

  it('forgets everything when cleared, and starts again from the next value', () => {
    const e = new SyncWindowMaximum();
    for (let i = 0; i < 100; i++) e.push(2_000);
    e.clear();
    expect(e.max()).toBeUndefined();
    e.push(300);
    expect(e.max()).toBe(300);
  });
});
