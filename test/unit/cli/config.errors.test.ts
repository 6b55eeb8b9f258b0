import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/cli/config/configError.js';
import { loadDaemonConfig, type LoadedDaemonConfig } from '../../../src/cli/config/daemonConfig.js';
import type { CommandLineOverrides } from '../../../src/cli/config/commandLine.js';

function load(lines: string[], overrides: Partial<CommandLineOverrides> = {}, interfaceName = 'eth0'): LoadedDaemonConfig {
  return loadDaemonConfig({ file: 'test.cfg', text: lines.join('\n'), interfaceName, overrides });
}

/** The problems a configuration is refused with (fails the test when it is accepted). */
function problemsOf(lines: string[], overrides: Partial<CommandLineOverrides> = {}, interfaceName = 'eth0'): readonly string[] {
  try {
    load(lines, overrides, interfaceName);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('the configuration was accepted');
}

describe('configuration errors name file, line and option', () => {
  it('unknown option, with a did-you-mean when a known name is close', () => {
    expect(problemsOf(['[global]', 'slaveOnly 1', 'neighbourPropDelayThresh 800'])).toEqual([
      "test.cfg:3: unknown option 'neighbourPropDelayThresh' in [global] (did you mean 'neighborPropDelayThresh'?)",
    ]);
    expect(problemsOf(['[eth0]', 'frobnicate 1'])).toEqual(["test.cfg:2: unknown option 'frobnicate' in [eth0]"]);
  });

  it('a value that does not parse: names the option and the expected form', () => {
    expect(problemsOf(['[global]', 'domainNumber zero'])).toEqual([
      "test.cfg:2: 'zero' is not a valid value for domainNumber: expected an integer from 0 to 127 (decimal or 0x hex)",
    ]);
    expect(problemsOf(['[global]', 'delay_mechanism peer'])).toEqual([
      "test.cfg:2: 'peer' is not a valid value for delay_mechanism: expected one of Auto, COMMON_P2P, E2E, P2P, NONE",
    ]);
    expect(problemsOf(['[global]', 'step_threshold 1s'])).toEqual(["test.cfg:2: '1s' is not a valid value for step_threshold: expected a number ≥ 0"]);
    expect(problemsOf(['[global]', 'ptp_dst_mac 01-80-C2-00-00-0E'])).toEqual([
      "test.cfg:2: '01-80-C2-00-00-0E' is not a valid value for ptp_dst_mac: expected a MAC address such as 01:80:C2:00:00:0E",
    ]);
  });

  it("a value out of ptp4l's range", () => {
    expect(problemsOf(['[global]', 'domainNumber 128'])).toEqual([
      'test.cfg:2: 128 is out of range for domainNumber: expected an integer from 0 to 127 (decimal or 0x hex)',
    ]);
    expect(problemsOf(['[global]', 'min_neighbor_prop_delay 5'])).toEqual([
      'test.cfg:2: 5 is out of range for min_neighbor_prop_delay: expected an integer ≤ -1 (decimal or 0x hex)',
    ]);
    // strtol base 0, as ptp4l: a leading 0 is octal, 010 = 8, beyond logging_level's 0–7.
    expect(problemsOf(['[global]', 'logging_level 010'])).toEqual([
      'test.cfg:2: 010 is out of range for logging_level: expected an integer from 0 to 7 (decimal or 0x hex)',
    ]);
  });

  it('a value ptp4l accepts but the port engine cannot use, attributed to the option that set it', () => {
    // default.cfg's syncReceiptTimeout 0 means "never" in ptp4l; 802.1AS needs at least one interval.
    expect(problemsOf(['[global]', 'syncReceiptTimeout 0'])).toEqual([
      'test.cfg:2: syncReceiptTimeout 0 cannot be used: syncReceiptTimeout must be an integer from 1 to 255, got 0',
    ]);
    expect(problemsOf(['[global]', 'logSyncInterval -8'])).toEqual([
      'test.cfg:2: logSyncInterval -8 cannot be used: initialLogSyncInterval must be an integer from -7 to 20, got -8',
    ]);
  });

  it('network_transport UDPv4, delay_mechanism E2E, time_stamping onestep: syntonic cannot honour them', () => {
    expect(problemsOf(['[global]', 'network_transport UDPv4'])).toEqual([
      'test.cfg:2: network_transport UDPv4: syntonic speaks gPTP over Ethernet only: network_transport must be L2',
    ]);
    expect(problemsOf(['[global]', 'delay_mechanism E2E'])).toEqual([
      'test.cfg:2: delay_mechanism E2E: gPTP measures link delay with the peer-to-peer mechanism (802.1AS-2020 clause 11): delay_mechanism must be P2P',
    ]);
    expect(problemsOf(['[global]', 'time_stamping onestep'])).toEqual([
      'test.cfg:2: time_stamping onestep: syntonic is a two-step receiver with hardware or software timestamps: time_stamping must be hardware, software or p2p1step (hardware with one-step Pdelay_Resp)',
    ]);
    expect(problemsOf(['[global]', 'clock_servo ntpshm'])).toEqual([
      'test.cfg:2: clock_servo ntpshm: syntonic has the servos pi, linreg, kalman and refclock_sock: clock_servo must be one of them',
    ]);
  });

  it("an inline '#' is part of the value, as in ptp4l, and the message says so", () => {
    expect(problemsOf(['[global]', 'slaveOnly 1 # never master'])).toEqual([
      "test.cfg:2: '1 # never master' is not a valid value for slaveOnly: expected 0 or 1; ptp4l has no inline comments: '#' and what follows it are part of the value, so put the comment on a line of its own",
    ]);
  });

  it('a global-only option in a port section', () => {
    expect(problemsOf(['[eth0]', 'priority1 200'])).toEqual([
      'test.cfg:2: option priority1 belongs in [global], not in [eth0]: it applies to the whole clock, not to one port',
    ]);
  });

  it('every problem of a file at once, one per line of the message: flags first, then in line order', () => {
    let error: unknown;
    try {
      // network_transport (line 2) is found after the syntax of every line is checked; it still comes first.
      load(['[global]', 'network_transport UDPv6', 'domainNumber 300', 'transportSpecfic 1'], { clock: 'hardware' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message.split('\n');
    expect(message).toHaveLength(4);
    expect(message[0]).toMatch(/^--clock: 'hardware' is not one of phc, virtual$/);
    expect(message[1]).toMatch(/^test\.cfg:2: network_transport UDPv6: /);
    expect(message[2]).toMatch(/^test\.cfg:3: 300 is out of range for domainNumber/);
    expect(message[3]).toMatch(/^test\.cfg:4: unknown option 'transportSpecfic' in \[global\] \(did you mean 'transportSpecific'\?\)$/);
  });

  it('a missing file', () => {
    expect(() => loadDaemonConfig({ file: '/nonexistent/syntonic.cfg', interfaceName: 'eth0', overrides: {} })).toThrow(
      /^\/nonexistent\/syntonic\.cfg: cannot read the configuration file: ENOENT/,
    );
  });

  it('bad command-line values', () => {
    expect(problemsOf([], { timestamping: 'hw', logLevel: 'verbose', metrics: 'localhost:99999', profile: 'avnu' })).toEqual([
      "--profile: 'avnu' is not one of gptp, automotive",
      "--timestamping: 'hw' is not one of auto, hardware, software",
      "--log-level: 'verbose' is neither a syslog level 0–7 nor one of emerg, alert, crit, err, error, warning, warn, notice, info, debug",
      "--metrics: 'localhost:99999' is not HOST:PORT (e.g. 127.0.0.1:9100, :9100 or 9100; port 1–65535)",
    ]);
    expect(problemsOf([], {}, 'eth0/1')[0]).toMatch(/^-i: 'eth0\/1' is not a network interface name/);
  });

  it('a PHC cannot be disciplined from software timestamps', () => {
    expect(problemsOf(['[global]', 'clock phc'], { timestamping: 'software' })).toEqual([
      "test.cfg:2: clock phc disciplines the interface's hardware clock, but software timestamps do not come from it: use --clock virtual, or hardware timestamps",
    ]);
  });

  it('freq_est_interval and neighborRateRatioWindow say the same thing: only one may be set', () => {
    expect(problemsOf(['[global]', 'freq_est_interval 1', 'neighborRateRatioWindow 4'])).toEqual([
      'test.cfg:2: set either freq_est_interval (ptp4l, log2 s) or neighborRateRatioWindow (Pdelay exchanges, test.cfg:3), not both',
    ]);
  });
});
