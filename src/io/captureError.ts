/**
 * Damage found in a capture file. Readers yield every good frame before the damage and then throw
 * one of these, so that a replay of a cut-off capture still gets everything that was recorded.
 */
export type CaptureErrorReason =
  | 'empty' // the file has no bytes at all
  | 'badMagic' // neither a pcap nor a pcapng magic number
  | 'badVersion' // a header or Section Header Block version this reader does not know
  | 'truncated' // the file ends inside a header, record or block
  | 'badBlockLength' // a pcapng block length that is too small, too big, not a multiple of 4 or mismatched
  | 'badCapturedLength' // a captured length over the snapshot length, the block or 256 KiB
  | 'badInterface' // a packet refers to an interface no Interface Description Block declared
  | 'badOption'; // a pcapng option that runs past its block

export class CaptureError extends Error {
  override readonly name = 'CaptureError';

  /**
   * @param reason what kind of damage
   * @param offset byte offset in the file of the header, record or block that is damaged
   * @param framesRead packet records yielded before the damage
   * @param detail one sentence naming the field, e.g. "block at offset 1234 has total length 7 (not a multiple of 4)"
   */
  constructor(
    readonly reason: CaptureErrorReason,
    readonly offset: number,
    readonly framesRead: number,
    detail: string,
  ) {
    super(`${detail}; ${framesRead} frame(s) read before it`);
  }
}

/** A frame the writers cannot represent (a time before 1970 or after 2106, data over snaplen…). */
export class CaptureWriteError extends Error {
  override readonly name = 'CaptureWriteError';

  /**
   * @param field the offending field of the frame, e.g. 'timestampNs'
   * @param frameNumber 1-based number of the frame in what was written
   */
  constructor(
    readonly field: string,
    readonly frameNumber: number,
    detail: string,
  ) {
    super(`frame ${frameNumber}: ${detail}`);
  }
}
