/**
 * Per-port configuration of the engine, with the 802.1AS-2020 defaults (clause 10.7, 11.5) and the
 * Avnu automotive profile's static configuration (802.1AS-2020 10.3.1 externalPortConfiguration).
 * Names follow 802.1AS and, where they differ, linuxptp's option names are noted.
 */
import type { ClockIdentity, PortIdentity } from './messages.js';

export type Profile = 'gptp' | 'automotive';

/** Who takes the port's timestamps: the NIC (a PHC, ns of noise) or the kernel (µs of noise, late frames). */
export type TimestampingMode = 'hardware' | 'software';

export interface PortConfig {
  readonly profile: Profile;
  /** gPTP domain (linuxptp domainNumber). */
  readonly domainNumber: number;
  /** majorSdoId (linuxptp transportSpecific); 1 for gPTP. */
  readonly majorSdoId: number;
  /** Initial log2 s of our Pdelay_Req interval (linuxptp logMinPdelayReqInterval). */
  readonly initialLogPdelayReqInterval: number;
  /** Log2 s of the Sync interval assumed until the master's logMessageInterval is seen. */
  readonly initialLogSyncInterval: number;
  /** Log2 s of the Announce interval assumed until the master's is seen. */
  readonly initialLogAnnounceInterval: number;
  /** Sync intervals without a Sync before the master's information is aged (10.7.3.1, default 3). */
  readonly syncReceiptTimeout: number;
  /** Announce intervals without an Announce before the master is aged (10.7.3.2, default 3). */
  readonly announceReceiptTimeout: number;
  /** Consecutive Pdelay exchanges that may fail before asCapable is cleared (11.5.3, default 3). */
  readonly allowedLostResponses: number;
  /** asCapable is true whatever peer delay measures (linuxptp `asCapable true`; the automotive profile's static links). */
  readonly asCapableAlways: boolean;
  /** Faulty exchanges (e.g. delay over threshold) tolerated before asCapable is cleared (11.5.4, default 9). */
  readonly allowedFaults: number;
  /** meanLinkDelay above which the link is not asCapable, in ns (11.2.2; 800 ns for copper in 802.1AS Annex). */
  readonly neighborPropDelayThresh: number;
  /** meanLinkDelay below which the link is not asCapable, in ns (linuxptp min_neighbor_prop_delay; noisy timestamps go negative). */
  readonly minNeighborPropDelay: number;
  /** Pdelay exchanges spanned by the neighborRateRatio measurement (11.2.19.3.3: "successive" responses, N ≥ 1). */
  readonly neighborRateRatioWindow: number;
  /**
   * Pdelay exchanges over which the propagation delay is smoothed by a moving median (linuxptp
   * delay_filter_length). Absent: the timestamping mode's (DEFAULT_LINK_DELAY_FILTER_LENGTH).
   */
  readonly linkDelayFilterLength?: number;
  /** delayAsymmetry in ns, positive when master→slave is longer (802.1AS-2020 8.3). */
  readonly delayAsymmetry: number;
  /** Automotive profile: master intervals to ask for once the servo is stable (linuxptp operLogSyncInterval). */
  readonly operLogSyncInterval: number;
  /** Automotive profile: our Pdelay_Req interval once the servo is stable (linuxptp operLogPdelayReqInterval). */
  readonly operLogPdelayReqInterval: number;
  /** Automotive profile: send Signaling with a message interval request (linuxptp msg_interval_request). */
  readonly messageIntervalRequest: boolean;
  /** Grandmasters this station may follow (acceptable_grandmasters); absent or empty: any. See acceptableMasters.ts. */
  readonly acceptableGrandmasters?: readonly ClockIdentity[];
  /** Neighbour ports that may be its master (acceptable_masters); absent or empty: any. */
  readonly acceptableMasters?: readonly PortIdentity[];
}

export const GPTP_DEFAULTS: PortConfig = Object.freeze({
  profile: 'gptp',
  domainNumber: 0,
  majorSdoId: 1,
  initialLogPdelayReqInterval: 0,
  initialLogSyncInterval: -3,
  initialLogAnnounceInterval: 0,
  syncReceiptTimeout: 3,
  announceReceiptTimeout: 3,
  allowedLostResponses: 3,
  asCapableAlways: false,
  allowedFaults: 9,
  neighborPropDelayThresh: 800,
  minNeighborPropDelay: -20_000_000,
  neighborRateRatioWindow: 8,
  delayAsymmetry: 0,
  operLogSyncInterval: -3,
  operLogPdelayReqInterval: 0,
  messageIntervalRequest: false,
});

/**
 * Avnu automotive profile end station: static slave port, asCapable forced true, no Announce, fast
 * initial intervals and slower operational ones requested once synchronized (as linuxptp's
 * automotive-slave.cfg: operLogSyncInterval 0, operLogPdelayReqInterval 2, msg_interval_request 1).
 */
export const AUTOMOTIVE_DEFAULTS: PortConfig = Object.freeze({
  ...GPTP_DEFAULTS,
  profile: 'automotive',
  asCapableAlways: true,
  operLogSyncInterval: 0,
  operLogPdelayReqInterval: 2,
  messageIntervalRequest: true,
});

export function defaultPortConfig(profile: Profile): PortConfig {
  return profile === 'automotive' ? AUTOMOTIVE_DEFAULTS : GPTP_DEFAULTS;
}

type IntegerField = Exclude<
  { [K in keyof PortConfig]-?: Exclude<PortConfig[K], undefined> extends number ? K : never }[keyof PortConfig],
  'neighborPropDelayThresh' | 'minNeighborPropDelay' | 'delayAsymmetry'
>;

/**
 * What the engine accepts, integer fields. domainNumber 0–127 (802.1AS-2020 8.1); log intervals
 * −7…20 (128 s to 1 M s is no gPTP interval; beyond, the ns arithmetic would overflow usefulness);
 * syncReceiptTimeout ≥ 1 (ptp4l's 0 means "never", 802.1AS has no such setting); announceReceiptTimeout
 * ≥ 2 (1588-2019 7.7.3.1); filter and window lengths up to 1024.
 */
export const PORT_CONFIG_RANGES: Readonly<Record<IntegerField, readonly [min: number, max: number]>> = Object.freeze({
  domainNumber: [0, 127],
  majorSdoId: [0, 15],
  initialLogPdelayReqInterval: [-7, 20],
  initialLogSyncInterval: [-7, 20],
  initialLogAnnounceInterval: [-7, 20],
  syncReceiptTimeout: [1, 255],
  announceReceiptTimeout: [2, 255],
  allowedLostResponses: [0, 255],
  allowedFaults: [0, 255],
  neighborRateRatioWindow: [1, 1024],
  linkDelayFilterLength: [1, 1024],
  operLogSyncInterval: [-7, 20],
  operLogPdelayReqInterval: [-7, 20],
});

/** Checks ranges; returns one sentence per bad field, naming it. */
export function validatePortConfig(c: PortConfig): string[] {
  const problems: string[] = [];
  for (const [name, [lo, hi]] of Object.entries(PORT_CONFIG_RANGES) as [IntegerField, readonly [number, number]][]) {
    const v = c[name];
    // A field the defaults leave out is optional (its default depends on more than the profile).
    if (v === undefined && !(name in GPTP_DEFAULTS)) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) {
      problems.push(`${name} must be an integer from ${lo} to ${hi}, got ${String(v)}`);
    }
  }
  if (!(c.minNeighborPropDelay < c.neighborPropDelayThresh))
    problems.push(`minNeighborPropDelay (${c.minNeighborPropDelay} ns) must be below neighborPropDelayThresh (${c.neighborPropDelayThresh} ns)`);
  if (!(c.neighborPropDelayThresh > 0)) problems.push(`neighborPropDelayThresh must be a positive number of ns, got ${c.neighborPropDelayThresh}`);
  if (!Number.isFinite(c.delayAsymmetry)) problems.push(`delayAsymmetry must be a finite number of ns, got ${c.delayAsymmetry}`);
  return problems;
}
