/**
 * Capture timestamps in units of 10^-k or 2^-n seconds, converted to integer ns exactly with bigint.
 *
 * pcapng (draft-ietf-opsawg-pcapng, if_tsresol): a byte whose high bit clear means 10^-value s per
 * unit, high bit set means 2^-(value & 0x7f) s; absent means 10^-6. if_tsoffset is a signed number
 * of seconds added to every timestamp of the interface.
 *
 * When a unit is not a whole number of ns (10^-k with k > 9, 2^-n with n ≥ 1) the result is rounded
 * to the nearest ns, halves rounded up (towards +∞): ns = floor((units × 10^9 + U/2) / U), U = units
 * per second.
 */
const NS_PER_S = 1_000_000_000n;
const TWO_POW_32 = 4_294_967_296;
const TWO_POW_32N = 4_294_967_296n;

export interface TimestampResolution {
  /** 10 or 2. */
  readonly base: 10 | 2;
  /** One unit is base^-exponent seconds. */
  readonly exponent: number;
}

export const MICROSECONDS: TimestampResolution = { base: 10, exponent: 6 };
export const NANOSECONDS: TimestampResolution = { base: 10, exponent: 9 };

/** Decodes the if_tsresol option byte. */
export function resolutionFromTsresol(byte: number): TimestampResolution {
  return (byte & 0x80) !== 0 ? { base: 2, exponent: byte & 0x7f } : { base: 10, exponent: byte };
}

export function unitsPerSecond(r: TimestampResolution): bigint {
  return BigInt(r.base) ** BigInt(r.exponent);
}

/** "10^-9 s" or "2^-30 s", for summaries. */
export function describeResolution(r: TimestampResolution): string {
  return `${r.base}^-${r.exponent} s`;
}

const enum Path {
  /** 10^-9: the 64-bit value is already ns. */
  Nanoseconds,
  /** 10^-k, 0 ≤ k < 9: a whole number of ns per unit; split into seconds + remainder as numbers. */
  WholeNs,
  /** Anything else: bigint arithmetic with rounding. */
  General,
}

/**
 * Converts (high 32 bits, low 32 bits) timestamps of one interface. Keeps the last seconds (or high
 * word) it converted, because consecutive frames nearly always share it and a bigint product per
 * frame is the dominant cost.
 */
export class TimestampConverter {
  private readonly path: Path;
  private readonly units: bigint;
  private readonly unitsNum: number;
  private readonly nsPerUnit: number;
  private readonly offsetNs: bigint;
  // Caches: one instance is used either through fromUnits or through fromSeconds.
  private lastHigh = -1;
  private lastHighBaseNs = 0n;
  private lastSeconds = -1;
  private lastSecondsBaseNs = 0n;

  constructor(resolution: TimestampResolution, offsetSeconds: bigint = 0n) {
    this.units = unitsPerSecond(resolution);
    this.unitsNum = Number(this.units);
    this.offsetNs = offsetSeconds * NS_PER_S;
    if (resolution.base === 10 && resolution.exponent === 9) {
      this.path = Path.Nanoseconds;
    } else if (resolution.base === 10 && resolution.exponent < 9) {
      this.path = Path.WholeNs;
    } else if (resolution.base === 2 && resolution.exponent === 0) {
      this.path = Path.WholeNs; // 1 s units
    } else {
      this.path = Path.General;
    }
    this.nsPerUnit = this.path === Path.General ? 0 : 1e9 / this.unitsNum;
  }

  /** A 64-bit count of units (pcapng EPB/OPB) to ns since 1970, if_tsoffset included. */
  fromUnits(high: number, low: number): bigint {
    if (this.path === Path.Nanoseconds) {
      if (high !== this.lastHigh) {
        this.lastHigh = high;
        this.lastHighBaseNs = BigInt(high) * TWO_POW_32N + this.offsetNs;
      }
      return this.lastHighBaseNs + BigInt(low);
    }
    if (this.path === Path.WholeNs && high < 0x200000) {
      // high < 2^21: the 64-bit value is below 2^53 and exact as a number.
      const value = high * TWO_POW_32 + low;
      let seconds = Math.floor(value / this.unitsNum);
      let rest = value - seconds * this.unitsNum;
      // The float division may round across an integer; the exact remainder puts it right.
      if (rest < 0) {
        seconds -= 1;
        rest += this.unitsNum;
      } else if (rest >= this.unitsNum) {
        seconds += 1;
        rest -= this.unitsNum;
      }
      return this.fromSeconds(seconds, rest);
    }
    return this.general((BigInt(high) << 32n) | BigInt(low));
  }

  /**
   * Seconds plus a fraction counted in units (classic pcap: ts_sec and ts_usec/ts_nsec). The fraction
   * may exceed one second (broken writers); it is added as is (Wireshark prints such a time
   * unnormalized, e.g. "10.1500000000" for 10 s + 1,500,000 µs).
   */
  fromSeconds(seconds: number, fraction: number): bigint {
    if (seconds !== this.lastSeconds) {
      this.lastSeconds = seconds;
      this.lastSecondsBaseNs = BigInt(seconds) * NS_PER_S + this.offsetNs;
    }
    if (this.path === Path.General) return this.lastSecondsBaseNs + this.general(BigInt(fraction)) - this.offsetNs;
    // fraction × nsPerUnit stays below 2^53 for the µs and ns fractions of classic pcap (< 2^32 × 1000).
    return this.lastSecondsBaseNs + BigInt(fraction * this.nsPerUnit);
  }

  private general(units: bigint): bigint {
    return (units * NS_PER_S + this.units / 2n) / this.units + this.offsetNs;
  }
}
