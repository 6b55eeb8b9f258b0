/**
 * Reading capture files: classic pcap and pcapng, told apart by their magic number.
 *
 *   for (const frame of readCapture('sync.pcapng')) replay(frame);
 *
 * Iteration is synchronous and streams the file in 1 MiB chunks (constant memory). Good frames
 * before any damage are all yielded; the damage is then thrown as a CaptureError. See
 * docs/captures.md.
 */
import { CaptureError } from './captureError.js';
import { ByteWindow } from './captureSource.js';
import type { CapturedFrame, CaptureIterator, CaptureSummary } from './capturedFrame.js';
import { PcapngIterator, BLOCK_SHB } from './pcapngReader.js';
import { isPcapMagic, PcapIterator } from './pcapReader.js';

export type { CapturedFrame, CaptureFormat, ByteOrder, CaptureInterface, CaptureIterator, CaptureSection, CaptureSummary } from './capturedFrame.js';
export type { TimestampResolution } from './captureResolution.js';
export { CaptureError, type CaptureErrorReason } from './captureError.js';

/**
 * The frames of the capture file at `path`. Each pass (each for-of) opens the file anew; the file is
 * closed when the pass ends, throws, or is left with `break`. A missing file throws the fs error
 * (ENOENT…) when the pass starts; a damaged one a CaptureError.
 */
export function readCapture(path: string): Iterable<CapturedFrame> {
  return { [Symbol.iterator]: () => openCapture(path) };
}

/** The frames of a capture held in memory; frame data are views into `bytes` (no copy). */
export function readCaptureBytes(bytes: Uint8Array): Iterable<CapturedFrame> {
  return { [Symbol.iterator]: () => openCaptureBytes(bytes) };
}

/** One pass over the file at `path`, with access to the summary of what has been read. */
export function openCapture(path: string): CaptureIterator {
  return openWindow(ByteWindow.fromFile(path));
}

export function openCaptureBytes(bytes: Uint8Array): CaptureIterator {
  return openWindow(ByteWindow.fromBytes(bytes));
}

/**
 * Format, byte order, interfaces (link type, snaplen, resolution, if_tsoffset), frame count and first
 * and last timestamps, by reading the whole file. Damage throws a CaptureError as for readCapture.
 */
export function describeCapture(path: string): CaptureSummary {
  return drain(openCapture(path));
}

export function describeCaptureBytes(bytes: Uint8Array): CaptureSummary {
  return drain(openCaptureBytes(bytes));
}

function drain(it: CaptureIterator): CaptureSummary {
  while (it.next().done !== true) {
    // every frame is counted by the iterator itself
  }
  return it.summary();
}

function openWindow(w: ByteWindow): CaptureIterator {
  if (!w.ensure(4)) {
    w.close();
    if (w.size === 0) throw new CaptureError('empty', 0, 0, 'capture: no magic number at offset 0 (the file is empty)');
    throw new CaptureError('truncated', 0, 0, `capture: magic number at offset 0 needs 4 bytes, the file has ${w.size}`);
  }
  const magicLe = w.view.getUint32(w.pos, true);
  if (magicLe === BLOCK_SHB) return new PcapngIterator(w);
  if (isPcapMagic(magicLe)) return new PcapIterator(w);
  w.close();
  const hex = magicLe.toString(16).padStart(8, '0');
  throw new CaptureError('badMagic', 0, 0, `capture: magic 0x${hex} at offset 0 (read little-endian) is neither pcap nor pcapng`);
}
