/**
 * What an interface can timestamp (ETHTOOL_GET_TS_INFO), with the names `ethtool -T` prints, for
 * diagnostics and for choosing between hardware and software timestamping.
 */
import { nativeBinding, type NativeTimestampingInfo } from '../native/binding.js';

/** SOF_TIMESTAMPING_* bits in bit order (linux/net_tstamp.h), named as ethtool names them. */
const SO_TIMESTAMPING_NAMES = [
  'hardware-transmit',
  'software-transmit',
  'hardware-receive',
  'software-receive',
  'software-system-clock',
  'hardware-legacy-clock',
  'hardware-raw-clock',
  'opt-id',
  'tx-sched',
  'tx-ack',
  'opt-cmsg',
  'opt-tsonly',
  'opt-stats',
  'opt-pktinfo',
  'opt-tx-swhw',
  'bind-phc',
  'opt-id-tcp',
  'opt-rx-filter',
] as const;

/** HWTSTAMP_TX_* values. */
const TX_TYPE_NAMES = ['off', 'on', 'onestep-sync', 'onestep-p2p'] as const;

/** HWTSTAMP_FILTER_* values. */
const RX_FILTER_NAMES = [
  'none',
  'all',
  'some',
  'ptpv1-l4-event',
  'ptpv1-l4-sync',
  'ptpv1-l4-delay-req',
  'ptpv2-l4-event',
  'ptpv2-l4-sync',
  'ptpv2-l4-delay-req',
  'ptpv2-l2-event',
  'ptpv2-l2-sync',
  'ptpv2-l2-delay-req',
  'ptpv2-event',
  'ptpv2-sync',
  'ptpv2-delay-req',
  'ntp-all',
] as const;

const HARDWARE_NEEDS = ['hardware-transmit', 'hardware-receive', 'hardware-raw-clock'] as const;
const SOFTWARE_NEEDS = ['software-transmit', 'software-receive', 'software-system-clock'] as const;

export interface TimestampingCapabilities {
  readonly interfaceName: string;
  /** Capability flags as ethtool -T names them, e.g. 'software-transmit'. */
  readonly soTimestamping: readonly string[];
  /** The NIC's PTP hardware clock (/dev/ptpN), undefined when it has none. */
  readonly phcIndex: number | undefined;
  /** Hardware transmit timestamp modes, e.g. 'off', 'on'. */
  readonly txTypes: readonly string[];
  /** Hardware receive filters, e.g. 'none', 'ptpv2-l2-event', 'all'. */
  readonly rxFilters: readonly string[];
  /** Egress and ingress stamped by the NIC, raw PHC time reported, and a PHC to read. */
  readonly hardware: boolean;
  /** Egress and ingress stamped by the kernel in CLOCK_REALTIME. */
  readonly software: boolean;
}

/** Names of the set bits of `mask`, lowest first; bits without a name show as `bit<n>`. */
export function bitNames(mask: number, names: readonly string[]): string[] {
  const result: string[] = [];
  for (let bit = 0; bit < 32; bit++) {
    if (((mask >>> bit) & 1) === 1) result.push(names[bit] ?? `bit${bit}`);
  }
  return result;
}

/** Names the bits of a raw ETHTOOL_GET_TS_INFO answer. */
export function describeTimestampingInfo(interfaceName: string, info: NativeTimestampingInfo): TimestampingCapabilities {
  const soTimestamping = bitNames(info.soTimestamping, SO_TIMESTAMPING_NAMES);
  const phcIndex = info.phcIndex >= 0 ? info.phcIndex : undefined;
  return {
    interfaceName,
    soTimestamping,
    phcIndex,
    txTypes: bitNames(info.txTypes, TX_TYPE_NAMES),
    rxFilters: bitNames(info.rxFilters, RX_FILTER_NAMES),
    hardware: phcIndex !== undefined && HARDWARE_NEEDS.every((n) => soTimestamping.includes(n)),
    software: SOFTWARE_NEEDS.every((n) => soTimestamping.includes(n)),
  };
}

/** One line for messages: "software-transmit, software-receive, software-system-clock; PTP Hardware Clock: none". */
export function capabilitiesSummary(caps: TimestampingCapabilities): string {
  const flags = caps.soTimestamping.length > 0 ? caps.soTimestamping.join(', ') : 'no timestamping';
  return `${flags}; PTP Hardware Clock: ${caps.phcIndex ?? 'none'}`;
}

/**
 * ETHTOOL_GET_TS_INFO for `interfaceName` in this network namespace. Throws the addon's error
 * (code 'ENODEV' with "no network interface named …" when there is none).
 */
export function timestampingCapabilities(interfaceName: string): TimestampingCapabilities {
  return describeTimestampingInfo(interfaceName, nativeBinding().timestampingInfo(interfaceName));
}
