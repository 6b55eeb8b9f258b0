/**
 * Big-endian octet access (IEEE 1588-2019 7.1.2: fields are sent most significant octet first).
 *
 * Reading uses plain index arithmetic on the Uint8Array a frame arrives in: constructing a DataView
 * per message costs more than decoding the whole message (~120 ns on Node 20). Callers check bounds
 * before reading; nothing here reads past what it is asked for. Writing goes through the DataView
 * of an output slab (see `output`), created once per 8 KiB.
 */

export const TWO_POW_32 = 4_294_967_296;

export function readUint16(b: Uint8Array, o: number): number {
  return (b[o] << 8) | b[o + 1];
}

export function readInt16(b: Uint8Array, o: number): number {
  return ((b[o] << 24) >> 16) | b[o + 1];
}

export function readInt8(b: Uint8Array, o: number): number {
  return (b[o] << 24) >> 24;
}

export function readUint24(b: Uint8Array, o: number): number {
  return (b[o] << 16) | (b[o + 1] << 8) | b[o + 2];
}

export function readUint32(b: Uint8Array, o: number): number {
  return b[o] * 0x1000000 + ((b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]);
}

export function readInt32(b: Uint8Array, o: number): number {
  return (b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3];
}

/** UInteger48 as a number (exact: 48 bits fit a float64). */
export function readUint48(b: Uint8Array, o: number): number {
  return readUint16(b, o) * TWO_POW_32 + readUint32(b, o + 2);
}

// Writers go through a DataView: its big-endian setters compile to single stores (about twice as
// fast as four byte stores), and they throw on an out-of-range offset instead of dropping octets.
// Values are taken modulo 2^width (ToUint8/16/32), so signed values write as two's complement.

export function writeUint24(w: DataView, o: number, v: number): void {
  w.setUint8(o, v >>> 16);
  w.setUint16(o + 1, v);
}

/** Writes the low 32 bits of v (signed or unsigned). */
export function writeUint32(w: DataView, o: number, v: number): void {
  w.setUint32(o, v);
}

/** Writes the low 48 bits of a non-negative integer v < 2^53. */
export function writeUint48(w: DataView, o: number, v: number): void {
  // `>>> 0` is ToUint32: truncation (= floor here) of the high part; setUint32 takes v mod 2^32.
  w.setUint16(o, (v / TWO_POW_32) >>> 0);
  w.setUint32(o + 2, v);
}

/** Copies src (at most `max` octets of it) into the view at offset o. */
export function copyOctets(w: DataView, o: number, src: Uint8Array, max = src.length): void {
  const n = Math.min(src.length, max);
  if (n > 32) {
    new Uint8Array(w.buffer, w.byteOffset + o, n).set(n === src.length ? src : src.subarray(0, n));
    return;
  }
  for (let i = 0; i < n; i++) w.setUint8(o + i, src[i]);
}

/** Lowercase hex of b[o, o + n), no separators. */
export function toHex(b: Uint8Array, o = 0, n = b.length - o): string {
  let s = '';
  for (let i = o; i < o + n; i++) s += HEX[b[i]];
  return s;
}

const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

// ---------------------------------------------------------------------------------------------
// Output buffers

/**
 * Octets per slab. A typed array over 64 octets gets its own off-heap backing store in V8, which
 * costs ~290 ns against ~30 ns for a view into a shared slab; Node's Buffer pool makes the same
 * trade. 8 KiB keeps the memory a single retained message can pin small.
 */
const SLAB_OCTETS = 8192;
const LARGEST_POOLED = SLAB_OCTETS / 4;

/**
 * Where an encoder writes its result: `reserve(n)` sets `view` and `offset` to n zeroed octets,
 * `take(n)` then returns them as a Uint8Array. Results are views into a shared slab (byteOffset may
 * be non-zero, the ArrayBuffer is shared with other results); views never overlap and a slab is
 * never reused, so every result stays valid and unchanged.
 */
class OutputSlab {
  view = new DataView(new ArrayBuffer(SLAB_OCTETS));
  offset = 0;
  private used = 0;

  reserve(n: number): void {
    if (n > LARGEST_POOLED) {
      this.view = new DataView(new ArrayBuffer(n));
      this.offset = 0;
      this.used = SLAB_OCTETS; // the next small reservation starts a new slab
      return;
    }
    if (this.used + n > SLAB_OCTETS || this.view.byteLength !== SLAB_OCTETS) {
      this.view = new DataView(new ArrayBuffer(SLAB_OCTETS));
      this.used = 0;
    }
    this.offset = this.used;
    this.used += (n + 7) & ~7; // 8-octet alignment
  }

  take(n: number): Uint8Array {
    return new Uint8Array(this.view.buffer, this.offset, n);
  }
}

export const output = new OutputSlab();

/** A DataView over exactly the octets of b (for writing into a caller's buffer). */
export function viewOf(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}
