import { describe, expect, it } from 'vitest';
import { ClockCheck } from '../../../src/servo/clockCheck.js';
import { localTime } from '../../../src/clock/timePoint.js';

const LIMIT_PPB = 200_000_000; // ptp4l's sanity_freq_limit: 20 %
const SYNC_NS = 125_000_000n;

/** Offsets (ns) one Sync interval apart, each judged; returns the verdicts. */
function judge(check: ClockCheck, offsets: readonly number[], startNs = 0n): string[] {
  return offsets.map((o, i) => check.sample(o, localTime(startNs + BigInt(i) * SYNC_NS), true));
}

describe('the clock check on offsets (sanity_freq_limit)', () => {
  it('lets a steady level and a slow drift pass', () => {
    expect(judge(new ClockCheck(LIMIT_PPB), [100, -200, 150, 5_000, 9_000])).toEqual(Array(5).fill('consistent'));
  });

  it('holds a single Sync held up for 46 ms as a suspect and lets it go when the next is back on the level', () => {
    const check = new ClockCheck(LIMIT_PPB);
    // 46 ms in 125 ms implies 3.7e8 ppb, beyond the limit; the next offset is where the clock was.
    expect(judge(check, [100, -200, 46_486_492, -150, 80])).toEqual(['consistent', 'consistent', 'suspect', 'consistent', 'consistent']);
  });

  it('confirms a new level when the offset after the jump agrees with it', () => {
    const check = new ClockCheck(LIMIT_PPB);
    expect(judge(check, [0, 100, -100_000_000, -100_000_050])).toEqual(['consistent', 'consistent', 'suspect', 'confirmed']);
    expect(check.jumpPpb()).toBeCloseTo(((-100_000_000 - 100) / 125_000_000) * 1e9, 0);
  });

  it('does not take a burst of late Syncs released together for a new level, nor end the suspicion on one', () => {
    // A relay stalls 300 ms: the Syncs sent at 250, 375 and 500 ms are released at 550 ms, 50 µs
    // apart, each 125 ms less late than the one before; the last is within 20 % of the level over
    // the 425 ms since it, but it arrived with the others.
    const check = new ClockCheck(LIMIT_PPB);
    expect(judge(check, [0, 10])).toEqual(['consistent', 'consistent']);
    expect(check.sample(300_000_000, localTime(550_000_000n), true)).toBe('suspect');
    expect(check.sample(175_000_000, localTime(550_050_000n), true)).toBe('suspect');
    expect(check.sample(50_000_000, localTime(550_100_000n), true)).toBe('suspect');
    // The next Sync, on time, is back on the level before the stall; so is the one after.
    expect(check.sample(20, localTime(625_000_000n), true)).toBe('consistent');
    expect(check.sample(-30, localTime(750_000_000n), true)).toBe('consistent');
  });

  it('only records while the servo is not locked, and does nothing when disabled', () => {
    const check = new ClockCheck(LIMIT_PPB);
    expect(check.sample(0, localTime(0n), false)).toBe('consistent');
    expect(check.sample(90_000_000, localTime(SYNC_NS), false)).toBe('consistent');
    expect(check.sample(90_000_010, localTime(2n * SYNC_NS), true)).toBe('consistent');
    expect(judge(new ClockCheck(0), [0, 90_000_000, 90_000_000])).toEqual(Array(3).fill('consistent'));
  });

  it('starts a new level after reset, or when local time did not advance (a step moved it)', () => {
    const check = new ClockCheck(LIMIT_PPB);
    judge(check, [0, 0]);
    check.reset();
    expect(check.sample(50_000_000, localTime(10n * SYNC_NS), true)).toBe('consistent');
    expect(check.sample(-50_000_000, localTime(9n * SYNC_NS), true)).toBe('consistent');
  });
});
