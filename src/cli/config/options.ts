/**
 * Every option of ptp4l 3.1.1 (config.c config_tab: the options of default.cfg plus the few it does
 * not list, such as gmCapable and min_neighbor_prop_delay), with ptp4l's value type, range and
 * section scope, and what Syntonic does with it:
 *
 *  - field:   read into the daemon configuration (daemonConfig.ts);
 *  - require: Syntonic always works this way; the same value is accepted, any other is an error;
 *  - inert:   has no effect on a slave-only, peer-delay, Ethernet end station, in ptp4l either
 *             (grandmaster attributes, what only a master sends, E2E/UDP/TC settings): accepted silently;
 *  - ignore:  ptp4l would act on it and Syntonic does not: a warning, unless the value says what
 *             Syntonic does anyway (asSyntonic).
 *
 * plus a few options of Syntonic's own (syntonicOnly; ptp4l refuses a file containing them).
 */
import type { Profile } from '../../protocol/portConfig.js';
import {
  ANY_INT,
  BOOL,
  DBL_MIN,
  INT8,
  INT_MAX,
  INT_MIN,
  MAC,
  SOCKET_PATH,
  TEXT,
  UINT8,
  float,
  int,
  oneOf,
  type OptionValue,
  type ValueType,
} from './optionValue.js';

export type Scope = 'global' | 'port';

export type OptionUse =
  | { readonly kind: 'field'; readonly unsupported?: { readonly values: readonly string[]; readonly because: string } }
  | { readonly kind: 'require'; readonly value: OptionValue; readonly because: string }
  | { readonly kind: 'inert'; readonly why: string }
  | { readonly kind: 'ignore'; readonly note?: string; readonly asSyntonic?: (value: OptionValue, profile: Profile) => boolean };

export interface OptionSpec {
  readonly name: string;
  readonly type: ValueType;
  /** 'global': [global] only; 'port': [global] or a port section (ptp4l's PORT_ITEM). */
  readonly scope: Scope;
  readonly use: OptionUse;
  readonly syntonicOnly?: boolean;
}

/** The gPTP group address, 802.1AS-2020 11.3.4. */
export const GPTP_DESTINATION_MAC = '01:80:C2:00:00:0E';

const FIELD: OptionUse = { kind: 'field' };
const GRANDMASTER: OptionUse = { kind: 'inert', why: 'grandmaster attribute; syntonic never becomes grandmaster' };
const MASTER_SENDS: OptionUse = { kind: 'inert', why: 'shapes what a master port sends; syntonic never sends Sync, Follow_Up or Announce' };
const E2E_ONLY: OptionUse = { kind: 'inert', why: 'end-to-end delay mechanism only' };
const UDP_ONLY: OptionUse = { kind: 'inert', why: 'UDP transports only' };
const NOT_ORDINARY: OptionUse = { kind: 'inert', why: 'boundary and transparent clocks only' };
const MANAGEMENT_TEXT: OptionUse = { kind: 'inert', why: 'management data set text, answered to pmc' };
const TS2PHC: OptionUse = { kind: 'inert', why: "ts2phc's option; ptp4l accepts and ignores it too" };
const IGNORED: OptionUse = { kind: 'ignore' };

const ignoredUnless = (value: OptionValue, note?: string): OptionUse => ({ kind: 'ignore', note, asSyntonic: (v) => v === value });
const requires = (value: OptionValue, because: string): OptionUse => ({ kind: 'require', value, because });
const g = (name: string, type: ValueType, use: OptionUse = FIELD): OptionSpec => ({ name, type, scope: 'global', use });
const p = (name: string, type: ValueType, use: OptionUse = FIELD): OptionSpec => ({ name, type, scope: 'port', use });
const syntonic = (spec: OptionSpec): OptionSpec => ({ ...spec, syntonicOnly: true });

const DOUBLE = float(-Number.MAX_VALUE, Number.MAX_VALUE);
const NON_NEGATIVE_DOUBLE = float(0, Number.MAX_VALUE);

export const OPTIONS: readonly OptionSpec[] = [
  // --- read by Syntonic: port data set (802.1AS-2020 10.7, 11.5) ---
  g('domainNumber', int(0, 127)),
  p('transportSpecific', int(0, 0x0f)),
  p('logAnnounceInterval', INT8),
  p('logSyncInterval', INT8),
  p('logMinPdelayReqInterval', INT8),
  p('operLogSyncInterval', INT8),
  p('operLogPdelayReqInterval', INT8),
  p('msg_interval_request', BOOL),
  p('announceReceiptTimeout', int(2, 255)),
  p('syncReceiptTimeout', UINT8),
  p('neighborPropDelayThresh', int(0, INT_MAX)),
  p('min_neighbor_prop_delay', int(INT_MIN, -1)),
  p('delayAsymmetry', ANY_INT),
  p('delay_filter_length', int(1, INT_MAX)),
  p('freq_est_interval', int(0, INT_MAX)),
  // --- read by Syntonic: profile selection ---
  p('BMCA', oneOf('ptp', 'noop')),
  p('asCapable', oneOf('true', 'auto')),
  g('slaveOnly', BOOL),
  // --- read by Syntonic: servo (ptp4l units: thresholds in s, frequencies in ppb) ---
  g('clock_servo', oneOf('pi', 'linreg', 'ntpshm', 'nullf'), {
    kind: 'field',
    unsupported: { values: ['ntpshm', 'nullf'], because: 'syntonic has the servos pi and linreg: clock_servo must be pi or linreg' },
  }),
  g('pi_proportional_const', NON_NEGATIVE_DOUBLE),
  g('pi_integral_const', NON_NEGATIVE_DOUBLE),
  g('pi_proportional_scale', NON_NEGATIVE_DOUBLE),
  g('pi_proportional_exponent', DOUBLE),
  g('pi_proportional_norm_max', float(DBL_MIN, 1.0)),
  g('pi_integral_scale', NON_NEGATIVE_DOUBLE),
  g('pi_integral_exponent', DOUBLE),
  g('pi_integral_norm_max', float(DBL_MIN, 2.0)),
  g('step_threshold', NON_NEGATIVE_DOUBLE),
  g('first_step_threshold', NON_NEGATIVE_DOUBLE),
  g('max_frequency', int(0, INT_MAX)),
  g('sanity_freq_limit', int(0, INT_MAX)),
  g('servo_offset_threshold', int(0, INT_MAX)),
  g('servo_num_offset_values', int(0, INT_MAX)),
  g('free_running', BOOL),
  // --- read by Syntonic: the daemon ---
  g('time_stamping', oneOf('hardware', 'software', 'legacy', 'onestep', 'p2p1step'), {
    kind: 'field',
    unsupported: {
      values: ['legacy', 'onestep'],
      because: 'syntonic is a two-step receiver with hardware or software timestamps: time_stamping must be hardware, software or p2p1step (hardware with one-step Pdelay_Resp)',
    },
  }),
  g('tx_timestamp_timeout', int(1, INT_MAX)),
  g('summary_interval', ANY_INT),
  g('logging_level', int(0, 7)),

  // --- what Syntonic always does: any other value is an error ---
  p('network_transport', oneOf('L2', 'UDPv4', 'UDPv6'), requires('L2', 'syntonic speaks gPTP over Ethernet only: network_transport must be L2')),
  p('delay_mechanism', oneOf('Auto', 'E2E', 'P2P'), requires('P2P', 'gPTP measures link delay with the peer-to-peer mechanism (802.1AS-2020 clause 11): delay_mechanism must be P2P')),
  p('ptp_dst_mac', MAC, requires(GPTP_DESTINATION_MAC, `gPTP frames go to ${GPTP_DESTINATION_MAC} (802.1AS-2020 11.3.4): ptp_dst_mac must be ${GPTP_DESTINATION_MAC}`)),
  p('p2p_dst_mac', MAC, requires(GPTP_DESTINATION_MAC, `gPTP frames go to ${GPTP_DESTINATION_MAC} (802.1AS-2020 11.3.4): p2p_dst_mac must be ${GPTP_DESTINATION_MAC}`)),
  g('clock_type', oneOf('OC', 'BC', 'P2P_TC', 'E2E_TC'), requires('OC', 'syntonic is a time-aware end station, an ordinary clock: clock_type must be OC')),
  p('masterOnly', BOOL, requires(0, 'syntonic is a slave-only end station: masterOnly must be 0')),
  g('dataset_comparison', oneOf('ieee1588', 'G.8275.x'), requires('ieee1588', "syntonic's best master selection is 802.1AS's (clause 10.3): dataset_comparison must be ieee1588")),
  p('delay_filter', oneOf('moving_average', 'moving_median'), requires('moving_median', 'syntonic filters the link delay with a moving median: delay_filter must be moving_median')),
  p('egressLatency', ANY_INT, requires(0, 'syntonic does not correct timestamps for PHY latency: egressLatency must be 0')),
  p('ingressLatency', ANY_INT, requires(0, 'syntonic does not correct timestamps for PHY latency: ingressLatency must be 0')),

  // --- no effect on a slave-only P2P Ethernet end station (in ptp4l either) ---
  g('gmCapable', BOOL, GRANDMASTER),
  g('priority1', UINT8, GRANDMASTER),
  g('priority2', UINT8, GRANDMASTER),
  g('clockClass', UINT8, GRANDMASTER),
  g('clockAccuracy', UINT8, GRANDMASTER),
  g('offsetScaledLogVariance', int(0, 0xffff), GRANDMASTER),
  g('timeSource', int(0x10, 0xfe), GRANDMASTER),
  g('G.8275.defaultDS.localPriority', int(1, 255), GRANDMASTER),
  p('G.8275.portDS.localPriority', int(1, 255), GRANDMASTER),
  g('twoStepFlag', BOOL, MASTER_SENDS),
  p('follow_up_info', BOOL, MASTER_SENDS),
  p('path_trace_enabled', BOOL, MASTER_SENDS),
  p('inhibit_announce', BOOL, MASTER_SENDS),
  p('logMinDelayReqInterval', INT8, E2E_ONLY),
  p('inhibit_delay_req', BOOL, E2E_ONLY),
  p('hybrid_e2e', BOOL, E2E_ONLY),
  g('dscp_event', int(0, 63), UDP_ONLY),
  g('dscp_general', int(0, 63), UDP_ONLY),
  p('udp_ttl', int(1, 255), UDP_ONLY),
  p('udp6_scope', int(0, 0x0f), UDP_ONLY),
  p('inhibit_multicast_service', BOOL, UDP_ONLY),
  p('unicast_req_duration', int(10, INT_MAX), UDP_ONLY),
  p('boundary_clock_jbod', BOOL, NOT_ORDINARY),
  g('tc_spanning_tree', BOOL, NOT_ORDINARY),
  g('productDescription', TEXT, MANAGEMENT_TEXT),
  g('revisionData', TEXT, MANAGEMENT_TEXT),
  g('manufacturerIdentity', TEXT, MANAGEMENT_TEXT),
  g('userDescription', TEXT, MANAGEMENT_TEXT),
  g('ntpshm_segment', ANY_INT, { kind: 'inert', why: 'clock_servo ntpshm only' }),
  p('ts2phc.channel', int(0, INT_MAX), TS2PHC),
  p('ts2phc.extts_correction', ANY_INT, TS2PHC),
  p('ts2phc.extts_polarity', oneOf('rising', 'falling', 'both'), TS2PHC),
  p('ts2phc.master', BOOL, TS2PHC),
  g('ts2phc.nmea_remote_host', TEXT, TS2PHC),
  g('ts2phc.nmea_remote_port', TEXT, TS2PHC),
  g('ts2phc.nmea_serialport', TEXT, TS2PHC),
  p('ts2phc.pin_index', int(0, INT_MAX), TS2PHC),
  g('ts2phc.pulsewidth', int(1_000_000, 999_000_000), TS2PHC),

  // --- ptp4l would act on these; Syntonic does not (a warning unless the value is what Syntonic does) ---
  g('uds_address', TEXT, {
    kind: 'ignore',
    note: "it is ptp4l's management socket for pmc; syntonic's time-base provider socket speaks another protocol and is set by provider_socket or --socket",
  }),
  g('assume_two_step', BOOL, ignoredUnless(0, 'syntonic follows the twoStepFlag of every Pdelay_Resp (802.1AS-2020 11.4.2.4)')),
  p('ignore_source_id', BOOL, {
    kind: 'ignore',
    note: 'the automotive profile takes Sync from any source, the gptp profile only from the master the BMCA chose',
    asSyntonic: (v, profile) => v === (profile === 'automotive' ? 1 : 0),
  }),
  g('check_fup_sync', BOOL, ignoredUnless(0)),
  g('clockIdentity', TEXT, ignoredUnless('000000.0000.000000', 'the clockIdentity is derived from the interface MAC address (802.1AS-2020 8.5.2.2)')),
  g('hwts_filter', oneOf('normal', 'check', 'full'), ignoredUnless('normal')),
  p('ignore_transport_specific', BOOL, ignoredUnless(0)),
  g('initial_delay', int(0, INT_MAX), ignoredUnless(0)),
  g('kernel_leap', BOOL, ignoredUnless(0, 'syntonic never touches the system clock')),
  g('leapfile', TEXT, IGNORED),
  g('maxStepsRemoved', int(2, 255), ignoredUnless(255)),
  g('message_tag', TEXT, IGNORED),
  p('net_sync_monitor', BOOL, ignoredUnless(0)),
  g('slave_event_monitor', TEXT, IGNORED),
  g('socket_priority', int(0, 15), ignoredUnless(0)),
  p('tsproc_mode', oneOf('filter', 'raw', 'filter_weight', 'raw_weight'), ignoredUnless('filter')),
  p('unicast_listen', BOOL, ignoredUnless(0)),
  p('unicast_master_table', int(0, INT_MAX), ignoredUnless(0)),
  g('use_syslog', BOOL, ignoredUnless(0, 'syntonic logs to standard output and standard error (journald collects both)')),
  g('utc_offset', int(0, INT_MAX), IGNORED),
  g('verbose', BOOL, ignoredUnless(1, 'syntonic logs to standard output and standard error (journald collects both)')),
  g('write_phase_mode', BOOL, ignoredUnless(0)),
  p('fault_reset_interval', { kind: 'faultInterval', min: -128, max: 127 }, IGNORED),
  p('fault_badpeernet_interval', { kind: 'faultInterval', min: INT_MIN, max: INT_MAX }, IGNORED),

  // --- Syntonic's own (802.1AS-2020 names where the standard has one) ---
  syntonic(p('allowedLostResponses', UINT8)),
  syntonic(p('allowedFaults', UINT8)),
  syntonic(p('neighborRateRatioWindow', int(1, 1024))),
  syntonic(g('clock', oneOf('phc', 'virtual'))),
  syntonic(g('provider_socket', SOCKET_PATH)),
  // The provider socket's file mode (0660 by default: owner and group may connect) and its group,
  // a name or a gid: applications in that group read the time without root.
  syntonic(g('provider_socket_mode', int(0, 0o777))),
  syntonic(g('provider_group', TEXT)),
  syntonic(g('log_format', oneOf('text', 'json'))),
];

/** ptp4l 3.1.1 check_deprecated_options: old names it still reads, with a notice. */
export const DEPRECATED_OPTIONS: Readonly<Record<string, string>> = {
  pi_offset_const: 'step_threshold',
  pi_f_offset_const: 'first_step_threshold',
  pi_max_frequency: 'max_frequency',
};

const BY_NAME: ReadonlyMap<string, OptionSpec> = new Map(OPTIONS.map((o) => [o.name, o]));

/** Option names are case-sensitive, as in ptp4l. */
export function findOption(name: string): OptionSpec | undefined {
  return BY_NAME.get(name);
}

export const OPTION_NAMES: readonly string[] = OPTIONS.map((o) => o.name);
