import { describe, expect, it } from 'vitest';
import { PathDelayEnvelope } from '../../../src/servo/pathDelayEnvelope.js';

describe('PathDelayEnvelope: the largest meanLinkDelay of the last minutes of Syncs', () => {
  it('has nothing to say before the first value', () => {
    expect(new PathDelayEnvelope().max()).toBeUndefined();
  });

  it('keeps a peak through a 20 s dip at 8 Sync/s (the lab run where the 64-Sync maximum fell to 0.73 µs)', () => {
    const e = new PathDelayEnvelope();
    for (let i = 0; i < 8 * 30; i++) e.push(1_300 + (i % 7) * 20);
    for (let i = 0; i < 8 * 20; i++) e.push(730);
    expect(e.max()).toBe(1_420);
  });

  it('forgets a peak after 4096 more Syncs, and within one more bucket of 64', () => {
    const e = new PathDelayEnvelope();
    e.push(5_000);
    for (let i = 0; i < 4_095; i++) e.push(1_000);
    expect(e.max()).toBe(5_000);
    for (let i = 0; i < 64; i++) e.push(1_000);
    expect(e.max()).toBe(1_000);
  });

  it('ignores values that are not finite numbers', () => {
    const e = new PathDelayEnvelope();
    e.push(Number.NaN);
    e.push(Number.POSITIVE_INFINITY);
    e.push(800);
    expect(e.max()).toBe(800);
  });
});
