/**
 * What can be wrong with a frame. The decoder reports every problem as one of these and never
 * throws: bad input is counted and logged by the caller, never a crash and never silently accepted.
 */
export type DecodeErrorKind =
  | 'notPtp' // not ethertype 0x88F7 (after at most two VLAN tags)
  | 'truncated' // the buffer ends before a field that must be there
  | 'badMessageLength' // messageLength disagrees with the header, the body size or the buffer
  | 'unsupportedVersion' // versionPTP is not 2
  | 'badNanoseconds' // a Timestamp's nanosecondsField is ≥ 10^9
  | 'badTlv' // a TLV is truncated or its lengthField is inconsistent
  | 'badValue'; // any other field outside its allowed range

export interface DecodeError {
  readonly kind: DecodeErrorKind;
  /** The 802.1AS name of the offending field, e.g. 'messageLength', 'preciseOriginTimestamp.nanoseconds'. */
  readonly field: string;
  /** Octet offset of that field from the start of the buffer given to the decoder. */
  readonly offset: number;
  /** One sentence for a person: what was found and what was expected. */
  readonly message: string;
}

export type DecodeResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: DecodeError };

export function decodeError(kind: DecodeErrorKind, field: string, offset: number, message: string): { ok: false; error: DecodeError } {
  return { ok: false, error: { kind, field, offset, message } };
}
