/**
 * Wire form of the derived data types of 802.1AS-2020 6.4.3 / 1588-2019 5.3: Timestamp,
 * ClockIdentity, PortIdentity, the Integer64 correctionField and the 96-bit ScaledNs.
 *
 * Building a bigint costs ~50–100 ns, more than the rest of a message, and the same clock
 * identities and seconds values recur frame after frame; small caches make those bigints nearly
 * free. Bigints are immutable, so sharing one between decoded messages is safe.
 */
import type { ClockIdentity, PortIdentity } from './messages.js';
import { MAX_SECONDS, ZERO_TIMESTAMP, type Timestamp } from './timestamp.js';
import { TWO_POW_32, readInt32, readUint16, readUint32, readUint48, writeUint32, writeUint48 } from './octets.js';

export const TIMESTAMP_OCTETS = 10;
export const PORT_IDENTITY_OCTETS = 10;
export const NS_PER_S = 1_000_000_000;

// ---------------------------------------------------------------------------------------------
// Timestamp: UInteger48 secondsField, UInteger32 nanosecondsField (6.4.3.4)

let lastSecondsRead = 0;
let lastSecondsReadBig = 0n;

/** The nanosecondsField, for validation before `readTimestamp`. */
export function timestampNanoseconds(b: Uint8Array, o: number): number {
  return readUint32(b, o + 6);
}

/** Reads a Timestamp; the caller has checked the nanoseconds (see `timestampNanoseconds`). */
export function readTimestamp(b: Uint8Array, o: number): Timestamp {
  const seconds = readUint48(b, o);
  const nanoseconds = readUint32(b, o + 6);
  if (seconds === 0 && nanoseconds === 0) return ZERO_TIMESTAMP;
  if (seconds !== lastSecondsRead) {
    lastSecondsRead = seconds;
    lastSecondsReadBig = BigInt(seconds);
  }
  return { seconds: lastSecondsReadBig, nanoseconds };
}

let lastSecondsWritten = 0n;
let lastSecondsWrittenNum = 0;

/** Writes the low 48 bits of seconds and the low 32 bits of nanoseconds, unchecked (see encode docs). */
export function writeTimestamp(w: DataView, o: number, t: Timestamp): void {
  const s = t.seconds;
  // Zero (reserved timestamps of two-step Sync, Pdelay_Req) would otherwise evict the cached value.
  if (s === 0n) {
    writeUint48(w, o, 0);
  } else {
    if (s !== lastSecondsWritten) {
      lastSecondsWritten = s;
      lastSecondsWrittenNum = s > 0n && s <= MAX_SECONDS ? Number(s) : Number(BigInt.asUintN(48, s));
    }
    writeUint48(w, o, lastSecondsWrittenNum);
  }
  writeUint32(w, o + 6, t.nanoseconds);
}

// ---------------------------------------------------------------------------------------------
// ClockIdentity: 8 octets (8.5.2.2), as an unsigned bigint

const ID_CACHE_SIZE = 16; // a power of two
const idCacheHi = new Int32Array(ID_CACHE_SIZE);
const idCacheLo = new Int32Array(ID_CACHE_SIZE);
// Entry (0, 0) ↔ 0n is a true mapping, so the zero-filled cache starts out valid.
const idCacheValue: bigint[] = new Array<bigint>(ID_CACHE_SIZE).fill(0n);

export function readClockIdentity(b: Uint8Array, o: number): ClockIdentity {
  const hi = readInt32(b, o);
  const lo = readInt32(b, o + 4);
  const k = lo & (ID_CACHE_SIZE - 1);
  if (idCacheHi[k] === hi && idCacheLo[k] === lo) return idCacheValue[k];
  const id = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
  idCacheHi[k] = hi;
  idCacheLo[k] = lo;
  idCacheValue[k] = id;
  return id;
}

/** Writes the low 64 bits of id. */
export function writeClockIdentity(w: DataView, o: number, id: ClockIdentity): void {
  w.setBigUint64(o, id);
}

// ---------------------------------------------------------------------------------------------
// PortIdentity: clockIdentity + UInteger16 portNumber (8.5.2)

// The same few port identities (the master's, our own in responses) arrive frame after frame: the
// last two read are handed out again. PortIdentity is readonly, so sharing one object is safe.
let recentPortA: PortIdentity = { clockIdentity: 0n, portNumber: 0 };
let recentPortB: PortIdentity = recentPortA;

export function readPortIdentity(b: Uint8Array, o: number): PortIdentity {
  const clockIdentity = readClockIdentity(b, o);
  const portNumber = readUint16(b, o + 8);
  if (recentPortA.clockIdentity === clockIdentity && recentPortA.portNumber === portNumber) return recentPortA;
  if (recentPortB.clockIdentity === clockIdentity && recentPortB.portNumber === portNumber) return recentPortB;
  recentPortB = recentPortA;
  recentPortA = { clockIdentity, portNumber };
  return recentPortA;
}

export function writePortIdentity(w: DataView, o: number, p: PortIdentity): void {
  w.setBigUint64(o, p.clockIdentity);
  w.setUint16(o + 8, p.portNumber);
}

// ---------------------------------------------------------------------------------------------
// correctionField: Integer64, ns × 2^16 (1588-2019 13.3.2.9)

/** |hi| below this keeps hi × 2^32 + lo under 2^53, so a float64 holds it exactly. */
const EXACT_HI_LIMIT = 1 << 21;

export function readInt64(b: Uint8Array, o: number): bigint {
  const hi = readInt32(b, o);
  const lo = readUint32(b, o + 4);
  if (hi === 0 && lo === 0) return 0n;
  if (hi > -EXACT_HI_LIMIT && hi < EXACT_HI_LIMIT) return BigInt(hi * TWO_POW_32 + lo);
  return (BigInt(hi) << 32n) + BigInt(lo);
}

/** Writes the low 64 bits of v as two's complement. */
export function writeInt64(w: DataView, o: number, v: bigint): void {
  // setBigInt64 is a builtin call (~15 ns on Node 20); zero, the usual correctionField, is not.
  if (v === 0n) {
    w.setUint32(o, 0);
    w.setUint32(o + 4, 0);
  } else {
    w.setBigInt64(o, v);
  }
}

// ---------------------------------------------------------------------------------------------
// ScaledNs: Integer96, ns × 2^16 (6.4.3.2)

export function readScaledNs(b: Uint8Array, o: number): bigint {
  const w0 = readInt32(b, o);
  const w1 = readUint32(b, o + 4);
  const w2 = readUint32(b, o + 8);
  if (w0 === 0 && w1 === 0 && w2 === 0) return 0n;
  return (BigInt(w0) << 64n) + (BigInt(w1) << 32n) + BigInt(w2);
}

/** Writes the low 96 bits of v as two's complement. */
export function writeScaledNs(w: DataView, o: number, v: bigint): void {
  if (v === 0n) {
    w.setUint32(o, 0);
    w.setBigUint64(o + 4, 0n);
    return;
  }
  w.setUint32(o, Number(BigInt.asUintN(32, v >> 64n)));
  w.setBigUint64(o + 4, v);
}
