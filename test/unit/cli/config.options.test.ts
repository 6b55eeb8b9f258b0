import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeType, parseValue } from '../../../src/cli/config/optionValue.js';
import { findOption, OPTIONS, READ_OPTIONS } from '../../../src/cli/config/options.js';
import { withOptionTables } from '../../../src/cli/config/optionsDoc.js';
import { PORT_CONFIG_RANGES, validatePortConfig, AUTOMOTIVE_DEFAULTS, GPTP_DEFAULTS } from '../../../src/protocol/portConfig.js';

/** The option names of linuxptp 3.1.1's configs/default.cfg (`grep -v '^#' default.cfg`). */
const DEFAULT_CFG_OPTIONS = `twoStepFlag slaveOnly socket_priority priority1 priority2 domainNumber clockClass clockAccuracy
  offsetScaledLogVariance free_running freq_est_interval dscp_event dscp_general dataset_comparison
  G.8275.defaultDS.localPriority maxStepsRemoved logAnnounceInterval logSyncInterval operLogSyncInterval
  logMinDelayReqInterval logMinPdelayReqInterval operLogPdelayReqInterval announceReceiptTimeout
  syncReceiptTimeout delayAsymmetry fault_reset_interval neighborPropDelayThresh masterOnly
  G.8275.portDS.localPriority asCapable BMCA inhibit_announce inhibit_delay_req ignore_source_id
  assume_two_step logging_level path_trace_enabled follow_up_info hybrid_e2e inhibit_multicast_service
  net_sync_monitor tc_spanning_tree tx_timestamp_timeout unicast_listen unicast_master_table
  unicast_req_duration use_syslog verbose summary_interval kernel_leap check_fup_sync pi_proportional_const
  pi_integral_const pi_proportional_scale pi_proportional_exponent pi_proportional_norm_max
  pi_integral_scale pi_integral_exponent pi_integral_norm_max step_threshold first_step_threshold
  max_frequency clock_servo sanity_freq_limit ntpshm_segment msg_interval_request servo_num_offset_values
  servo_offset_threshold write_phase_mode transportSpecific ptp_dst_mac p2p_dst_mac udp_ttl udp6_scope
  uds_address clock_type network_transport delay_mechanism time_stamping tsproc_mode delay_filter
  delay_filter_length egressLatency ingressLatency boundary_clock_jbod productDescription revisionData
  manufacturerIdentity userDescription timeSource`.split(/\s+/);

describe('the option table', () => {
  it('knows every option of default.cfg, plus gmCapable and min_neighbor_prop_delay', () => {
    expect(DEFAULT_CFG_OPTIONS).toHaveLength(90);
    const unknown = [...DEFAULT_CFG_OPTIONS, 'gmCapable', 'min_neighbor_prop_delay'].filter((name) => findOption(name) === undefined);
    expect(unknown).toEqual([]);
  });

  it("keeps ptp4l's scopes: clock-wide options in [global] only, port options in either", () => {
    expect(['priority1', 'domainNumber', 'time_stamping', 'step_threshold', 'slaveOnly', 'uds_address'].map((n) => findOption(n)?.scope)).toEqual(
      Array(6).fill('global'),
    );
    expect(['logSyncInterval', 'network_transport', 'BMCA', 'asCapable', 'neighborPropDelayThresh', 'masterOnly'].map((n) => findOption(n)?.scope)).toEqual(
      Array(6).fill('port'),
    );
  });

  it('names are case-sensitive, as in ptp4l', () => {
    expect(findOption('domainNumber')).toBeDefined();
    expect(findOption('domainnumber')).toBeUndefined();
  });

  it("docs/configuration.md's option tables are exactly what the table renders (run `npm run docs:options` after a change)", () => {
    const doc = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');
    expect(withOptionTables(doc)).toBe(doc);
  });

  it("a PortConfig option's file range never admits what the engine refuses, except where the doc names the narrower engine range", () => {
    const narrower: string[] = [];
    for (const { name, type, use } of READ_OPTIONS) {
      if (use.sets.into !== 'port' || type.kind !== 'int') continue;
      const range = (PORT_CONFIG_RANGES as Record<string, readonly [number, number]>)[use.sets.field];
      if (range === undefined) continue;
      // the file refuses what the engine refuses at the low or high end, or the doc names it
      if (type.min < range[0] || type.max > range[1]) narrower.push(name);
    }
    // ptp4l accepts these wider; the engine refuses the rest with its reason (docs: "Options Syntonic reads")
    expect(narrower.sort()).toEqual([
      'delay_filter_length',
      'logAnnounceInterval',
      'logMinPdelayReqInterval',
      'logSyncInterval',
      'operLogPdelayReqInterval',
      'operLogSyncInterval',
      'syncReceiptTimeout',
    ]);
    expect(findOption('domainNumber')?.type).toEqual({ kind: 'int', min: PORT_CONFIG_RANGES.domainNumber[0], max: PORT_CONFIG_RANGES.domainNumber[1] });
    expect(validatePortConfig(GPTP_DEFAULTS)).toEqual([]);
    expect(validatePortConfig(AUTOMOTIVE_DEFAULTS)).toEqual([]);
  });

  it('every option is documented in docs/configuration.md', () => {
    const doc = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');
    expect(OPTIONS.filter((o) => !doc.includes(`\`${o.name}\``)).map((o) => o.name)).toEqual([]);
  });
});

describe('values parsed as ptp4l parses them', () => {
  const int0to255 = { kind: 'int', min: 0, max: 255 } as const;

  it('integers as strtol base 0: decimal, 0x hex, leading-0 octal; nothing after the number', () => {
    expect(parseValue(int0to255, '248')).toEqual({ ok: true, value: 248 });
    expect(parseValue(int0to255, '0xFE')).toEqual({ ok: true, value: 254 });
    expect(parseValue(int0to255, '0377')).toEqual({ ok: true, value: 255 });
    expect(parseValue(int0to255, '+7')).toEqual({ ok: true, value: 7 });
    expect(parseValue(int0to255, '08')).toEqual({ ok: false, problem: 'malformed' });
    expect(parseValue(int0to255, '0x')).toEqual({ ok: false, problem: 'malformed' });
    expect(parseValue(int0to255, '1.0')).toEqual({ ok: false, problem: 'malformed' });
    expect(parseValue(int0to255, '256')).toEqual({ ok: false, problem: 'outOfRange' });
    expect(parseValue(int0to255, '99999999999999999999999')).toEqual({ ok: false, problem: 'outOfRange' });
  });

  it('numbers as strtod, without inf and nan', () => {
    const seconds = { kind: 'float', min: 0, max: Number.MAX_VALUE } as const;
    expect(parseValue(seconds, '0.00002')).toEqual({ ok: true, value: 0.00002 });
    expect(parseValue(seconds, '2e-5')).toEqual({ ok: true, value: 0.00002 });
    expect(parseValue(seconds, '.5')).toEqual({ ok: true, value: 0.5 });
    expect(parseValue(seconds, '1')).toEqual({ ok: true, value: 1 });
    expect(parseValue(seconds, '-0.1')).toEqual({ ok: false, problem: 'outOfRange' });
    expect(parseValue(seconds, 'nan')).toEqual({ ok: false, problem: 'malformed' });
    expect(parseValue(seconds, 'inf')).toEqual({ ok: false, problem: 'malformed' });
  });

  it("enumerations case-insensitively, returned in the table's spelling; MAC addresses normalised", () => {
    expect(parseValue({ kind: 'enum', values: ['L2', 'UDPv4'] }, 'udpv4')).toEqual({ ok: true, value: 'UDPv4' });
    expect(parseValue({ kind: 'mac' }, '1:80:c2:0:0:e')).toEqual({ ok: true, value: '01:80:C2:00:00:0E' });
    expect(parseValue({ kind: 'faultInterval', min: -128, max: 127 }, 'asap')).toEqual({ ok: true, value: 'ASAP' });
  });

  it('describes the expected form in words', () => {
    expect(describeType({ kind: 'int', min: 0, max: 1 })).toBe('0 or 1');
    expect(describeType({ kind: 'int', min: -2_147_483_648, max: -1 })).toBe('an integer ≤ -1 (decimal or 0x hex)');
    expect(describeType({ kind: 'enum', values: ['ptp', 'noop'] })).toBe('ptp or noop');
  });
});
