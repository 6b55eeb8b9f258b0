/** What the capture readers yield and describe. */
import type { TimestampResolution } from './captureResolution.js';

/** One packet record of a capture file. */
export interface CapturedFrame {
  /**
   * Wireshark's frame.number: 1-based, counting every packet record of the file (pcap record, EPB,
   * SPB, OPB) and also the pcapng records Wireshark numbers without being packets (Custom Blocks,
   * systemd Journal Export Blocks), which this reader does not yield: indexes then have gaps.
   */
  readonly index: number;
  /** Capture time, ns since 1970-01-01T00:00:00 (if_tsoffset included). */
  readonly timestampNs: bigint;
  /** LINKTYPE_* value of the frame's interface (1 Ethernet, 113 Linux SLL, 276 Linux SLL2…). */
  readonly linkType: number;
  /**
   * Index of the interface in the file: Interface Description Blocks numbered in file order across
   * all sections (the index into `CaptureSummary.interfaces`); always 0 for classic pcap.
   */
  readonly interfaceId: number;
  /** The captured bytes: a view into the reader's chunk (stable; copy it to keep less memory alive). */
  readonly data: Uint8Array;
  /** Length of the packet on the wire in bytes (≥ data.length unless the writer was odd). */
  readonly originalLength: number;
}

export type CaptureFormat = 'pcap' | 'pcapng';
export type ByteOrder = 'little' | 'big';

export interface CaptureInterface {
  /** Position in CaptureSummary.interfaces, = CapturedFrame.interfaceId. */
  readonly interfaceId: number;
  /** 0-based section (pcapng SHB) the interface belongs to, and its id within that section. */
  readonly section: number;
  readonly idInSection: number;
  readonly linkType: number;
  /** Snapshot length in bytes; 0 means no limit (pcapng). */
  readonly snaplen: number;
  readonly resolution: TimestampResolution;
  /** if_tsoffset in seconds (0 when absent). */
  readonly tsOffsetSeconds: bigint;
  /** if_name, when the IDB has one. */
  readonly name: string | undefined;
  /**
   * What the IDB says about the interface in words: if_description, if_hardware and opt_comment, in
   * file order (empty for classic pcap). Replay reads a hardware timestamp source from it
   * (src/io/replay/captureTimestamps.ts).
   */
  readonly notes: readonly string[];
}

export interface CaptureSection {
  readonly byteOrder: ByteOrder;
  /** Version of the pcap file header or of the Section Header Block. */
  readonly majorVersion: number;
  readonly minorVersion: number;
}

export interface CaptureSummary {
  readonly format: CaptureFormat;
  /** Byte order of the first section (a classic pcap file has one). */
  readonly byteOrder: ByteOrder;
  readonly sections: readonly CaptureSection[];
  readonly interfaces: readonly CaptureInterface[];
  /** Packet records read so far (all of them once the iteration has ended); capinfos' packet count. */
  readonly frameCount: number;
  /** Records Wireshark numbers as frames: frameCount plus pcapng custom and journal blocks. */
  readonly recordCount: number;
  readonly firstTimestampNs: bigint | undefined;
  readonly lastTimestampNs: bigint | undefined;
}

/** A reader over one pass of a capture. */
export interface CaptureIterator extends IterableIterator<CapturedFrame> {
  /** What has been read so far: complete once the iteration has ended. */
  summary(): CaptureSummary;
  /** Releases the file; also done at the end, on damage and on `break` out of a for-of. */
  close(): void;
}
