/**
 * The interop lab's readings of ptp4l and Syntonic log lines, its ptp4l config writer, and its
 * figures: pure functions, checked against lines as ptp4l 3.1.1 and `syntonic run` print them.
 */
import { describe, expect, it } from 'vitest';
import { messageOf, parseAsCapableChange, parseOffsetSample, parsePortStateChange, parseStatusChange } from '../../../conformance/lab/logLines.js';
import { masterOffsetLine } from '../../../src/cli/daemon/log.js';
import { ptp4lConfigText, withGlobalOptions } from '../../../conformance/lab/ptp4l.js';
import { quantile, seriesFigures } from '../../../conformance/lab/stats.js';
import { splitWholeSeconds } from '../../../conformance/lab/trueErrorProbe.js';

describe('master offset lines', () => {
  it('reads a ptp4l free-running slave line (sign glued to the number)', () => {
    expect(parseOffsetSample('ptp4l[2205.699]: master offset        144 s0 freq    -187 path delay       758', 5)).toEqual({
      atMs: 5,
      offsetNs: 144,
      servoState: 's0',
      frequencyPpb: -187,
      pathDelayNs: 758,
    });
  });

  it("reads Syntonic's text line (sign, then padding, then the number)", () => {
    expect(parseOffsetSample('syntonic[1929.558]: master offset       -521 s2 freq    +228 path delay      1753', 0)).toMatchObject({
      offsetNs: -521,
      servoState: 's2',
      frequencyPpb: 228,
      pathDelayNs: 1753,
    });
  });

  it("takes the unrounded numbers of Syntonic's JSON line", () => {
    const line = JSON.stringify({
      level: 30,
      program: 'syntonic',
      offsetNs: -520.75,
      servoState: 's2',
      frequencyPpb: 227.5,
      pathDelayNs: 1752.9,
      msg: 'master offset       -521 s2 freq    +228 path delay      1753',
    });
    expect(parseOffsetSample(line, 0)).toMatchObject({ offsetNs: -520.75, frequencyPpb: 227.5, pathDelayNs: 1752.9 });
  });

  it("reads the rateRatio of Syntonic's JSON line, and its σ and span when the engine measured them", () => {
    const line = (extra: Record<string, number>): string =>
      JSON.stringify({ level: 30, offsetNs: -520.75, pathDelayNs: 1752.9, ...extra, msg: 'master offset       -521 s2 freq    +228 path delay      1753' });
    expect(parseOffsetSample(line({ rateRatio: 1.000000031, rateRatioSigma: 4.2e-8, rateRatioSpanS: 8.004 }), 0)).toMatchObject({
      rateRatio: 1.000000031,
      rateRatioSigma: 4.2e-8,
      rateRatioSpanS: 8.004,
    });
    const unmeasured = parseOffsetSample(line({ rateRatio: 1 }), 0);
    expect(unmeasured).toMatchObject({ rateRatio: 1 });
    expect(unmeasured).not.toHaveProperty('rateRatioSigma');
    expect(unmeasured).not.toHaveProperty('rateRatioSpanS');
    expect(parseOffsetSample('syntonic[1929.558]: master offset       -521 s2 freq    +228 path delay      1753', 0)).not.toHaveProperty('rateRatio');
  });

  it("reads an offset Syntonic's servo left out, and why, from the line the daemon writes", () => {
    const line = `syntonic[1929.683]: ${masterOffsetLine(31_250, 's2', 228, 1753, 'offset outlier')}`;
    expect(parseOffsetSample(line, 0)).toMatchObject({ offsetNs: 31_250, servoState: 's2', pathDelayNs: 1753, notUsed: 'offset outlier' });
    expect(parseOffsetSample(`syntonic[1929.808]: ${masterOffsetLine(-521, 's2', 228, 1753)}`, 0)).not.toHaveProperty('notUsed');
  });

  it('ignores other lines', () => {
    expect(parseOffsetSample('ptp4l[1929.431]: port 1: assuming the grand master role', 0)).toBeUndefined();
    expect(parseOffsetSample('syntonic[1.0]: rms 12 max 20 freq +3 +/- 1 delay 1700 +/- 10', 0)).toBeUndefined();
  });
});

describe('state lines', () => {
  it("reads ptp4l's port state change with its event", () => {
    expect(parsePortStateChange('ptp4l[1929.431]: port 1: LISTENING to MASTER on ANNOUNCE_RECEIPT_TIMEOUT_EXPIRES', 7)).toEqual({
      atMs: 7,
      port: 1,
      from: 'LISTENING',
      to: 'MASTER',
      why: 'ANNOUNCE_RECEIPT_TIMEOUT_EXPIRES',
    });
  });

  it("reads Syntonic's port state change with its reason", () => {
    expect(parsePortStateChange('syntonic[1929.432]: port 1 (slmb): LISTENING to SLAVE: master 82e40f.fffe.3db2db-1 selected', 0)).toMatchObject({
      port: 1,
      from: 'LISTENING',
      to: 'SLAVE',
      why: 'master 82e40f.fffe.3db2db-1 selected',
    });
  });

  it('reads status and asCapable changes, text or JSON', () => {
    expect(parseStatusChange('syntonic[1930.435]: status unstable to synchronized: Servo locked (s2).', 1)).toEqual({
      atMs: 1,
      from: 'unstable',
      to: 'synchronized',
      reason: 'Servo locked (s2).',
    });
    const json = JSON.stringify({ level: 40, msg: 'port 1 (x): asCapable false: meanLinkDelay 1.55 µs exceeds neighborPropDelayThresh 800 ns' });
    expect(parseAsCapableChange(json, 2)).toEqual({ atMs: 2, asCapable: false, reason: 'meanLinkDelay 1.55 µs exceeds neighborPropDelayThresh 800 ns' });
  });

  it('strips the program prefix, or takes msg from JSON', () => {
    expect(messageOf('ptp4l[1.5]: selected local clock 82e40f.fffe.3db2db as best master').message).toBe(
      'selected local clock 82e40f.fffe.3db2db as best master',
    );
    expect(messageOf('{"msg":"hello","x":1}')).toEqual({ message: 'hello', fields: { msg: 'hello', x: 1 } });
    expect(messageOf('{not json').message).toBe('{not json');
  });
});

describe('ptp4l configs', () => {
  it('replaces an option in place and appends the missing ones, comments untouched', () => {
    const text = '# comment\n[global]\npriority1\t\t248\nlogSyncInterval\t\t-3\n';
    expect(withGlobalOptions(text, { priority1: 246, free_running: 1 })).toBe(
      '# comment\n[global]\npriority1\t\t246\nlogSyncInterval\t\t-3\nfree_running\t\t1\n',
    );
  });

  it('refuses values that would become inline comments or new lines', () => {
    expect(() => withGlobalOptions('[global]\n', { priority1: '246 # best' })).toThrow(RangeError);
    expect(() => withGlobalOptions('[global]\n', { uds_address: 'a\nfree_running 0' })).toThrow(RangeError);
  });

  it('makes a grandmaster free-running, never a clock adjuster, with its own UDS and a software-timestamp threshold', () => {
    const text = ptp4lConfigText({ name: 'gm', namespace: 'n', interfaces: ['i'], role: 'grandmaster' }, '/tmp/x/uds');
    const options = new Map(
      text
        .split('\n')
        .filter((l) => /^[A-Za-z]/.test(l))
        .map((l) => l.split(/\s+/) as [string, string]),
    );
    expect(options.get('priority1')).toBe('246');
    expect(options.get('free_running')).toBe('1');
    expect(options.get('kernel_leap')).toBe('0');
    expect(options.get('uds_address')).toBe('/tmp/x/uds');
    expect(options.get('neighborPropDelayThresh')).toBe('10000000');
    expect(options.get('time_stamping')).toBe('software');
    expect(text).not.toMatch(/^\S+\s+\S+\s+#/m);
  });

  it('makes a slave print an offset per estimate and never take the grandmaster role', () => {
    const text = ptp4lConfigText({ name: 's', namespace: 'n', interfaces: ['i'], role: 'freeRunningSlave' }, '/tmp/y/uds');
    for (const line of ['slaveOnly\t\t1', 'freq_est_interval\t\t0', 'summary_interval\t\t-3', 'free_running\t\t1', 'kernel_leap\t\t0'])
      expect(text).toContain(line);
  });
});

describe('figures', () => {
  it('nearest-rank quantiles', () => {
    const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(quantile(sorted, 0.5)).toBe(5);
    expect(quantile(sorted, 0.99)).toBe(10);
    expect(quantile(sorted, 0)).toBe(1);
    expect(quantile([], 0.5)).toBeNaN();
  });

  it('rms, max and percentiles of |value| over signed values', () => {
    const f = seriesFigures([3, -4, 0, 5]);
    expect(f.count).toBe(4);
    expect(f.mean).toBe(1);
    expect(f.rms).toBeCloseTo(Math.sqrt((9 + 16 + 0 + 25) / 4), 12);
    expect(f.maxAbs).toBe(5);
    expect(f.median).toBe(0);
    expect(f.medianAbs).toBe(3);
    expect(f.p99Abs).toBe(5);
  });

  it('splits a whole-seconds timescale offset from the error', () => {
    expect(splitWholeSeconds(37_000_000_250)).toEqual({ wholeSeconds: 37, errorNs: 250 });
    expect(splitWholeSeconds(-37_000_000_250)).toEqual({ wholeSeconds: -37, errorNs: -250 });
    expect(splitWholeSeconds(-480)).toEqual({ wholeSeconds: 0, errorNs: -480 });
  });
});
