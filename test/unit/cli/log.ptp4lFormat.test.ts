/**
 * The daemon's text lines have ptp4l's columns: a user's awk or grep over ptp4l logs must read ours
 * alike. Expected lines are ptp4l 3.1.1's, copied from a lab log (ptp4l prints `master offset %10d
 * s%d freq %+7.0f path delay %9d` and `rms %4.0f max %4.0f freq %+6.0f +/- %3.0f delay %5.0f +/- %3.0f`).
 */
import { describe, expect, it } from 'vitest';
import { masterOffsetLine, printfFixed0, SummaryStats } from '../../../src/cli/daemon/log.js';

describe("ptp4l's number conversions (C printf %W.0f)", () => {
  it('puts the sign on the digits and pads on the left', () => {
    expect(printfFixed0(-169.4, 7, true)).toBe('   -169');
    expect(printfFixed0(54, 7, true)).toBe('    +54');
    expect(printfFixed0(286, 4)).toBe(' 286');
  });

  it('keeps the sign of a negative value that rounds to zero, as printf does', () => {
    expect(printfFixed0(-0.3, 7, true)).toBe('     -0');
    expect(printfFixed0(0.3, 7, true)).toBe('     +0');
  });

  it('rounds halves to even, as printf does', () => {
    expect([0.5, 1.5, 2.5, 3.5, -2.5].map((v) => printfFixed0(v, 1))).toEqual(['0', '2', '2', '4', '-2']);
  });

  it('never cuts a number wider than its field', () => {
    expect(printfFixed0(12_345_678, 6, true)).toBe('+12345678');
  });
});

describe("the daemon's lines split into ptp4l's fields", () => {
  it('prints a master offset line as ptp4l does, character for character', () => {
    expect(masterOffsetLine(-949, 's2', 54, 9487)).toBe('master offset       -949 s2 freq     +54 path delay      9487');
    expect(masterOffsetLine(1151, 's2', -169.2, 10575)).toBe('master offset       1151 s2 freq    -169 path delay     10575');
  });

  it('keeps the signed frequency in the one field after `freq`, as in a ptp4l log', () => {
    const fields = masterOffsetLine(-40, 's2', -2502.2, 1372).trim().split(/\s+/);
    expect(fields).toHaveLength(9);
    expect(fields[5]).toBe('-2502');
  });

  it('prints the summary_interval line with ptp4l widths and its ÷ n deviation', () => {
    const summary = new SummaryStats();
    for (const [offset, freq] of [
      [286, 12],
      [-286, 356],
    ] as const)
      summary.add(offset, freq, 1851);
    expect(summary.take()).toBe('rms  286 max  286 freq   +184 +/- 172 delay  1851 +/-   0');
  });
});
