/**
 * The system clocks through the addon. These check which clock is read and how the paired sample is
 * formed, not how fast (that is bench/native.bench.ts).
 */
import { describe, expect, it } from 'vitest';
import { monotonicRawNow, realtimeNow, sampleRealtimeAndMonotonicRaw } from '../../../src/clock/systemClocks.js';
import { nativeBinding } from '../../../src/native/binding.js';

describe('system clocks', () => {
  it('reads CLOCK_MONOTONIC_RAW as a bigint that never goes backwards', () => {
    let previous = monotonicRawNow();
    for (let i = 0; i < 10_000; i++) {
      const now = monotonicRawNow();
      expect(now >= previous).toBe(true);
      previous = now;
    }
  });

  it('reads CLOCK_REALTIME: the same clock as Date.now(), to its millisecond', () => {
    const before = BigInt(Date.now()) * 1_000_000n;
    const realtime = realtimeNow();
    const after = (BigInt(Date.now()) + 1n) * 1_000_000n;
    expect(realtime >= before && realtime < after).toBe(true);
  });

  it('pairs one realtime read with a monotonic-raw instant between the reads around it', () => {
    const rawBefore = monotonicRawNow();
    const realBefore = realtimeNow();
    const sample = sampleRealtimeAndMonotonicRaw();
    const realAfter = realtimeNow();
    const rawAfter = monotonicRawNow();
    expect(sample.monotonicRaw > rawBefore && sample.monotonicRaw < rawAfter).toBe(true);
    expect(sample.realtime >= realBefore && sample.realtime <= realAfter).toBe(true);
  });

  it('reports the raw bracket of the pairing, in whole ns', () => {
    const { realtimeNs, monotonicRawNs, intervalNs } = nativeBinding().sampleRealtimeAndMonotonicRaw();
    expect(typeof realtimeNs).toBe('bigint');
    expect(typeof monotonicRawNs).toBe('bigint');
    expect(Number.isInteger(intervalNs) && intervalNs >= 0).toBe(true);
  });
});
