/**
 * The 34-octet common header (802.1AS-2020 10.6.2 / 11.4.2, 1588-2019 13.3, Table 35).
 */
import type { PtpHeader } from './messages.js';
import { readInt64, readPortIdentity, writeInt64, writePortIdentity } from './derivedDataTypes.js';
import { readInt8, readUint16, readUint32 } from './octets.js';

export const HEADER_OCTETS = 34;

/** Reads the header at o; the caller has checked that 34 octets are there. */
export function readHeader(b: Uint8Array, o: number): PtpHeader {
  const b0 = b[o];
  const b1 = b[o + 1];
  return {
    majorSdoId: b0 >>> 4,
    messageType: b0 & 0x0f,
    minorVersionPtp: b1 >>> 4,
    versionPtp: b1 & 0x0f,
    messageLength: readUint16(b, o + 2),
    domainNumber: b[o + 4],
    minorSdoId: b[o + 5],
    flags: readUint16(b, o + 6),
    correctionField: readInt64(b, o + 8),
    messageTypeSpecific: readUint32(b, o + 16),
    sourcePortIdentity: readPortIdentity(b, o + 20),
    sequenceId: readUint16(b, o + 30),
    controlField: b[o + 32],
    logMessageInterval: readInt8(b, o + 33),
  };
}

/** Writes every field masked to its width, messageLength as given. */
export function writeHeader(w: DataView, o: number, h: PtpHeader): void {
  w.setUint8(o, ((h.majorSdoId & 0x0f) << 4) | (h.messageType & 0x0f));
  w.setUint8(o + 1, ((h.minorVersionPtp & 0x0f) << 4) | (h.versionPtp & 0x0f));
  w.setUint16(o + 2, h.messageLength);
  w.setUint8(o + 4, h.domainNumber);
  w.setUint8(o + 5, h.minorSdoId);
  w.setUint16(o + 6, h.flags);
  writeInt64(w, o + 8, h.correctionField);
  w.setUint32(o + 16, h.messageTypeSpecific);
  writePortIdentity(w, o + 20, h.sourcePortIdentity);
  w.setUint16(o + 30, h.sequenceId);
  w.setUint8(o + 32, h.controlField);
  w.setUint8(o + 33, h.logMessageInterval);
}

/** The header fields a receive path filters on, read without building bigints. */
export interface HeaderPeek {
  readonly majorSdoId: number;
  readonly messageType: number;
  readonly versionPtp: number;
  readonly messageLength: number;
  readonly domainNumber: number;
  readonly flags: number;
  readonly sequenceId: number;
}

/**
 * A cheap look at a PTP header at `offset` (e.g. to drop other domains or versions before a full
 * decode). Undefined when fewer than 34 octets remain. Nothing is validated.
 */
export function peekHeader(bytes: Uint8Array, offset = 0): HeaderPeek | undefined {
  if (!Number.isInteger(offset) || offset < 0 || bytes.length - offset < HEADER_OCTETS) return undefined;
  const b0 = bytes[offset];
  return {
    majorSdoId: b0 >>> 4,
    messageType: b0 & 0x0f,
    versionPtp: bytes[offset + 1] & 0x0f,
    messageLength: readUint16(bytes, offset + 2),
    domainNumber: bytes[offset + 4],
    flags: readUint16(bytes, offset + 6),
    sequenceId: readUint16(bytes, offset + 30),
  };
}
