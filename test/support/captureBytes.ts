/**
 * Hand-written capture layouts for the capture tests: classic pcap records and pcapng blocks, field
 * by field as the formats define them (draft-ietf-opsawg-pcap, draft-ietf-opsawg-pcapng).
 */
export class Bytes {
  private readonly out: number[] = [];
  constructor(readonly littleEndian: boolean) {}

  u8(v: number): this {
    this.out.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    return this.int(BigInt(v), 2);
  }
  u32(v: number): this {
    return this.int(BigInt(v), 4);
  }
  u64(v: bigint): this {
    return this.int(BigInt.asUintN(64, v), 8);
  }
  raw(bytes: Uint8Array | readonly number[]): this {
    for (const b of bytes) this.out.push(b);
    return this;
  }
  /** Zero bytes up to a multiple of 4. */
  pad4(): this {
    while (this.out.length % 4 !== 0) this.out.push(0);
    return this;
  }
  build(): Uint8Array {
    return Uint8Array.from(this.out);
  }

  private int(v: bigint, n: number): this {
    const bytes: number[] = [];
    for (let i = 0; i < n; i++) bytes.push(Number((v >> BigInt(8 * i)) & 0xffn));
    if (!this.littleEndian) bytes.reverse();
    this.out.push(...bytes);
    return this;
  }
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** n bytes 0, 1, 2… (mod 256) plus `seed`, to recognise a frame's payload. */
export function payload(n: number, seed = 0): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i + seed) & 0xff);
}

// ---------------------------------------------------------------------------------------------
// classic pcap

export interface PcapRecord {
  readonly seconds: number;
  /** µs or ns, by the magic. */
  readonly fraction: number;
  readonly data: Uint8Array;
  readonly originalLength?: number;
  /** Written in incl_len instead of data.length (for damage tests). */
  readonly capturedLength?: number;
}

export function pcapFile(o: { littleEndian: boolean; nanosecond: boolean; snaplen?: number; linkType?: number; records: readonly PcapRecord[] }): Uint8Array {
  const b = new Bytes(o.littleEndian)
    .u32(o.nanosecond ? 0xa1b23c4d : 0xa1b2c3d4)
    .u16(2)
    .u16(4)
    .u32(0) // thiszone
    .u32(0) // sigfigs
    .u32(o.snaplen ?? 65535)
    .u32(o.linkType ?? 1);
  for (const r of o.records) {
    b.u32(r.seconds)
      .u32(r.fraction)
      .u32(r.capturedLength ?? r.data.length)
      .u32(r.originalLength ?? r.data.length)
      .raw(r.data);
  }
  return b.build();
}

// ---------------------------------------------------------------------------------------------
// pcapng

/** Block type, total length, body padded to 4, total length again. */
export function block(littleEndian: boolean, type: number, body: Uint8Array, totalLengthOverride?: number): Uint8Array {
  const padded = (body.length + 3) & ~3;
  const total = 12 + padded;
  return new Bytes(littleEndian)
    .u32(type)
    .u32(totalLengthOverride ?? total)
    .raw(body)
    .pad4()
    .u32(total)
    .build();
}

/** One option: code, length, value padded to 4. */
export function option(littleEndian: boolean, code: number, value: Uint8Array): Uint8Array {
  return new Bytes(littleEndian).u16(code).u16(value.length).raw(value).pad4().build();
}

export const END_OF_OPTIONS = new Uint8Array(4);

export function shb(littleEndian: boolean, major = 1): Uint8Array {
  const body = new Bytes(littleEndian).u32(0x1a2b3c4d).u16(major).u16(0).u64(-1n).build();
  return block(littleEndian, 0x0a0d0d0a, body);
}

export interface IdbOptions {
  readonly linkType: number;
  readonly snaplen?: number;
  /** if_tsresol byte. */
  readonly tsresol?: number;
  /** if_tsoffset, seconds. */
  readonly tsoffset?: bigint;
  readonly name?: string;
}

export function idb(littleEndian: boolean, o: IdbOptions): Uint8Array {
  const b = new Bytes(littleEndian)
    .u16(o.linkType)
    .u16(0)
    .u32(o.snaplen ?? 0);
  const opts: Uint8Array[] = [];
  if (o.name !== undefined) opts.push(option(littleEndian, 2, new TextEncoder().encode(o.name)));
  if (o.tsresol !== undefined) opts.push(option(littleEndian, 9, Uint8Array.of(o.tsresol)));
  if (o.tsoffset !== undefined) opts.push(option(littleEndian, 14, new Bytes(littleEndian).u64(o.tsoffset).build()));
  if (opts.length > 0) opts.push(END_OF_OPTIONS);
  return block(littleEndian, 1, concat(b.build(), ...opts));
}

/** Enhanced Packet Block; `units` is the 64-bit timestamp in the interface's resolution. */
export function epb(
  littleEndian: boolean,
  o: { interfaceId: number; units: bigint; data: Uint8Array; originalLength?: number; capturedLength?: number },
): Uint8Array {
  const body = new Bytes(littleEndian)
    .u32(o.interfaceId)
    .u32(Number(o.units >> 32n))
    .u32(Number(o.units & 0xffffffffn))
    .u32(o.capturedLength ?? o.data.length)
    .u32(o.originalLength ?? o.data.length)
    .raw(o.data)
    .build();
  return block(littleEndian, 6, body);
}

/** Simple Packet Block: original length, data. */
export function spb(littleEndian: boolean, o: { data: Uint8Array; originalLength?: number }): Uint8Array {
  const body = new Bytes(littleEndian)
    .u32(o.originalLength ?? o.data.length)
    .raw(o.data)
    .build();
  return block(littleEndian, 3, body);
}

/** Obsolete Packet Block: 16-bit interface id, 16-bit drops count, then as an EPB. */
export function opb(littleEndian: boolean, o: { interfaceId: number; units: bigint; data: Uint8Array }): Uint8Array {
  const body = new Bytes(littleEndian)
    .u16(o.interfaceId)
    .u16(0)
    .u32(Number(o.units >> 32n))
    .u32(Number(o.units & 0xffffffffn))
    .u32(o.data.length)
    .u32(o.data.length)
    .raw(o.data)
    .build();
  return block(littleEndian, 2, body);
}
