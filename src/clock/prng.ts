/**
 * A small seeded pseudo-random generator for the simulator and the servo tests: runs are reproducible
 * from a seed, with no dependence on Math.random or the wall clock.
 *
 * The core is xoshiro128** (Blackman and Vigna, 2018): 128 bits of state, period 2^128 − 1, good
 * statistical quality for simulation (not for cryptography). The state is seeded from one 32-bit seed
 * through splitmix32 so that nearby seeds give unrelated streams.
 */
export class Prng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  /** The second Box–Muller value, kept for the next gaussian() call. */
  private spareGaussian: number | undefined;

  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new RangeError(`PRNG seed must be a finite number, got ${seed}`);
    let x = Math.trunc(seed) >>> 0;
    const next = (): number => {
      // splitmix32: spreads one 32-bit seed over the four state words.
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    // xoshiro's state must not be all zero.
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** The next 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 = (this.s2 ^ this.s0) >>> 0;
    this.s3 = (this.s3 ^ this.s1) >>> 0;
    this.s1 = (this.s1 ^ this.s2) >>> 0;
    this.s0 = (this.s0 ^ this.s3) >>> 0;
    this.s2 = (this.s2 ^ t) >>> 0;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1), 53 bits of resolution. */
  uniform(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low) / 9007199254740992;
  }

  /** Uniform in [−halfWidth, +halfWidth). */
  symmetric(halfWidth: number): number {
    return (this.uniform() * 2 - 1) * halfWidth;
  }

  /** Standard normal (mean 0, standard deviation 1), by the Box–Muller transform. */
  gaussian(): number {
    if (this.spareGaussian !== undefined) {
      const g = this.spareGaussian;
      this.spareGaussian = undefined;
      return g;
    }
    let u = this.uniform();
    while (u === 0) u = this.uniform(); // log(0) is −∞
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareGaussian = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
