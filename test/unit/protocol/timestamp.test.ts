import { describe, expect, it } from 'vitest';
import { nsToTimestamp, timestampToNs } from '../../../src/protocol/timestamp.js';

describe('PTP Timestamp', () => {
  it('splits a TAI instant into 48-bit seconds and nanoseconds and back exactly', () => {
    const ns = 1_732_000_000_123_456_789n;
    const t = nsToTimestamp(ns);
    expect(t).toEqual({ seconds: 1_732_000_000n, nanoseconds: 123_456_789 });
    expect(timestampToNs(t)).toBe(ns);
  });

  it('refuses times a 48-bit seconds field cannot hold', () => {
    expect(() => nsToTimestamp(-1n)).toThrow(RangeError);
    expect(() => nsToTimestamp((1n << 48n) * 1_000_000_000n)).toThrow(RangeError);
  });
});
