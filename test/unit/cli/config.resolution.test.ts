import { describe, expect, it } from 'vitest';
import { parseMetricsEndpoint } from '../../../src/cli/config/commandLine.js';
import type { CommandLineOverrides } from '../../../src/cli/config/commandLine.js';
import { loadDaemonConfig, type LoadedDaemonConfig } from '../../../src/cli/config/daemonConfig.js';
import { unusedKalmanWander } from '../../../src/cli/config/servoSettings.js';
import { learnsOscillatorWander } from '../../../src/servo/clockServo.js';
import { AUTOMOTIVE_DEFAULTS, GPTP_DEFAULTS } from '../../../src/protocol/portConfig.js';

function load(lines: string[] | undefined, overrides: Partial<CommandLineOverrides> = {}, interfaceName = 'eth0'): LoadedDaemonConfig {
  return loadDaemonConfig({ ...(lines === undefined ? {} : { file: 'test.cfg', text: lines.join('\n') }), interfaceName, overrides });
}

describe('precedence: profile defaults < [global] < [IFACE] < command line', () => {
  const FILE = [
    '[global]',
    'logSyncInterval -3',
    'time_stamping hardware',
    'provider_socket /run/from-file.sock',
    'logging_level 5',
    'neighborPropDelayThresh 900',
    '[eth0]',
    'logSyncInterval -2',
  ];

  it('without a file: the profile defaults, auto timestamping, a virtual clock, the default socket', () => {
    const { config, warnings } = load(undefined);
    expect(config.port).toEqual(GPTP_DEFAULTS);
    expect(config.profileSource).toBe('default');
    expect(config.timestamping).toBe('auto');
    expect(config.clock).toBe('virtual');
    expect(config.freeRunning).toBe(false);
    expect(config.socketPath).toBe('/run/syntonic/syntonic.sock');
    expect(config.loggingLevel).toBe(6);
    expect(config.summaryIntervalLog).toBe(0);
    expect(config.logFormat).toBe('text');
    expect(config.metrics).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  it('[global] over the defaults, [eth0] over [global]', () => {
    const { config } = load(FILE);
    expect(config.port.neighborPropDelayThresh).toBe(900);
    expect(config.port.initialLogSyncInterval).toBe(-2);
    expect(config.timestamping).toBe('hardware');
    expect(config.socketPath).toBe('/run/from-file.sock');
    expect(config.loggingLevel).toBe(5);
  });

  it('another interface sees [global] only', () => {
    expect(load(FILE, {}, 'eth1').config.port.initialLogSyncInterval).toBe(-3);
  });

  it('flags over the file', () => {
    const { config } = load(FILE, { timestamping: 'software', socketPath: '/tmp/flag.sock', logLevel: 'debug', logFormat: 'json', metrics: ':9100' });
    expect(config.timestamping).toBe('software');
    expect(config.socketPath).toBe('/tmp/flag.sock');
    expect(config.loggingLevel).toBe(7);
    expect(config.logFormat).toBe('json');
    expect(config.metrics).toEqual({ host: '127.0.0.1', port: 9100 });
  });

  it('time_stamping p2p1step: hardware timestamps and a one-step Pdelay responder; --timestamping replaces it', () => {
    const { config } = load(['[global]', 'time_stamping p2p1step']);
    expect(config.timestamping).toBe('hardware');
    expect(config.oneStepResponder).toBe(true);
    const { config: flagged } = load(['[global]', 'time_stamping p2p1step'], { timestamping: 'software' });
    expect(flagged.timestamping).toBe('software');
    expect(flagged.oneStepResponder).toBe(false);
    expect(load(FILE).config.oneStepResponder).toBe(false);
  });

  it('--profile chooses the defaults the file then overrides', () => {
    expect(load(undefined, { profile: 'automotive' }).config.port).toEqual(AUTOMOTIVE_DEFAULTS);
    const { config } = load(['[global]', 'operLogPdelayReqInterval 3'], { profile: 'automotive' });
    expect(config.profileSource).toBe('command line');
    expect(config.port.operLogPdelayReqInterval).toBe(3);
    // Not in the file: AUTOMOTIVE_DEFAULTS, and automotive-slave.cfg's servo values.
    expect(config.port.messageIntervalRequest).toBe(true);
    expect(config.servo.stepThresholdNs).toBe(1_000_000_000);
    expect(config.servo.offsetThresholdNs).toBe(30);
  });

  it('a port section for another interface is ignored, even with values syntonic would refuse', () => {
    const { config, warnings } = load(['[global]', 'logSyncInterval -3', '[eth1]', 'logSyncInterval 0', 'network_transport UDPv4', 'tsproc_mode raw']);
    expect(config.port.initialLogSyncInterval).toBe(-3);
    expect(warnings).toEqual([]);
  });
});

describe('profile selection', () => {
  it('the automotive signature needs all three of BMCA noop, slaveOnly 1 and asCapable true', () => {
    expect(load(['[global]', 'BMCA noop', 'slaveOnly 1', 'asCapable true']).config.profile).toBe('automotive');
    const partial = load(['[global]', 'BMCA noop', 'slaveOnly 1']);
    expect(partial.config.profile).toBe('gptp');
    expect(partial.warnings).toEqual([
      'test.cfg:2: BMCA noop is ignored: the gptp profile runs the best master selection (802.1AS-2020 10.3); the automotive profile needs BMCA noop, slaveOnly 1 and asCapable true together, or --profile automotive',
    ]);
  });

  it('--profile wins over the signature, and the contradicting BMCA line is reported', () => {
    const { config, warnings } = load(['[global]', 'BMCA noop', 'slaveOnly 1', 'asCapable true'], { profile: 'gptp' });
    expect(config.profile).toBe('gptp');
    // asCapable true is honoured in either profile (linuxptp allows it with BMCA ptp too).
    expect(config.port.asCapableAlways).toBe(true);
    expect(warnings).toEqual([
      expect.stringMatching(/^test\.cfg:2: BMCA noop is ignored: the gptp profile runs the best master selection.* \(--profile gptp\)$/),
    ]);
  });
});

describe('values as ptp4l means them', () => {
  it('thresholds in seconds become ns; pi constants of 0.0 mean "the default"', () => {
    const { config } = load([
      '[global]',
      'step_threshold 0.5',
      'first_step_threshold 0.000001',
      'pi_proportional_const 0.0',
      'pi_integral_const 0.0',
      'pi_proportional_exponent -0.2',
      'max_frequency 0',
      'sanity_freq_limit 0',
      'servo_offset_threshold 100',
      'servo_num_offset_values 4',
      'clock_servo linreg',
    ]);
    expect(config.servo).toEqual({
      servo: 'linreg',
      // only the exponent was set to something other than "default"
      piOverrides: { kpExponent: -0.2 },
      stepThresholdNs: 500_000_000,
      firstStepThresholdNs: 1_000,
      // max_frequency 0: the clock's own limit, so no servo clamp is set
      sanityFreqLimitPpb: 0,
      offsetThresholdNs: 100,
      numOffsetValues: 4,
      status: { offsetRmsThresholdNs: 1000 },
      errorBound: { wanderPpbPerS: 20 },
    });
  });

  it('fixed PI gains need both constants, as in ptp4l', () => {
    expect(load(['[global]', 'pi_proportional_const 0.5', 'pi_integral_const 0.25']).config.servo.piOverrides).toEqual({ kpConst: 0.5, kiConst: 0.25 });
    const single = load(['[global]', 'pi_proportional_const 0.5']);
    expect(single.warnings).toEqual([
      'test.cfg:2: pi_proportional_const applies only with both pi_proportional_const and pi_integral_const non-zero (as in ptp4l): ignored',
    ]);
  });

  it('kalman_frequency_wander (ppb/√s) reaches the servo; unset, the timestamping mode keeps its own', () => {
    expect(load(['[global]', 'kalman_frequency_wander 0.5']).config.servo.kalmanFrequencyWanderPpbPerSqrtS).toBe(0.5);
    expect(load(['[global]', 'clock_servo kalman']).config.servo.kalmanFrequencyWanderPpbPerSqrtS).toBeUndefined();
  });

  it('kalman_frequency_wander beside another servo is ignored with a warning that says why', () => {
    const { config, warnings } = load(['[global]', 'clock_servo pi', 'kalman_frequency_wander 2']);
    expect(warnings).toEqual(['test.cfg:3: kalman_frequency_wander applies only with clock_servo kalman, not pi: ignored']);
    expect(config.servo.servo).toBe('pi');
  });

  it('kalman_frequency_wander without clock_servo: ignored with a warning once the timestamps choose the PI', () => {
    const { config, warnings } = load(['[global]', 'kalman_frequency_wander 2']);
    expect(warnings).toEqual([]);
    expect(unusedKalmanWander(config.servo, 'software')).toBeUndefined();
    expect(unusedKalmanWander(config.servo, 'hardware')).toBe(
      'kalman_frequency_wander applies only with clock_servo kalman, and hardware timestamps run pi (clock_servo unset): ignored',
    );
    expect(unusedKalmanWander(load(['[global]', 'clock_servo kalman', 'kalman_frequency_wander 2']).config.servo, 'hardware')).toBeUndefined();
  });

  it('the walk is learned where the Kalman servo runs and kalman_frequency_wander does not say it', () => {
    const learns = (lines: string[], timestamping: 'software' | 'hardware'): boolean => learnsOscillatorWander({ ...load(lines).config.servo, timestamping });
    expect(learns(['[global]'], 'software')).toBe(true);
    expect(learns(['[global]'], 'hardware')).toBe(false);
    expect(learns(['[global]', 'clock_servo kalman'], 'hardware')).toBe(true);
    expect(learns(['[global]', 'kalman_frequency_wander 2'], 'software')).toBe(false);
  });

  it('kalman_wander_file: an absolute path reaches the daemon; a relative one is refused, naming the option', () => {
    expect(load(['[global]', 'kalman_wander_file /var/lib/syntonic/wander.json']).config.wanderFile).toBe('/var/lib/syntonic/wander.json');
    expect(load(['[global]']).config.wanderFile).toBeUndefined();
    expect(() => load(['[global]', 'kalman_wander_file wander.json'])).toThrow('test.cfg:2: kalman_wander_file must be an absolute path, got "wander.json"');
  });

  it("error_bound_wander (ppb/s) and error_bound_asymmetry (ns) reach the error bound; unset, 20 ppb/s and the link's own", () => {
    expect(load(['[global]']).config.servo.errorBound).toEqual({ wanderPpbPerS: 20 });
    expect(load(['[global]', 'error_bound_wander 0.5', 'error_bound_asymmetry 250']).config.servo.errorBound).toEqual({ wanderPpbPerS: 0.5, asymmetryNs: 250 });
    expect(() => load(['[global]', 'error_bound_asymmetry -1'])).toThrow('test.cfg:2: -1 is out of range for error_bound_asymmetry');
  });

  it("synchronized_offset_rms (ns) sets the status's threshold; unset, 1 µs; 0 refused, naming the option and its range", () => {
    expect(load(['[global]']).config.servo.status).toEqual({ offsetRmsThresholdNs: 1000 });
    expect(load(['[global]', 'synchronized_offset_rms 5000']).config.servo.status).toEqual({ offsetRmsThresholdNs: 5000 });
    expect(() => load(['[global]', 'synchronized_offset_rms 0'])).toThrow('test.cfg:2: 0 is out of range for synchronized_offset_rms: expected a number > 0');
  });

  it('kalman_frequency_wander 0 would freeze the frequency: refused, naming the option and its range', () => {
    expect(() => load(['[global]', 'kalman_frequency_wander 0'])).toThrow(
      'test.cfg:2: 0 is out of range for kalman_frequency_wander: expected a number > 0 and ≤ 1000',
    );
  });

  it('integers in hex and octal as strtol base 0; enumerations case-insensitive', () => {
    expect(load(['[global]', 'domainNumber 0x10']).config.port.domainNumber).toBe(16);
    expect(load(['[global]', 'domainNumber 010']).config.port.domainNumber).toBe(8);
    expect(load(['[global]', 'time_stamping SOFTWARE']).config.timestamping).toBe('software');
  });

  it('freq_est_interval (log2 s) becomes 2^(freq_est_interval − logMinPdelayReqInterval) Pdelay exchanges', () => {
    // 2^(3 − 0) = 8 exchanges; 2^(1 − 0) = 2; with Pdelay every 2 s (1), 2^(0 − 1) → at least 1.
    expect(load(['[global]', 'freq_est_interval 3']).config.port.neighborRateRatioWindow).toBe(8);
    expect(load(['[global]', 'freq_est_interval 1']).config.port.neighborRateRatioWindow).toBe(2);
    expect(load(['[global]', 'freq_est_interval 0', 'logMinPdelayReqInterval 1']).config.port.neighborRateRatioWindow).toBe(1);
  });

  it('free_running is honoured; the deprecated pi_offset_const is read as step_threshold', () => {
    const { config, warnings } = load(['[global]', 'free_running 1', 'pi_offset_const 0.002']);
    expect(config.freeRunning).toBe(true);
    expect(config.servo.stepThresholdNs).toBe(2_000_000);
    expect(warnings).toEqual(['test.cfg:3: option pi_offset_const is deprecated: read as step_threshold (as ptp4l does)']);
  });
});

describe('warnings for what syntonic knows but does not use', () => {
  it('uds_address opens the management socket for pmc, beside (not instead of) the provider socket', () => {
    const { config, warnings } = load(['[global]', 'uds_address /var/run/ptp4l']);
    expect(config.udsAddress).toBe('/var/run/ptp4l');
    expect(config.socketPath).toBe('/run/syntonic/syntonic.sock');
    expect(warnings).toEqual([]);
    expect(load(['[global]']).config.udsAddress).toBeUndefined();
  });

  it('uds_address longer than a socket path can be is refused, naming the option', () => {
    expect(() => load(['[global]', `uds_address /tmp/${'x'.repeat(120)}`])).toThrow(/uds_address/);
  });

  it('an ignored option set to what syntonic does anyway is not worth a warning', () => {
    expect(load(['[global]', 'use_syslog 0', 'kernel_leap 0']).warnings).toEqual([]);
    expect(load(['[global]', 'use_syslog 1']).warnings).toEqual([
      "test.cfg:2: known linuxptp option 'use_syslog' is not used by syntonic (ignored): syntonic logs to standard output and standard error (journald collects both)",
    ]);
  });

  it('grandmaster attributes only matter when the file would let ptp4l become grandmaster', () => {
    expect(load(['[global]', 'slaveOnly 1', 'priority1 248', 'gmCapable 1']).warnings).toEqual([]);
    expect(load(['[global]', 'priority1 255']).warnings).toEqual([]);
    expect(load(['[global]', 'priority1 100']).warnings).toEqual([
      'test.cfg:2: syntonic never becomes grandmaster: it is a slave-only end station, whatever gmCapable 1 and priority1 100 say (set slaveOnly 1 to say so)',
    ]);
  });

  it('a repeated option: the later value wins, and the repetition is pointed out', () => {
    const { config, warnings } = load(['[global]', 'logSyncInterval -3', 'logSyncInterval 0']);
    expect(config.port.initialLogSyncInterval).toBe(0);
    expect(warnings).toEqual(['test.cfg:3: logSyncInterval is set again in [global] (first at line 2): the later value 0 wins']);
  });

  it('transportSpecific other than 1 is honoured but warned about', () => {
    const { config, warnings } = load(['[global]', 'transportSpecific 0x0']);
    expect(config.port.majorSdoId).toBe(0);
    expect(warnings).toEqual([expect.stringMatching(/^test\.cfg:2: transportSpecific 0x0 makes majorSdoId 0, but gPTP is majorSdoId 1/)]);
  });
});

describe('--metrics HOST:PORT', () => {
  it.each([
    ['9100', '127.0.0.1', 9100],
    [':9100', '127.0.0.1', 9100],
    ['0.0.0.0:9200', '0.0.0.0', 9200],
    ['[::1]:9100', '::1', 9100],
    ['metrics.local:80', 'metrics.local', 80],
  ])('%s → %s port %d', (raw, host, port) => {
    expect(parseMetricsEndpoint(raw)).toEqual({ ok: true, value: { host, port } });
  });

  it.each(['', ':', 'host:', '9100x', 'host:0', 'a b:9100', '::1:9100'])('refuses %j', (raw) => {
    expect(parseMetricsEndpoint(raw).ok).toBe(false);
  });
});

describe('provider socket access', () => {
  it('takes the socket mode as a C integer (0640 is octal) and the group by name or gid', () => {
    const byName = loadDaemonConfig({ text: '[global]\nprovider_socket_mode 0640\nprovider_group timing\n', interfaceName: 'eth0', overrides: {} }).config;
    expect(byName.socketMode).toBe(0o640);
    expect(byName.socketGroup).toBe('timing');
    const byGid = loadDaemonConfig({ text: '[global]\nprovider_group 44\n', interfaceName: 'eth0', overrides: {} }).config;
    expect(byGid.socketGroup).toBe(44);
    expect(byGid.socketMode).toBeUndefined();
  });

  it('refuses a mode beyond 0777', () => {
    expect(() => loadDaemonConfig({ text: '[global]\nprovider_socket_mode 01000\n', interfaceName: 'eth0', overrides: {} })).toThrow(/provider_socket_mode/);
  });
});

describe('time page (time_page, --time-page)', () => {
  it('defaults to /run/syntonic/time.page, not required: a daemon that cannot make it still serves', () => {
    expect(load(undefined).config.timePage).toEqual({ path: '/run/syntonic/time.page', required: false });
  });

  it('a configured path is required; the flag wins over the file; none turns the page off', () => {
    expect(load(['[global]', 'time_page /run/lab/time.page']).config.timePage).toEqual({ path: '/run/lab/time.page', required: true });
    expect(load(['[global]', 'time_page /run/lab/time.page'], { timePage: '/tmp/t.page' }).config.timePage).toEqual({ path: '/tmp/t.page', required: true });
    expect(load(['[global]', 'time_page none']).config.timePage).toBeNull();
    expect(load(['[global]', 'time_page /run/lab/time.page'], { timePage: 'none' }).config.timePage).toBeNull();
  });

  it('refuses a relative path, naming the line or the flag', () => {
    expect(() => load(['[global]', 'time_page time.page'])).toThrow("test.cfg:2: time_page: 'time.page' is neither an absolute path (without blanks) nor none");
    expect(() => load(undefined, { timePage: 'here.page' })).toThrow("--time-page: 'here.page' is neither an absolute path (without blanks) nor none");
  });
});
