import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadDaemonConfig } from '../../../src/cli/config/daemonConfig.js';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));
const LINUXPTP = here('../../data/linuxptp-3.1.1/');
const SHIPPED = here('../../../configs/');

describe("linuxptp 3.1.1's example configurations load as they are", () => {
  it('gPTP.cfg: a gptp slave with 125 ms Sync, 800 ns delay threshold and majorSdoId 1', () => {
    const file = `${LINUXPTP}gPTP.cfg`;
    const { config, warnings } = loadDaemonConfig({ file, interfaceName: 'eth0', overrides: {} });

    expect(config.profile).toBe('gptp');
    expect(config.configFile).toBe(file);
    // logSyncInterval -3, logAnnounceInterval 0, syncReceiptTimeout 3 (lines 10–12)
    expect(config.port.initialLogSyncInterval).toBe(-3);
    expect(config.port.initialLogAnnounceInterval).toBe(0);
    expect(config.port.syncReceiptTimeout).toBe(3);
    // neighborPropDelayThresh 800, min_neighbor_prop_delay -20000000 (lines 13–14)
    expect(config.port.neighborPropDelayThresh).toBe(800);
    expect(config.port.minNeighborPropDelay).toBe(-20_000_000);
    // transportSpecific 0x1 (line 18) is hex
    expect(config.port.majorSdoId).toBe(1);
    expect(config.port.asCapableAlways).toBe(false);
    expect(config.port.messageIntervalRequest).toBe(false);
    // No servo options in the file: ptp4l's defaults, first_step_threshold 0.00002 s = 20 000 ns; no
    // clock_servo, so the timestamping mode chooses (kalman for software, pi for hardware).
    expect(config.servo.servo).toBeUndefined();
    expect(config.servo.stepThresholdNs).toBe(0);
    expect(config.servo.firstStepThresholdNs).toBe(20_000);
    expect(config.servo.piOverrides).toBeUndefined();
    // Nothing says how to timestamp or which clock: auto, and nothing touched.
    expect(config.timestamping).toBe('auto');
    expect(config.clock).toBe('virtual');

    // gmCapable 1 + priority1 248 without slaveOnly 1 (line 7), and assume_two_step 1 (line 15), in line order.
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/gPTP\.cfg:7: syntonic never becomes grandmaster.*gmCapable 1 and priority1 248/);
    expect(warnings[1]).toMatch(/gPTP\.cfg:15: known linuxptp option 'assume_two_step' is not used by syntonic \(ignored\)/);
  });

  it('automotive-slave.cfg: the automotive profile with its operational intervals and a 1 s step threshold', () => {
    const file = `${LINUXPTP}automotive-slave.cfg`;
    const { config, warnings } = loadDaemonConfig({ file, interfaceName: 'eth0', overrides: {} });

    // BMCA noop (27) + slaveOnly 1 (28) + asCapable true (30) is the automotive signature.
    expect(config.profile).toBe('automotive');
    expect(config.profileSource).toBe('configuration file');
    expect(config.port.profile).toBe('automotive');
    expect(config.port.asCapableAlways).toBe(true);
    expect(config.port.initialLogSyncInterval).toBe(-3);
    expect(config.port.operLogSyncInterval).toBe(0);
    expect(config.port.operLogPdelayReqInterval).toBe(2);
    expect(config.port.messageIntervalRequest).toBe(true);
    expect(config.port.neighborPropDelayThresh).toBe(800);
    // step_threshold 1 (line 33) is in seconds: 1 s = 1e9 ns.
    expect(config.servo.stepThresholdNs).toBe(1_000_000_000);
    expect(config.servo.offsetThresholdNs).toBe(30);
    expect(config.servo.numOffsetValues).toBe(10);

    // slaveOnly 1: no grandmaster warning; ignore_source_id 1 is what the automotive profile does;
    // inhibit_announce, path_trace_enabled, follow_up_info only shape what a master sends.
    expect(warnings).toEqual([expect.stringMatching(/automotive-slave\.cfg:17: known linuxptp option 'assume_two_step'/)]);
  });
});

describe("linuxptp 4.4's example configurations load as they are (clientOnly, 4.x's name of slaveOnly)", () => {
  const LINUXPTP_4 = here('../../data/linuxptp-4.4/');

  it('automotive-slave.cfg: clientOnly 1 (line 28) with BMCA noop and asCapable true is the automotive signature', () => {
    const file = `${LINUXPTP_4}automotive-slave.cfg`;
    const { config, warnings } = loadDaemonConfig({ file, interfaceName: 'eth0', overrides: {} });
    expect(config.profile).toBe('automotive');
    expect(config.profileSource).toBe('configuration file');
    expect(config.port.asCapableAlways).toBe(true);
    expect(config.port.operLogSyncInterval).toBe(0);
    expect(config.port.operLogPdelayReqInterval).toBe(2);
    expect(config.port.messageIntervalRequest).toBe(true);
    expect(config.servo.stepThresholdNs).toBe(1_000_000_000);
    expect(config.servo.offsetThresholdNs).toBe(30);
    expect(config.servo.numOffsetValues).toBe(10);
    expect(warnings).toEqual([expect.stringMatching(/automotive-slave\.cfg:17: known linuxptp option 'assume_two_step'/)]);
  });

  it("gPTP.cfg: the same effective options and warnings as 3.1.1's", () => {
    const four = loadDaemonConfig({ file: `${LINUXPTP_4}gPTP.cfg`, interfaceName: 'eth0', overrides: {} });
    const three = loadDaemonConfig({ file: `${LINUXPTP}gPTP.cfg`, interfaceName: 'eth0', overrides: {} });
    expect(four.config.port).toEqual(three.config.port);
    expect(four.config.servo).toEqual(three.config.servo);
    expect(four.config.profile).toBe('gptp');
    expect(four.warnings.map((w) => w.replace(/^.*gPTP\.cfg:/, ''))).toEqual(three.warnings.map((w) => w.replace(/^.*gPTP\.cfg:/, '')));
  });

  const load = (lines: string[]): ReturnType<typeof loadDaemonConfig> =>
    loadDaemonConfig({ file: 'four.cfg', text: ['[global]', ...lines].join('\n'), interfaceName: 'eth0', overrides: {} });

  it('clientOnly 1 says slaveOnly 1 (no grandmaster warning); serverOnly 1 is refused with the reason', () => {
    expect(load(['gmCapable 1', 'priority1 248', 'clientOnly 1']).warnings).toEqual([]);
    expect(() => load(['serverOnly 1'])).toThrow('four.cfg:2: serverOnly 1: syntonic is a slave-only end station (a client): serverOnly must be 0');
    expect(load(['serverOnly 0']).warnings).toEqual([]);
    expect(load(['slaveOnly 0', 'clientOnly 1']).warnings).toEqual([
      'four.cfg:3: clientOnly is set again in [global] (first at line 2 as slaveOnly): the later value 1 wins',
    ]);
  });

  it("4.x's new options are known: refclock_sock_address is read, spp other than -1 is refused, the rest load", () => {
    const refclock = load(['refclock_sock_address /var/run/refclock.ptp.sock']);
    expect(refclock.warnings).toEqual([]);
    expect(refclock.config.refclock?.address).toBe('/var/run/refclock.ptp.sock');
    expect(() => load(['[eth0]', 'spp 3'])).toThrow(/four\.cfg:3: spp 3: syntonic does not check PTP authentication TLVs/);
    expect(
      load([
        'ptp_minor_version 1',
        'step_window 0',
        'phc_index -1',
        'uds_file_mode 0660',
        'power_profile.version 2011',
        'cmlds.port 0',
        'ts2phc.tod_source generic',
      ]).warnings,
    ).toEqual([]);
    // uds_address opens a management socket (0660); there is no read-only one
    expect(load(['uds_file_mode 0666', 'uds_ro_address /var/run/ptp4lro']).warnings).toEqual([
      expect.stringMatching(/^four\.cfg:2: known linuxptp option 'uds_file_mode' is not used/),
      expect.stringMatching(
        /^four\.cfg:3: known linuxptp option 'uds_ro_address' is not used by syntonic \(ignored\): syntonic opens no read-only management socket/,
      ),
    ]);
    expect(load(['step_window 48']).warnings).toEqual([expect.stringMatching(/four\.cfg:2: known linuxptp option 'step_window' is not used/)]);
    expect(() => load(['delay_mechanism COMMON_P2P'])).toThrow(/four\.cfg:2: delay_mechanism COMMON_P2P: .*delay_mechanism must be P2P/);
  });
});

describe("syntonic's shipped configurations", () => {
  it.each(['gPTP.cfg', 'gPTP-software.cfg', 'automotive-slave.cfg'])('%s loads without a warning', (name) => {
    const { warnings } = loadDaemonConfig({ file: `${SHIPPED}${name}`, interfaceName: 'eth0', overrides: {} });
    expect(warnings).toEqual([]);
  });

  it("gPTP.cfg keeps 802.1AS's 800 ns threshold; gPTP-software.cfg raises it to 10 ms and asks for software timestamps", () => {
    const hardware = loadDaemonConfig({ file: `${SHIPPED}gPTP.cfg`, interfaceName: 'eth0', overrides: {} }).config;
    const software = loadDaemonConfig({ file: `${SHIPPED}gPTP-software.cfg`, interfaceName: 'veth0', overrides: {} }).config;
    expect(hardware.profile).toBe('gptp');
    expect(hardware.port.neighborPropDelayThresh).toBe(800);
    expect(hardware.timestamping).toBe('auto');
    expect(software.profile).toBe('gptp');
    expect(software.port.neighborPropDelayThresh).toBe(10_000_000);
    expect(software.timestamping).toBe('software');
    expect(software.clock).toBe('virtual');
  });

  it("automotive-slave.cfg selects the automotive profile with the same values as linuxptp's", () => {
    const ours = loadDaemonConfig({ file: `${SHIPPED}automotive-slave.cfg`, interfaceName: 'eth0', overrides: {} }).config;
    const theirs = loadDaemonConfig({ file: `${LINUXPTP}automotive-slave.cfg`, interfaceName: 'eth0', overrides: {} }).config;
    expect(ours.profile).toBe('automotive');
    expect(ours.port).toEqual(theirs.port);
    // Ours names its servo (clock_servo pi, the default for the hardware timestamps the profile is for).
    expect(ours.servo).toEqual({ ...theirs.servo, servo: 'pi' });
  });

  it('has full-line comments only: no line carries a value followed by #', () => {
    for (const name of ['gPTP.cfg', 'gPTP-software.cfg', 'automotive-slave.cfg']) {
      const settings = readFileSync(`${SHIPPED}${name}`, 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '' && !line.trim().startsWith('#'));
      expect(settings.filter((line) => line.includes('#'))).toEqual([]);
    }
  });
});
