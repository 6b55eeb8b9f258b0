/**
 * A simulated disciplined clock for tests, benches and the simulator. The simulator moves "true
 * time" forward explicitly (advanceTo); nothing here reads the wall clock.
 *
 * The clock is an affine mapping over a simulated free-running oscillator (an exact model of a PHC's
 * frequency/step adjustment, and of a virtual clock). Two timestamping models:
 *  - timestampsFollowAdjustment = true: a PHC with hardware timestamping. Frame timestamps are the
 *    clock's own (adjusted) reading, so fromTimestamp(t) = t.
 *  - timestampsFollowAdjustment = false: a virtual clock over a free-running oscillator. Frame
 *    timestamps are the oscillator's reading and fromTimestamp applies the mapping.
 *
 * Frame timestamps carry noise and granularity: the exact value plus noise (uniform in
 * ±timestampNoiseNs, or gaussian with standard deviation timestampNoiseNs), then rounded to the nearest
 * multiple of timestampGranularityNs. Rounding to nearest (not truncation) keeps the quantization
 * zero-mean: a truncating timestamper would add a constant −granularity/2 bias that no servo can see
 * when the master's timestamps are exact.
 */
import type { DisciplinedClock } from './clock.js';
import { Oscillator, type OscillatorOptions, type OscillatorReading } from './oscillator.js';
import { Prng } from './prng.js';
import { localTime, ptpTime, type LocalTime, type PtpTime } from './timePoint.js';
import { fractionBelowOne, VirtualClock } from './virtualClock.js';

export type TimestampNoise = 'uniform' | 'gaussian';

export interface SimClockOptions {
  readonly oscillator: OscillatorOptions;
  readonly timestampsFollowAdjustment: boolean;
  /** Timestamp resolution, ns (8 ns for a 125 MHz PHC). Default 1. */
  readonly timestampGranularityNs?: number;
  /** Uniform: half-width in ns (±). Gaussian: standard deviation in ns. Default 0. */
  readonly timestampNoiseNs?: number;
  readonly timestampNoise?: TimestampNoise;
  /** Seed of the timestamp-noise stream (the oscillator has its own). Default 1. */
  readonly seed?: number;
  /** Largest |frequency adjustment|, ppb. Default 500,000 (500 ppm). */
  readonly maxFrequencyPpb?: number;
  /** Clock reading at the oscillator's start; default the oscillator's start reading. */
  readonly initialReadingNs?: bigint;
}

export class SimClock implements DisciplinedClock {
  readonly kind = 'simulated' as const;
  readonly timestampsFollowAdjustment: boolean;
  readonly maxFrequencyPpb: number;

  private readonly oscillator: Oscillator;
  private readonly mapped: VirtualClock;
  private readonly noise: Prng;
  private readonly granularityNs: number;
  private readonly noiseNs: number;
  private readonly noiseKind: TimestampNoise;
  private trueNs: bigint;

  constructor(options: SimClockOptions) {
    const granularity = options.timestampGranularityNs ?? 1;
    if (!(Number.isInteger(granularity) && granularity >= 1)) {
      throw new RangeError(`timestampGranularityNs must be an integer ≥ 1, got ${granularity}`);
    }
    const noiseNs = options.timestampNoiseNs ?? 0;
    if (!(noiseNs >= 0 && Number.isFinite(noiseNs))) throw new RangeError(`timestampNoiseNs must be ≥ 0, got ${noiseNs}`);
    this.granularityNs = granularity;
    this.noiseNs = noiseNs;
    this.noiseKind = options.timestampNoise ?? 'uniform';
    this.noise = new Prng(options.seed ?? 1);
    this.timestampsFollowAdjustment = options.timestampsFollowAdjustment;
    this.oscillator = new Oscillator(options.oscillator);
    this.trueNs = options.oscillator.startTrueNs ?? 0n;
    const base = (): LocalTime => localTime(this.oscillator.readingAt(this.trueNs).ns);
    const startReading = base();
    this.mapped = new VirtualClock(base, {
      maxFrequencyPpb: options.maxFrequencyPpb ?? 500_000,
      initialTime: ptpTime(options.initialReadingNs ?? startReading),
    });
    this.maxFrequencyPpb = this.mapped.maxFrequencyPpb;
  }

  /** Moves simulated true time forward to `trueNs` (never backwards). */
  advanceTo(trueNs: bigint): void {
    if (trueNs < this.trueNs) throw new RangeError(`simulated time cannot go back from ${this.trueNs} to ${trueNs} ns`);
    this.trueNs = trueNs;
  }

  /** The current simulated true time, ns. */
  trueNow(): bigint {
    return this.trueNs;
  }

  now(): PtpTime {
    return this.mapped.now();
  }

  /** The clock's reading at true time `trueNs` (moves simulated time there first). */
  readingAt(trueNs: bigint): PtpTime {
    this.advanceTo(trueNs);
    return this.now();
  }

  /** The frame timestamp of true instant `trueNs` (moves simulated time there first). */
  timestampAt(trueNs: bigint): LocalTime {
    this.advanceTo(trueNs);
    return this.timestampNow();
  }

  /** The frame timestamp of the current true instant, with noise and granularity. */
  timestampNow(): LocalTime {
    const osc = this.oscillator.readingAt(this.trueNs);
    const exact = this.timestampsFollowAdjustment ? this.exactReading(osc) : osc;
    return localTime(this.quantize(exact.ns, exact.fractionNs + this.drawNoise()));
  }

  /** The timestamp clock's reading now, without noise or granularity (for timers and tick()). */
  localNow(): LocalTime {
    return this.timestampsFollowAdjustment ? localTime(this.mapped.now()) : this.freeRunningNow();
  }

  /** The free-running oscillator's exact reading now (floor), for a provider's base clock. */
  freeRunningNow(): LocalTime {
    return localTime(this.oscillator.readingAt(this.trueNs).ns);
  }

  /** The oscillator's fractional frequency offset now, ppb (what a perfect servo would apply). */
  oscillatorPpb(): number {
    return this.oscillator.frequencyPpbAt(this.trueNs);
  }

  /** Clock reading minus true time now, ns, including the sub-ns part: the error a perfect observer sees. */
  errorNs(): number {
    const exact = this.exactReading(this.oscillator.readingAt(this.trueNs));
    return Number(exact.ns - this.trueNs) + exact.fractionNs;
  }

  fromTimestamp(t: LocalTime): PtpTime {
    return this.timestampsFollowAdjustment ? ptpTime(t) : this.mapped.fromTimestamp(t);
  }

  adjustFrequency(ppb: number): void {
    this.mapped.adjustFrequency(ppb);
  }

  frequencyPpb(): number {
    return this.mapped.frequencyPpb();
  }

  step(deltaNs: bigint): void {
    this.mapped.step(deltaNs);
  }

  /** The mapping applied to the exact (fractional) oscillator reading. */
  private exactReading(osc: OscillatorReading): { ns: bigint; fractionNs: number } {
    const m = this.mapped.mapping();
    const elapsed = osc.ns - m.anchorBase;
    const extra = ((Number(elapsed) + osc.fractionNs) * m.ppb) / 1e9 + osc.fractionNs + m.anchorTimeFractionNs;
    const whole = Math.floor(extra);
    return { ns: m.anchorTime + elapsed + BigInt(whole), fractionNs: fractionBelowOne(extra - whole) };
  }

  private drawNoise(): number {
    if (this.noiseNs === 0) return 0;
    return this.noiseKind === 'uniform' ? this.noise.symmetric(this.noiseNs) : this.noise.gaussian() * this.noiseNs;
  }

  /** Rounds ns + offsetNs to the nearest multiple of the granularity. */
  private quantize(ns: bigint, offsetNs: number): bigint {
    const q = BigInt(this.granularityNs);
    const remainder = ((ns % q) + q) % q;
    const units = Math.round((Number(remainder) + offsetNs) / this.granularityNs);
    return ns - remainder + BigInt(units) * q;
  }
}
