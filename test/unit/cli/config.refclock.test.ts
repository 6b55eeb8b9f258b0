import { describe, expect, it } from 'vitest';
import type { CommandLineOverrides } from '../../../src/cli/config/commandLine.js';
import { DEFAULT_REFCLOCK_SOCK_ADDRESS, loadDaemonConfig, type LoadedDaemonConfig } from '../../../src/cli/config/daemonConfig.js';

function load(lines: string[], overrides: Partial<CommandLineOverrides> = {}): LoadedDaemonConfig {
  return loadDaemonConfig({ file: 'test.cfg', text: lines.join('\n'), interfaceName: 'eth0', overrides });
}

describe('chrony refclock options (linuxptp 4.x names)', () => {
  it('feeds nothing unless asked', () => {
    const { config } = load(['[global]']);
    expect(config.refclock).toBeUndefined();
    expect(config.assumedUtcOffset).toBeUndefined();
  });

  it('refclock_sock_address feeds chrony the synchronized time of the disciplined clock', () => {
    const { config, warnings } = load(['[global]', 'refclock_sock_address /run/chrony/syntonic.sock']);
    expect(config.refclock).toEqual({ address: '/run/chrony/syntonic.sock', measuredOffsets: false });
    // No clock_servo: a servo still disciplines the clock, the timestamping mode's (kalman or pi).
    expect(config.servo.servo).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  it('clock_servo refclock_sock feeds measured offsets and uses linuxptp’s default address', () => {
    const { config } = load(['[global]', 'clock_servo refclock_sock']);
    expect(config.refclock).toEqual({ address: DEFAULT_REFCLOCK_SOCK_ADDRESS, measuredOffsets: true });
    expect(DEFAULT_REFCLOCK_SOCK_ADDRESS).toBe('/var/run/refclock.ptp.sock');
  });

  it('--refclock-sock overrides the file', () => {
    const { config } = load(['[global]', 'refclock_sock_address /run/a.sock'], { refclockSock: '/run/b.sock' });
    expect(config.refclock?.address).toBe('/run/b.sock');
  });

  it('refuses clock_servo refclock_sock with clock phc: it disciplines no clock', () => {
    expect(() => load(['[global]', 'clock_servo refclock_sock', 'time_stamping hardware', 'clock phc'])).toThrow(
      /test\.cfg:2: clock_servo refclock_sock disciplines no clock .* but test\.cfg:4 asks for clock phc: use clock virtual/,
    );
  });

  it('refuses a relative refclock_sock_address and an empty --refclock-sock', () => {
    expect(() => load(['[global]', 'refclock_sock_address chrony.sock'])).toThrow(/refclock_sock_address/);
    expect(() => load(['[global]'], { refclockSock: ' ' })).toThrow(/--refclock-sock: the path is empty/);
  });

  it('assume_utc_offset states gPTP time − UTC in seconds (0 for a grandmaster that sends UTC)', () => {
    expect(load(['[global]', 'assume_utc_offset 0']).config.assumedUtcOffset).toBe(0);
    expect(load(['[global]', 'assume_utc_offset 37']).config.assumedUtcOffset).toBe(37);
    expect(() => load(['[global]', 'assume_utc_offset 37.5'])).toThrow(/assume_utc_offset/);
  });
});
