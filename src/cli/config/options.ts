/**
 * The option table, in the way of linuxptp's config_tab: every option of ptp4l 3.1.1 (config.c: the
 * options of default.cfg plus the few it does not list, such as gmCapable and min_neighbor_prop_delay)
 * and Syntonic's own, each with its value type and range as ptp4l parses it, its section scope, and
 * what Syntonic does with it:
 *
 *  - field:   read: `sets` names the setting it fills (with the unit conversion), `doc` says what it
 *             means, `fallback` gives the default per profile where the configuration layer owns it
 *             (port settings default to the engine's own PortConfig defaults, pi_* to the servo's
 *             tuning for the timestamping mode);
 *  - require: Syntonic always works this way; the same value is accepted, any other is an error;
 *  - inert:   has no effect on a slave-only, peer-delay, Ethernet end station, in ptp4l either
 *             (grandmaster attributes, what only a master sends, E2E/UDP/TC settings): accepted silently;
 *  - ignore:  ptp4l would act on it and Syntonic does not: a warning, unless the value says what
 *             Syntonic does anyway (asSyntonic).
 *
 * Defaults, validation and resolution (portSettings.ts, servoSettings.ts, daemonConfig.ts) and the
 * option tables of docs/configuration.md (optionsDoc.ts, `npm run docs:options`) derive from it:
 * adding an option is adding its entry here.
 */
import type { PortConfig, Profile } from '../../protocol/portConfig.js';
import { LATE_ANSWER_FLOOR_NS, LATE_ANSWER_SIGMAS } from '../../protocol/neighborRateRatioWindow.js';
import { DEFAULT_HOLD_EXCHANGES, DEFAULT_JUMP_FLOOR_NS, DEFAULT_LINK_DELAY_FILTER_LENGTH, JUMP_MADS } from '../../protocol/propagationDelayFilter.js';
import { DEFAULT_SOCKET_PATH } from '../../provider/protocol.js';
import { DEFAULT_TIME_PAGE_PATH } from '../../provider/timePage.js';
import type { PiGainOptions } from '../../servo/piServo.js';
import { PTP4L_FIRST_STEP_THRESHOLD_NS, PTP4L_MAX_FREQUENCY_PPB, PTP4L_SANITY_FREQ_LIMIT_PPB } from '../../servo/servo.js';
import { STABILITY_DEFAULTS } from '../../servo/servoStability.js';
import { KALMAN_TUNING_HARDWARE, KALMAN_TUNING_SOFTWARE } from '../../servo/kalmanTuning.js';
import { DEFAULT_ERROR_BOUND_WANDER_PPB_PER_S } from '../../servo/servoErrorBound.js';
import { SYNC_STATUS_DEFAULTS } from '../../servo/syncStatus.js';
import {
  ANY_INT,
  BOOL,
  CLOCK_IDENTITIES,
  DBL_MIN,
  INT8,
  INT_MAX,
  INT_MIN,
  MAC,
  PORT_IDENTITIES,
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

type NumericPortField = { [K in keyof PortConfig]-?: Exclude<PortConfig[K], undefined> extends number ? K : never }[keyof PortConfig];
type BooleanPortField = { [K in keyof PortConfig]-?: PortConfig[K] extends boolean ? K : never }[keyof PortConfig];
export type PiField = Exclude<keyof PiGainOptions, 'softwareTimestamps'>;
/** Servo settings a file sets (ServoConfig's fields, in Syntonic's units). */
export type ServoField =
  | 'servo'
  | 'stepThresholdNs'
  | 'firstStepThresholdNs'
  | 'maxFrequencyPpb'
  | 'sanityFreqLimitPpb'
  | 'offsetThresholdNs'
  | 'numOffsetValues'
  | 'kalmanFrequencyWanderPpbPerSqrtS'
  | 'errorBoundWanderPpbPerS'
  | 'errorBoundAsymmetryNs'
  | 'synchronizedOffsetRmsNs';
/** Daemon settings a file sets (DaemonConfig's fields). */
export type DaemonField =
  | 'clock'
  | 'freeRunning'
  | 'socketPath'
  | 'socketMode'
  | 'socketGroup'
  | 'udsAddress'
  | 'summaryIntervalLog'
  | 'loggingLevel'
  | 'txTimestampTimeoutMs'
  | 'logFormat'
  | 'timePage'
  | 'wanderFile';

/** Where a read option's value goes. */
export type Setting =
  /** A PortConfig number, same unit. Its default is the engine's (defaultPortConfig). */
  | { readonly into: 'port'; readonly field: NumericPortField }
  /** A PortConfig flag: true when the option has `whenTrue`. */
  | { readonly into: 'portFlag'; readonly field: BooleanPortField; readonly whenTrue: OptionValue; readonly whenFalse: OptionValue }
  /** A servo setting: value × scale (ptp4l's seconds → ns); zeroMeansDefault: 0 leaves the servo's own default. */
  | { readonly into: 'servo'; readonly field: ServoField; readonly scale?: number; readonly zeroMeansDefault?: boolean }
  /** A PI setting laid over the servo's tuning; zeroMeansDefault: 0.0 means "the tuning's value" (as ptp4l's 0.0). */
  | { readonly into: 'pi'; readonly field: PiField; readonly zeroMeansDefault: boolean }
  | { readonly into: 'daemon'; readonly field: DaemonField }
  /** Read by a rule of its own (profile signature, freq_est_interval, time_stamping): `rule` says which. */
  | { readonly into: 'rule'; readonly rule: string };

/** A default, in the option's own unit, per profile; `text` when a value cannot say it. */
export interface Fallback {
  readonly value?: OptionValue | Readonly<Record<Profile, OptionValue>>;
  readonly text?: string;
}

export interface FieldUse {
  readonly kind: 'field';
  readonly sets: Setting;
  /** One line of documentation: what the option means in Syntonic. */
  readonly doc: string;
  /** The value column of the documentation, when the type alone does not say it (units). */
  readonly value?: string;
  /** The default where the configuration layer owns it (see the file comment). */
  readonly fallback?: Fallback;
  readonly unsupported?: { readonly values: readonly string[]; readonly because: string };
}

export type OptionUse =
  | FieldUse
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

const GRANDMASTER: OptionUse = { kind: 'inert', why: 'grandmaster attribute; syntonic never becomes grandmaster' };
const MASTER_SENDS: OptionUse = { kind: 'inert', why: 'shapes what a master port sends; syntonic never sends Sync, Follow_Up or Announce' };
const E2E_ONLY: OptionUse = { kind: 'inert', why: 'end-to-end delay mechanism only' };
const UDP_ONLY: OptionUse = { kind: 'inert', why: 'UDP transports only' };
const NOT_ORDINARY: OptionUse = { kind: 'inert', why: 'boundary and transparent clocks only' };
const MANAGEMENT_TEXT: OptionUse = {
  kind: 'inert',
  why: 'CLOCK_DESCRIPTION text: accepted for linuxptp compatibility; that data set is not served (docs/management.md)',
};
const TS2PHC: OptionUse = { kind: 'inert', why: "ts2phc's option; ptp4l accepts and ignores it too" };
const IGNORED: OptionUse = { kind: 'ignore' };

const ignoredUnless = (value: OptionValue, note?: string): OptionUse => ({ kind: 'ignore', note, asSyntonic: (v) => v === value });
const requires = (value: OptionValue, because: string): OptionUse => ({ kind: 'require', value, because });
const g = (name: string, type: ValueType, use: OptionUse): OptionSpec => ({ name, type, scope: 'global', use });
const p = (name: string, type: ValueType, use: OptionUse): OptionSpec => ({ name, type, scope: 'port', use });
const syntonic = (spec: OptionSpec): OptionSpec => ({ ...spec, syntonicOnly: true });
const read = (sets: Setting, doc: string, more: Omit<FieldUse, 'kind' | 'sets' | 'doc'> = {}): FieldUse => ({ kind: 'field', sets, doc, ...more });
const port = (field: NumericPortField): Setting => ({ into: 'port', field });
const pi = (field: PiField, zeroMeansDefault: boolean): Setting => ({ into: 'pi', field, zeroMeansDefault });
const daemon = (field: DaemonField): Setting => ({ into: 'daemon', field });

const DOUBLE = float(-Number.MAX_VALUE, Number.MAX_VALUE);
const NON_NEGATIVE_DOUBLE = float(0, Number.MAX_VALUE);
const NS_PER_S = 1e9;
const PI_DEFAULT = { text: "Syntonic's tuning for the timestamping mode (docs/servo.md)" };
const PI_LAW_DEFAULT = { text: "ptp4l's (docs/servo.md)" };

export const OPTIONS: readonly OptionSpec[] = [
  // --- read by Syntonic: port data set (802.1AS-2020 10.7, 11.5) ---
  g('domainNumber', int(0, 127), read(port('domainNumber'), 'gPTP domain')),
  p('transportSpecific', int(0, 0x0f), read(port('majorSdoId'), 'majorSdoId; gPTP is 1 (any other value: a warning, peers discard the frames)')),
  p('logSyncInterval', INT8, read(port('initialLogSyncInterval'), "Sync interval assumed until the master's is seen", { value: 'log2 s' })),
  p('logAnnounceInterval', INT8, read(port('initialLogAnnounceInterval'), "Announce interval assumed until the master's is seen", { value: 'log2 s' })),
  p('logMinPdelayReqInterval', INT8, read(port('initialLogPdelayReqInterval'), 'our initial Pdelay_Req interval', { value: 'log2 s' })),
  p(
    'operLogSyncInterval',
    INT8,
    read(port('operLogSyncInterval'), 'Sync interval asked of the master once the servo is stable (`msg_interval_request`)', { value: 'log2 s' }),
  ),
  p('operLogPdelayReqInterval', INT8, read(port('operLogPdelayReqInterval'), 'our Pdelay_Req interval once the servo is stable', { value: 'log2 s' })),
  p(
    'msg_interval_request',
    BOOL,
    read(
      { into: 'portFlag', field: 'messageIntervalRequest', whenTrue: 1, whenFalse: 0 },
      'send the message interval request (802.1AS-2020 10.6.4.3) once stable',
    ),
  ),
  p(
    'announceReceiptTimeout',
    int(2, 255),
    read(port('announceReceiptTimeout'), 'master aged after this many silent Announce intervals', { value: '2–255 intervals' }),
  ),
  p(
    'syncReceiptTimeout',
    UINT8,
    read(port('syncReceiptTimeout'), 'master aged, and the status lost, after this many silent Sync intervals', { value: '1–255 intervals' }),
  ),
  p('neighborPropDelayThresh', int(0, INT_MAX), read(port('neighborPropDelayThresh'), 'meanLinkDelay above it: not asCapable', { value: 'ns' })),
  p('min_neighbor_prop_delay', int(INT_MIN, -1), read(port('minNeighborPropDelay'), 'meanLinkDelay below it: not asCapable', { value: 'ns, ≤ −1' })),
  p('delayAsymmetry', ANY_INT, read(port('delayAsymmetry'), 'positive when master→slave is longer', { value: 'ns' })),
  p(
    'delay_filter_length',
    int(1, INT_MAX),
    read(
      port('linkDelayFilterLength'),
      `moving median of the link delay; a median that jumps (at once, or climbing over the last ${DEFAULT_HOLD_EXCHANGES} exchanges) beyond max(${DEFAULT_JUMP_FLOOR_NS / 1000} µs, ${JUMP_MADS} MADs of the window) is held at the median of the values accepted before it until it has stayed at a new level for ${DEFAULT_HOLD_EXCHANGES} exchanges and the Syncs' own path moved with it (a stalled path, not the link)`,
      {
        value: 'exchanges',
        fallback: {
          text: `${DEFAULT_LINK_DELAY_FILTER_LENGTH.hardware} with hardware timestamps (ptp4l's), ${DEFAULT_LINK_DELAY_FILTER_LENGTH.software} with software ones (their link delay wanders over tens of seconds)`,
        },
      },
    ),
  ),
  p(
    'freq_est_interval',
    int(0, INT_MAX),
    read(
      { into: 'rule', rule: 'neighborRateRatioWindow' },
      "neighborRateRatio window of 2^(freq_est_interval − logMinPdelayReqInterval) exchanges, at least 1 (ptp4l's rule); not together with `neighborRateRatioWindow`",
      { value: 'log2 s', fallback: { text: '— (`neighborRateRatioWindow`)' } },
    ),
  ),
  // --- read by Syntonic: profile selection ---
  p(
    'BMCA',
    oneOf('ptp', 'noop'),
    read({ into: 'rule', rule: 'profile' }, 'profile signature; a value contradicting the profile is ignored with a warning', {
      fallback: { value: { gptp: 'ptp', automotive: 'noop' } },
    }),
  ),
  p(
    'asCapable',
    oneOf('true', 'auto'),
    read(
      { into: 'portFlag', field: 'asCapableAlways', whenTrue: 'true', whenFalse: 'auto' },
      '`true`: the link is asCapable without peer delay measurements (either profile)',
    ),
  ),
  g('slaveOnly', BOOL, read({ into: 'rule', rule: 'profile' }, 'profile signature; Syntonic is slave-only whatever it says', { fallback: { value: 1 } })),
  g(
    'clientOnly',
    BOOL,
    read({ into: 'rule', rule: 'profile' }, "linuxptp 4.x's name of `slaveOnly` (OPTION_ALIASES): the same setting", { fallback: { value: 1 } }),
  ),
  // --- read by Syntonic: servo (ptp4l units: thresholds in s, frequencies in ppb) ---
  g(
    'clock_servo',
    oneOf('pi', 'linreg', 'kalman', 'ntpshm', 'nullf', 'refclock_sock'),
    read(
      { into: 'servo', field: 'servo' },
      "the servo (`ntpshm` and `nullf` are refused; docs/servo.md). `refclock_sock` (linuxptp 4.x): each Sync's measured offset goes to chronyd's SOCK refclock and no clock is disciplined (a `clock phc` alongside is refused); the provider keeps its virtual clock ([deployment](deployment.md#chrony-and-the-system-clock))",
      {
        value: '`pi`/`linreg`/`kalman`/`refclock_sock`',
        fallback: { text: '`kalman` with software timestamps, `pi` otherwise' },
        unsupported: { values: ['ntpshm', 'nullf'], because: 'syntonic has the servos pi, linreg, kalman and refclock_sock: clock_servo must be one of them' },
      },
    ),
  ),
  g(
    'refclock_sock_address',
    SOCKET_PATH,
    read(
      { into: 'rule', rule: 'refclock' },
      "chronyd's SOCK refclock socket (linuxptp 4.x): with any servo, a sample per Sync while synchronized and UTC is known ([deployment](deployment.md#chrony-and-the-system-clock))",
      { value: 'absolute path', fallback: { text: '`/var/run/refclock.ptp.sock` with `clock_servo refclock_sock`, off otherwise' } },
    ),
  ),
  g(
    'pi_proportional_const',
    NON_NEGATIVE_DOUBLE,
    read(pi('kpConst', true), 'fixed kp; used only when **both** constants are non-zero (0.0: the gain law), and then without acquisition gains', {
      value: 'float',
      fallback: { value: 0 },
    }),
  ),
  g('pi_integral_const', NON_NEGATIVE_DOUBLE, read(pi('kiConst', true), 'fixed ki; see `pi_proportional_const`', { value: 'float', fallback: { value: 0 } })),
  g(
    'pi_proportional_scale',
    NON_NEGATIVE_DOUBLE,
    read(pi('kpScale', true), "kp scale of the gain law, laid over the tuning in force (0.0: the tuning's)", { value: 'float', fallback: PI_DEFAULT }),
  ),
  g('pi_proportional_exponent', DOUBLE, read(pi('kpExponent', false), 'kp exponent of the gain law', { value: 'float', fallback: PI_LAW_DEFAULT })),
  g('pi_proportional_norm_max', float(DBL_MIN, 1.0), read(pi('kpNormMax', false), 'kp norm max of the gain law', { value: 'float', fallback: PI_LAW_DEFAULT })),
  g(
    'pi_integral_scale',
    NON_NEGATIVE_DOUBLE,
    read(pi('kiScale', true), "ki scale of the gain law, laid over the tuning in force (0.0: the tuning's)", { value: 'float', fallback: PI_DEFAULT }),
  ),
  g('pi_integral_exponent', DOUBLE, read(pi('kiExponent', false), 'ki exponent of the gain law', { value: 'float', fallback: PI_LAW_DEFAULT })),
  g('pi_integral_norm_max', float(DBL_MIN, 2.0), read(pi('kiNormMax', false), 'ki norm max of the gain law', { value: 'float', fallback: PI_LAW_DEFAULT })),
  g(
    'step_threshold',
    NON_NEGATIVE_DOUBLE,
    read({ into: 'servo', field: 'stepThresholdNs', scale: NS_PER_S }, 'step when |offset| exceeds it; 0 = never after the first update', {
      value: '**seconds** (float)',
      fallback: { value: { gptp: 0, automotive: 1 } },
    }),
  ),
  g(
    'first_step_threshold',
    NON_NEGATIVE_DOUBLE,
    read({ into: 'servo', field: 'firstStepThresholdNs', scale: NS_PER_S }, 'step on the first update beyond it; 0 = never', {
      value: '**seconds** (float)',
      fallback: { value: PTP4L_FIRST_STEP_THRESHOLD_NS / NS_PER_S },
    }),
  ),
  g(
    'max_frequency',
    int(0, INT_MAX),
    read({ into: 'servo', field: 'maxFrequencyPpb', zeroMeansDefault: true }, "clamp of the servo output; 0 = the clock's own limit", {
      value: 'ppb',
      fallback: { value: PTP4L_MAX_FREQUENCY_PPB },
    }),
  ),
  g(
    'sanity_freq_limit',
    int(0, INT_MAX),
    read(
      { into: 'servo', field: 'sanityFreqLimitPpb' },
      'larger implied frequency error, confirmed by the next offset, resets the servo (one late Sync does not); 0 disables',
      {
        value: 'ppb',
        fallback: { value: PTP4L_SANITY_FREQ_LIMIT_PPB },
      },
    ),
  ),
  g(
    'servo_offset_threshold',
    int(0, INT_MAX),
    read(
      { into: 'servo', field: 'offsetThresholdNs' },
      'the servo is stable once `servo_num_offset_values` locked offsets in a row are below it, as ptp4l(8) says (ptp4l 3.1.1 counts them over the whole lock); 0 = never',
      {
        value: 'ns',
        fallback: { value: { gptp: STABILITY_DEFAULTS.gptp.offsetThresholdNs, automotive: STABILITY_DEFAULTS.automotive.offsetThresholdNs } },
      },
    ),
  ),
  g(
    'servo_num_offset_values',
    int(0, INT_MAX),
    read({ into: 'servo', field: 'numOffsetValues' }, 'see `servo_offset_threshold`', {
      value: 'count',
      fallback: { value: { gptp: STABILITY_DEFAULTS.gptp.numOffsetValues, automotive: STABILITY_DEFAULTS.automotive.numOffsetValues } },
    }),
  ),
  g('free_running', BOOL, read(daemon('freeRunning'), 'the servo computes and logs, the clock is never adjusted', { fallback: { value: 0 } })),
  // --- read by Syntonic: the daemon ---
  g(
    'time_stamping',
    oneOf('hardware', 'software', 'legacy', 'onestep', 'p2p1step'),
    read(
      { into: 'rule', rule: 'timestamping' },
      '`p2p1step`: hardware timestamps, and Pdelay_Resp sent one-step, the NIC adding the turnaround (HWTSTAMP_TX_ONESTEP_P2P; refused with EOPNOTSUPP on a NIC without it). `legacy` and `onestep` are refused: Syntonic is a two-step receiver',
      {
        value: '`hardware`/`software`/`p2p1step`',
        fallback: { text: 'hardware when the interface has it, else software' },
        unsupported: {
          values: ['legacy', 'onestep'],
          because:
            'syntonic is a two-step receiver with hardware or software timestamps: time_stamping must be hardware, software or p2p1step (hardware with one-step Pdelay_Resp)',
        },
      },
    ),
  ),
  g(
    'tx_timestamp_timeout',
    int(1, INT_MAX),
    read(daemon('txTimestampTimeoutMs'), 'wait for a transmit timestamp (ptp4l 3.1.1 waits 1 ms, which many NICs miss)', {
      value: 'ms',
      fallback: { value: 10 },
    }),
  ),
  g(
    'summary_interval',
    ANY_INT,
    read(
      daemon('summaryIntervalLog'),
      'interval of the `rms … max … freq … delay …` summary lines (over the offsets the servo used); at or below the Sync interval, one `master offset` line per Sync instead, those the servo left out ending `not used: <why>`',
      { value: 'log2 s', fallback: { value: 0 } },
    ),
  ),
  g('logging_level', int(0, 7), read(daemon('loggingLevel'), 'messages above this level are not printed', { value: '0–7 (syslog)', fallback: { value: 6 } })),
  g(
    'uds_address',
    SOCKET_PATH,
    read(daemon('udsAddress'), "linuxptp's management socket: `pmc -u -t 1 -s PATH` reads the data sets ([management](management.md))", {
      value: 'socket path',
      fallback: { text: 'none (no management socket)' },
    }),
  ),

  // --- what Syntonic always does: any other value is an error ---
  p('network_transport', oneOf('L2', 'UDPv4', 'UDPv6'), requires('L2', 'syntonic speaks gPTP over Ethernet only: network_transport must be L2')),
  p(
    'delay_mechanism',
    oneOf('Auto', 'COMMON_P2P', 'E2E', 'P2P', 'NONE'),
    requires('P2P', 'gPTP measures link delay with the peer-to-peer mechanism (802.1AS-2020 clause 11): delay_mechanism must be P2P'),
  ),
  p(
    'ptp_dst_mac',
    MAC,
    requires(GPTP_DESTINATION_MAC, `gPTP frames go to ${GPTP_DESTINATION_MAC} (802.1AS-2020 11.3.4): ptp_dst_mac must be ${GPTP_DESTINATION_MAC}`),
  ),
  p(
    'p2p_dst_mac',
    MAC,
    requires(GPTP_DESTINATION_MAC, `gPTP frames go to ${GPTP_DESTINATION_MAC} (802.1AS-2020 11.3.4): p2p_dst_mac must be ${GPTP_DESTINATION_MAC}`),
  ),
  g('clock_type', oneOf('OC', 'BC', 'P2P_TC', 'E2E_TC'), requires('OC', 'syntonic is a time-aware end station, an ordinary clock: clock_type must be OC')),
  p('masterOnly', BOOL, requires(0, 'syntonic is a slave-only end station: masterOnly must be 0')),
  g(
    'dataset_comparison',
    oneOf('ieee1588', 'G.8275.x'),
    requires('ieee1588', "syntonic's best master selection is 802.1AS's (clause 10.3): dataset_comparison must be ieee1588"),
  ),
  p(
    'delay_filter',
    oneOf('moving_average', 'moving_median'),
    requires('moving_median', 'syntonic filters the link delay with a moving median: delay_filter must be moving_median'),
  ),
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
  syntonic(
    p('allowedLostResponses', UINT8, read(port('allowedLostResponses'), 'consecutive lost Pdelay responses before asCapable is cleared (802.1AS-2020 11.5.3)')),
  ),
  syntonic(p('allowedFaults', UINT8, read(port('allowedFaults'), 'faulty Pdelay exchanges tolerated before asCapable is cleared (11.5.4)'))),
  syntonic(
    p(
      'neighborRateRatioWindow',
      int(1, 1024),
      read(
        port('neighborRateRatioWindow'),
        `Pdelay exchanges spanned by the neighborRateRatio measurement (11.2.19.3.3); an exchange whose answer came late (its propTime more than max(${LATE_ANSWER_SIGMAS} σ, ${LATE_ANSWER_FLOOR_NS} ns) above the median of the link-delay window) is none of them`,
      ),
    ),
  ),
  syntonic(
    g(
      'clock',
      oneOf('phc', 'virtual'),
      read(daemon('clock'), "what the servo disciplines: the NIC's PTP hardware clock (hardware timestamps only), or a virtual clock that adjusts nothing", {
        fallback: { value: 'virtual' },
      }),
    ),
  ),
  syntonic(
    g(
      'provider_socket',
      SOCKET_PATH,
      read(daemon('socketPath'), 'the time-base provider socket ([provider protocol](provider-protocol.md))', {
        value: 'absolute path',
        fallback: { value: DEFAULT_SOCKET_PATH },
      }),
    ),
  ),
  // The provider socket's file mode (0660 by default: owner and group may connect) and its group,
  // a name or a gid: applications in that group read the time without root.
  syntonic(
    g(
      'provider_socket_mode',
      int(0, 0o777),
      read(daemon('socketMode'), 'file mode of the provider socket', { value: 'integer 0–0777 (C syntax: `0660` is octal)', fallback: { text: '`0660`' } }),
    ),
  ),
  syntonic(
    g(
      'provider_group',
      TEXT,
      read(daemon('socketGroup'), 'group of the provider socket, so that applications in it read the time without root', {
        value: 'group name or gid',
        fallback: { text: "the daemon's group" },
      }),
    ),
  ),
  // The oscillator is the one thing about the node no timestamp shows within minutes (docs/servo.md,
  // "The oscillator's wander, configured"): the servo learns it over tens of minutes, and who knows it
  // may say it here.
  syntonic(
    g(
      'kalman_frequency_wander',
      float(DBL_MIN, 1000),
      read(
        { into: 'servo', field: 'kalmanFrequencyWanderPpbPerSqrtS' },
        "how fast the Kalman servo lets the clock's frequency walk once it tracks (its random-walk Q), for a node that knows its oscillator: set, none is learned; lower for a quiet oscillator (an OCXO, a TCXO in a steady room), higher for a free-running crystal whose temperature swings; `clock_servo kalman` only ([servo](servo.md#the-oscillators-wander-configured-kalman_frequency_wander))",
        {
          value: 'ppb/√s',
          fallback: {
            text: `learned from the Syncs ([servo](servo.md#the-oscillators-wander-learned)); until enough is learned ${KALMAN_TUNING_SOFTWARE.latencyStateWanderPpbPerSqrtS} with software timestamps, ${KALMAN_TUNING_HARDWARE.wanderPpbPerSqrtS} with hardware ones`,
          },
        },
      ),
    ),
  ),
  // What the servo learned of the oscillator took tens of minutes; a restart keeps it as chrony's
  // driftfile keeps the frequency.
  syntonic(
    g(
      'kalman_wander_file',
      TEXT,
      read(
        daemon('wanderFile'),
        "where the Kalman servo keeps the oscillator's walk it learned (when `kalman_frequency_wander` is unset): read at start, written every 10 min and at exit ([servo](servo.md#the-oscillators-wander-learned))",
        { value: 'absolute path', fallback: { text: 'none: learned again after each start' } },
      ),
    ),
  ),
  // The error bound's two assumptions no timestamp shows (servoErrorBound.ts): the oscillator's
  // frequency change while no Sync corrects it, and the asymmetry of the link. Who knows either
  // better than the defaults assume may say it; the bound then rests on that word.
  syntonic(
    g(
      'error_bound_wander',
      NON_NEGATIVE_DOUBLE,
      read(
        { into: 'servo', field: 'errorBoundWanderPpbPerS' },
        "how fast the oscillator's frequency may change while no Sync corrects it: the error bound grows by ½ × this × age² ([servo](servo.md#error-bound-servoerrorboundts)); the default is a quartz in a room warming 1 K/min, lower for an OCXO or a TCXO in a steady room",
        { value: 'ppb/s', fallback: { value: DEFAULT_ERROR_BOUND_WANDER_PPB_PER_S } },
      ),
    ),
  ),
  syntonic(
    g(
      'error_bound_asymmetry',
      NON_NEGATIVE_DOUBLE,
      read(
        { into: 'servo', field: 'errorBoundAsymmetryNs' },
        'the largest path asymmetry the offsets cannot show (what `delayAsymmetry` leaves), for a link known better than the bound assumes; too small a value breaks the bound ([servo](servo.md#error-bound-servoerrorboundts))',
        { value: 'ns', fallback: { text: "the largest filtered meanLinkDelay of the last 4096 Syncs + 1 σ of the Syncs' latency" } },
      ),
    ),
  ),
  // Where the network's own jitter keeps the offsets' RMS above 1 µs (a switch that is no time-aware
  // bridge), the status would never say synchronized; who accepts that level may say so, and the
  // error bound still says how far off the time may be.
  syntonic(
    g(
      'synchronized_offset_rms',
      float(DBL_MIN, Number.MAX_VALUE),
      read(
        { into: 'servo', field: 'synchronizedOffsetRmsNs' },
        `the time base is \`synchronized\` once the servo is locked (s2) and the RMS of its last ${SYNC_STATUS_DEFAULTS.rmsWindow} offsets stays below this for ${SYNC_STATUS_DEFAULTS.enterSamples} Syncs, and leaves it above ${SYNC_STATUS_DEFAULTS.exitFactor} times this; raise it for a network whose jitter no servo removes (a switch that is no time-aware bridge): the error bound still says how far off the time may be ([servo](servo.md#status-syncstatusts-qualityts))`,
        { value: 'ns', fallback: { value: SYNC_STATUS_DEFAULTS.offsetRmsThresholdNs } },
      ),
    ),
  ),
  syntonic(g('log_format', oneOf('text', 'json'), read(daemon('logFormat'), 'ptp4l-style lines or JSON objects', { fallback: { value: 'text' } }))),
  // gPTP time − UTC in seconds, for when the grandmaster announces no valid currentUtcOffset (or an
  // arbitrary timescale): 0 for a grandmaster that sends UTC, as ptp4l with software timestamps does.
  syntonic(
    g(
      'assume_utc_offset',
      int(-32768, 32767),
      read(
        { into: 'rule', rule: 'refclock' },
        'gPTP time − UTC, used when the grandmaster announces no valid `currentUtcOffset` on the PTP timescale: `0` for a grandmaster that sends UTC on the arbitrary timescale (ptp4l with software timestamps), `37` for TAI without the valid flag; a valid announced offset always wins ([provider protocol](provider-protocol.md#tai-utc-and-leap-seconds))',
        { value: 'integer s', fallback: { text: 'none: UTC unknown' } },
      ),
    ),
  ),
  // The shared-memory time page for C, C++ and Python programs: a path, or none. Only a configured
  // path is required (daemonConfig.ts): the default may fail with a warning.
  syntonic(
    g(
      'time_page',
      TEXT,
      read(
        daemon('timePage'),
        'the shared-memory time page that C, C++ and Python programs map ([time page](time-page.md)); a configured path that cannot be created stops the start, the default only earns a warning',
        { value: 'absolute path, or `none`', fallback: { value: DEFAULT_TIME_PAGE_PATH } },
      ),
    ),
  ),
  // Who may set the time (1588-2019 17.6 acceptable master table, in spirit; protocol/acceptableMasters.ts).
  syntonic(
    g(
      'acceptable_grandmasters',
      CLOCK_IDENTITIES,
      read(
        { into: 'rule', rule: 'acceptableMasters' },
        'the only grandmasters this station follows ([below](#who-may-set-the-time-acceptable_grandmasters-acceptable_masters)); `--acceptable-grandmasters` replaces it',
        {
          value: 'clock identities (`001122.fffe.334455 …`)',
          fallback: { text: 'any' },
        },
      ),
    ),
  ),
  syntonic(
    p(
      'acceptable_masters',
      PORT_IDENTITIES,
      read(
        { into: 'rule', rule: 'acceptableMasters' },
        'the only neighbour ports whose Announce and Sync it uses; pins the automotive static master; `--acceptable-masters` replaces it',
        {
          value: 'port identities (`001122.fffe.334455-1 …`)',
          fallback: { text: 'any' },
        },
      ),
    ),
  ),

  // --- linuxptp 4.x (config.c of v4.4): new names and new options that concern a slave end station ---
  p('serverOnly', BOOL, requires(0, 'syntonic is a slave-only end station (a client): serverOnly must be 0')),
  g('ptp_minor_version', BOOL, ignoredUnless(1, 'syntonic sends minorVersionPTP 1 (802.1AS-2020 10.6.2.2.4)')),
  g('step_window', int(0, INT_MAX), ignoredUnless(0)),
  p('phc_index', int(-1, INT_MAX), ignoredUnless(-1, "syntonic uses the interface's own PHC (ethtool -T)")),
  p('interface_rate_tlv', BOOL, ignoredUnless(0)),
  p(
    'spp',
    int(-1, 255),
    requires(
      -1,
      'syntonic does not check PTP authentication TLVs (1588-2019 16.14): spp must be -1, or frames would be trusted without the authentication asked for',
    ),
  ),
  p('active_key_id', int(0, 0xffffffff), { kind: 'inert', why: 'authentication only (spp)' }),
  p('allow_unauth', int(0, 2), { kind: 'inert', why: 'authentication only (spp)' }),
  g('sa_file', TEXT, { kind: 'inert', why: 'authentication only (spp)' }),
  p('uds_file_mode', int(0, 0o777), ignoredUnless(0o660, 'the management socket (uds_address) is created with mode 0660, as ptp4l does by default')),
  g('uds_ro_address', TEXT, { kind: 'ignore', note: 'syntonic opens no read-only management socket; pmc reads uds_address' }),
  p('uds_ro_file_mode', int(0, 0o777), { kind: 'inert', why: "mode of ptp4l's read-only management socket" }),
  p('delay_response_timeout', UINT8, E2E_ONLY),
  g('clock_class_threshold', int(6, 248), { kind: 'inert', why: 'G.8275.x dataset comparison only' }),
  p('ptp_dst_ipv4', TEXT, UDP_ONLY),
  p('ptp_dst_ipv6', TEXT, UDP_ONLY),
  p('p2p_dst_ipv4', TEXT, UDP_ONLY),
  p('p2p_dst_ipv6', TEXT, UDP_ONLY),
  p('cmlds.client_address', TEXT, { kind: 'inert', why: 'delay_mechanism COMMON_P2P only' }),
  p('cmlds.domainNumber', UINT8, { kind: 'inert', why: 'delay_mechanism COMMON_P2P only' }),
  p('cmlds.majorSdoId', int(0, 0x0f), { kind: 'inert', why: 'delay_mechanism COMMON_P2P only' }),
  p('cmlds.port', int(0, 0xffff), { kind: 'inert', why: 'delay_mechanism COMMON_P2P only' }),
  p('cmlds.server_address', TEXT, { kind: 'inert', why: 'delay_mechanism COMMON_P2P only' }),
  p('power_profile.version', oneOf('none', '2011', '2017'), MASTER_SENDS),
  p('power_profile.grandmasterID', int(0, 0xffff), MASTER_SENDS),
  p('power_profile.2011.grandmasterTimeInaccuracy', int(-1, INT_MAX), MASTER_SENDS),
  p('power_profile.2011.networkTimeInaccuracy', int(-1, INT_MAX), MASTER_SENDS),
  p('power_profile.2017.totalTimeInaccuracy', int(-1, INT_MAX), MASTER_SENDS),
  p('ts2phc.holdover', int(0, INT_MAX), TS2PHC),
  p('ts2phc.nmea_baudrate', int(300, INT_MAX), TS2PHC),
  p('ts2phc.nmea_delay', ANY_INT, TS2PHC),
  p('ts2phc.perout_phase', int(0, 999_999_999), TS2PHC),
  g('ts2phc.tod_source', TEXT, TS2PHC),
];

/**
 * linuxptp 4.x's names for options Syntonic reads under their 3.x name: a file may use either (as
 * ptp4l 4.x reads both); the value is looked up under the 3.x name, messages name what was written.
 */
export const OPTION_ALIASES: Readonly<Record<string, string>> = {
  clientOnly: 'slaveOnly',
  serverOnly: 'masterOnly',
};

/** The options a file may set that Syntonic reads, with what they set. */
export const READ_OPTIONS: readonly (OptionSpec & { readonly use: FieldUse })[] = OPTIONS.filter(
  (o): o is OptionSpec & { readonly use: FieldUse } => o.use.kind === 'field',
);

/** An option's default for a profile, in its own unit, where the configuration layer owns it. */
export function fallbackValue(use: FieldUse, profile: Profile): OptionValue | undefined {
  const v = use.fallback?.value;
  if (v === undefined || typeof v !== 'object') return v;
  return v[profile];
}

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
