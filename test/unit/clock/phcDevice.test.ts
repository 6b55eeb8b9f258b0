/**
 * Opening a PTP hardware clock through the real kernel. These machines have no /dev/ptp*, so what is
 * exercised is every way opening fails — each with the errno name as `code` and an actionable sentence —
 * and the clock-id arithmetic the adjustment guard relies on.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPhcDevice, phcPath } from '../../../src/clock/phcDevice.js';
import { nativeBinding } from '../../../src/native/binding.js';
import { LineChild } from '../../support/nativeChildProcess.js';
import { compileForChild, type ChildTree } from '../../support/nativeChildTree.js';
import { needs } from '../../support/peers.js';

describe('opening a PHC', () => {
  let tree: ChildTree | undefined;
  let dir = '';

  beforeAll(() => {
    tree = compileForChild(['test/support/phcOpenChild.ts']);
    dir = mkdtempSync(join(tmpdir(), 'syn-nat-phc-'));
    chmodSync(dir, 0o755);
  });

  afterAll(() => {
    tree?.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  it('says a missing device does not exist (ENOENT)', () => {
    expect(() => openPhcDevice({ index: 999 })).toThrow(
      expect.objectContaining({
        code: 'ENOENT',
        syscall: 'open',
        message: expect.stringMatching(/^\/dev\/ptp999 does not exist: no PTP hardware clock there/),
      }),
    );
  });

  it('says a character device that is not a PHC is not a PTP clock (ENOTTY from PTP_CLOCK_GETCAPS)', () => {
    expect(() => openPhcDevice({ path: '/dev/null' })).toThrow(
      expect.objectContaining({
        code: 'ENOTTY',
        syscall: 'ioctl(PTP_CLOCK_GETCAPS)',
        message: '/dev/null is not a PTP clock (PTP_CLOCK_GETCAPS: Inappropriate ioctl for device)',
      }),
    );
  });

  // Dropping to another user takes root.
  it.skipIf(needs('PHC open as another user (EACCES)', 'root', 'setpriv').skip)(
    'says permission is denied to a user who may not open it read-write (EACCES)',
    async () => {
      if (tree === undefined) throw new Error('child tree not compiled');
      const device = join(dir, 'ptp-mode-000');
      writeFileSync(device, '');
      chmodSync(device, 0o000);
      const child = new LineChild(tree.script('test/support/phcOpenChild.ts'), [device], {
        setpriv: ['--reuid=65534', '--regid=65534', '--clear-groups'],
      });
      try {
        const outcome = await child.nextJson<{ ok: boolean; code?: string; message?: string }>();
        expect(outcome).toMatchObject({ ok: false, code: 'EACCES' });
        expect(outcome.message).toBe(
          `permission denied opening ${device} read-write (adjusting a PHC needs write access: run as root, ` + 'or grant this user access to the device)',
        );
      } finally {
        child.kill();
      }
    },
  );

  it('says an interface without a PHC has none (loopback)', () => {
    expect(() => phcPath({ interface: 'lo' })).toThrow(
      expect.objectContaining({ code: 'ENODEV', message: expect.stringContaining('"lo" has no PTP hardware clock') }),
    );
  });

  it('maps interface-less sources to /dev/ptpN', () => {
    expect(phcPath({ index: 3 })).toBe('/dev/ptp3');
    expect(phcPath({ path: '/dev/ptp_custom' })).toBe('/dev/ptp_custom');
    expect(() => phcPath({ index: -1 })).toThrow(RangeError);
  });
});

describe('dynamic clock ids (the clock_adjtime guard)', () => {
  it('derives FD_TO_CLOCKID: fd 3 → ((~3) << 3) | 3 = -32 | 3 = -29', () => {
    expect(nativeBinding().clockIdForFd(3)).toBe(-29);
    expect(nativeBinding().clockIdForFd(0)).toBe(-5); // (~0 << 3) | 3 = -8 | 3
  });

  it('accepts only fd-backed ids: never CLOCK_REALTIME, CLOCK_TAI or any other static or CPU-time clock', () => {
    const { isDynamicClockId } = nativeBinding();
    expect(isDynamicClockId(-29)).toBe(true);
    expect(isDynamicClockId(0)).toBe(false); // CLOCK_REALTIME
    expect(isDynamicClockId(1)).toBe(false); // CLOCK_MONOTONIC
    expect(isDynamicClockId(4)).toBe(false); // CLOCK_MONOTONIC_RAW
    // These two end in binary 011 like fd clocks do: the sign tells them apart.
    expect(isDynamicClockId(3)).toBe(false); // CLOCK_THREAD_CPUTIME_ID
    expect(isDynamicClockId(11)).toBe(false); // CLOCK_TAI
    expect(isDynamicClockId(-14)).toBe(false); // process CPU clock of pid 1: ((~1) << 3) | 2
    expect(isDynamicClockId(-10)).toBe(false); // thread CPU clock of tid 1: ((~1) << 3) | 6
  });
});

describe('PHC step normalisation (ADJ_SETOFFSET | ADJ_NANO)', () => {
  it('splits a step into floor seconds and a nanosecond field in [0, 1e9)', () => {
    const { splitStepNs } = nativeBinding();
    expect(splitStepNs(1_500_000_000n)).toEqual({ seconds: 1n, nanoseconds: 500_000_000 });
    expect(splitStepNs(-1_500_000_000n)).toEqual({ seconds: -2n, nanoseconds: 500_000_000 });
    expect(splitStepNs(-1n)).toEqual({ seconds: -1n, nanoseconds: 999_999_999 });
    expect(splitStepNs(-2_000_000_000n)).toEqual({ seconds: -2n, nanoseconds: 0 });
    expect(splitStepNs(0n)).toEqual({ seconds: 0n, nanoseconds: 0 });
  });
});

describe('PHC − CLOCK_REALTIME from PTP_SYS_OFFSET brackets', () => {
  it('takes the PHC reading of the shortest system-clock bracket, at the midpoint of that bracket', () => {
    const { bestSystemOffsetBracket } = nativeBinding();
    const best = bestSystemOffsetBracket([
      [1_000n, 37_000_001_600n, 1_400n],
      [2_000n, 37_000_002_150n, 2_100n],
      [3_000n, 37_000_003_300n, 3_600n],
    ]);
    expect(best).toEqual({ offsetNs: 37_000_000_100n, delayNs: 100, systemNs: 2_050n, phcNs: 37_000_002_150n, method: 'PTP_SYS_OFFSET_EXTENDED' });
  });

  it('passes over a bracket whose system clock stepped back inside it, however short it looks', () => {
    const { bestSystemOffsetBracket } = nativeBinding();
    const best = bestSystemOffsetBracket([
      [5_000n, 37_000_005_000n, 4_000n],
      [6_000n, 37_000_006_300n, 6_400n],
    ]);
    expect(best?.systemNs).toBe(6_200n);
    expect(best?.delayNs).toBe(400);
  });

  it('gives no offset when every bracket stepped back', () => {
    const { bestSystemOffsetBracket } = nativeBinding();
    expect(bestSystemOffsetBracket([[9_000n, 37_000_008_000n, 8_000n]])).toBeUndefined();
  });
});
