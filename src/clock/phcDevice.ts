/**
 * Opening a PTP hardware clock (/dev/ptpN) by path, index or interface name, and the operations a
 * disciplined PHC needs. PhcClock works over the `PhcDevice` interface, so tests can hand it a fake.
 */
import { nativeBinding, nativeError, type NativeBinding, type NativePhcCapabilities, type NativePhcSystemOffset } from '../native/binding.js';

export type PhcCapabilities = NativePhcCapabilities;
export type PhcSystemOffset = NativePhcSystemOffset;

/** What PhcClock needs of a PHC. */
export interface PhcDevice {
  readonly path: string;
  /** PTP_CLOCK_GETCAPS, read at open. */
  readonly capabilities: PhcCapabilities;
  readNs(): bigint;
  /** The frequency adjustment applied now (clock_adjtime, modes 0), in ppb. */
  frequencyPpb(): number;
  /** Applies `ppb` (clamped to ±maxAdjustmentPpb by the addon); returns what was applied. */
  setFrequencyPpb(ppb: number): number;
  /** ADJ_SETOFFSET: moves the clock's reading by deltaNs. */
  stepNs(deltaNs: bigint): void;
  /**
   * PHC − CLOCK_REALTIME: a cross timestamp (PTP_SYS_OFFSET_PRECISE) where the device has them, else the
   * best of `samples` brackets (PTP_SYS_OFFSET_EXTENDED, else PTP_SYS_OFFSET);
   * throws EAGAIN when CLOCK_REALTIME stepped back inside every bracket of three calls in a row.
   */
  systemOffset(samples?: number): PhcSystemOffset;
  close(): void;
}

/** Which PHC: a device path, a /dev/ptpN index, or the PHC of a network interface (ethtool -T). */
export type PhcSource = { readonly path: string } | { readonly index: number } | { readonly interface: string };

/** Samples per systemOffset() by default (phc2sys -N defaults to 5). */
export const DEFAULT_SYSTEM_OFFSET_SAMPLES = 5;

/** The device path for `source`; throws ENODEV when an interface has no PHC. */
export function phcPath(source: PhcSource, binding: NativeBinding = nativeBinding()): string {
  if ('path' in source) return source.path;
  if ('index' in source) {
    if (!Number.isInteger(source.index) || source.index < 0) {
      throw new RangeError(`index must be a non-negative integer (the N of /dev/ptpN), got ${source.index}`);
    }
    return `/dev/ptp${source.index}`;
  }
  const { phcIndex } = binding.timestampingInfo(source.interface);
  if (phcIndex < 0) {
    throw nativeError(
      'ENODEV',
      'ioctl(SIOCETHTOOL)',
      `${JSON.stringify(source.interface)} has no PTP hardware clock (ethtool -T ${source.interface}: PTP Hardware Clock: none); ` +
        'use software timestamping with a virtual clock',
    );
  }
  return `/dev/ptp${phcIndex}`;
}

/**
 * Opens the PHC read-write. Throws the addon's errors: ENOENT (no such device), EACCES (no write
 * access), ENOTTY/EOPNOTSUPP ("… is not a PTP clock"), ENODEV (interface without a PHC).
 */
export function openPhcDevice(source: PhcSource, binding: NativeBinding = nativeBinding()): PhcDevice {
  const path = phcPath(source, binding);
  const native = new binding.PhcClock(path);
  const capabilities = native.capabilities();
  return {
    path,
    capabilities,
    readNs: () => native.readNs(),
    frequencyPpb: () => native.frequencyPpb(),
    setFrequencyPpb: (ppb) => native.setFrequencyPpb(ppb),
    stepNs: (deltaNs) => native.stepNs(deltaNs),
    systemOffset: (samples = DEFAULT_SYSTEM_OFFSET_SAMPLES) => native.systemOffset(samples),
    close: () => native.close(),
  };
}
