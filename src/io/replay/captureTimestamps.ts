/**
 * Where a capture's times come from, so that replay can pick thresholds that fit them.
 *
 * A capture tool writes the time the capturing host's kernel gave each frame: software times, with
 * microseconds of latency in every link delay computed from them (docs/replay.md). Only a pcapng can
 * say otherwise, in its Interface Description Block. Neither pcap nor pcapng has a field for "these are
 * hardware timestamps", so Syntonic reads an interface as hardware-timestamped when
 *  - its if_description, if_hardware or opt_comment says "hardware timestamp(s)" (any case, also
 *    "hardware time stamp"), or names libpcap's time-stamp types for NIC clocks, `adapter` or
 *    `adapter_unsynced` (what `tcpdump -j adapter_unsynced` selects) as "tstamp type adapter…"; or
 *  - its if_tsresol counts in powers of two (2^-n s), as capture cards and NIC clocks do; the kernel's
 *    software clock is always written in powers of ten (10^-6 or 10^-9 s).
 * A capture is hardware-timestamped when every interface that carries frames is.
 */
import type { CaptureInterface, CaptureSummary } from '../capturedFrame.js';
import { describeResolution } from '../captureResolution.js';

export type TimestampSource = 'hardware' | 'software';

export interface CaptureTimestamps {
  readonly source: TimestampSource;
  /** Why, in words, for the replay summary. */
  readonly why: string;
}

const HARDWARE_WORDS = /hardware[ -]?time[ -]?stamp|tstamp[ -_]type[ :=]*adapter(_unsynced)?\b/i;

/** The timestamp source of one interface, with its reason, or undefined for software. */
function hardwareReason(iface: CaptureInterface): string | undefined {
  const label = iface.name === undefined ? `interface ${iface.interfaceId}` : `interface ${iface.name}`;
  const note = iface.notes.find((n) => HARDWARE_WORDS.test(n));
  if (note !== undefined) return `${label} states hardware timestamps ("${note.slice(0, 80)}")`;
  if (iface.resolution.base === 2) return `${label} counts time in ${describeResolution(iface.resolution)} units, as NIC and capture-card clocks do`;
  return undefined;
}

/**
 * The timestamp source of a capture, from its summary (the interfaces are known once the first frame
 * has been read). `usedInterfaces` are the interface ids that carry frames; all of them when absent.
 */
export function captureTimestamps(summary: CaptureSummary, usedInterfaces?: ReadonlySet<number>): CaptureTimestamps {
  if (summary.format === 'pcap') return { source: 'software', why: "a pcap file holds the capturing host's software times" };
  const interfaces = summary.interfaces.filter((i) => usedInterfaces === undefined || usedInterfaces.has(i.interfaceId));
  const reasons = interfaces.map(hardwareReason);
  if (interfaces.length > 0 && reasons.every((r) => r !== undefined)) return { source: 'hardware', why: [...new Set(reasons)].join('; ') };
  return { source: 'software', why: "its pcapng interface description states no hardware timestamps, so they are the capturing host's software times" };
}
