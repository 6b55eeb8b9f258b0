/**
 * One-way latency of software-timestamped frames as recorded on veth (conformance/sim/recordVethNoise.ts,
 * fixtures/noise/): a distribution stored as quantiles, drawn from by inverse transform sampling
 * (a uniform draw, linear interpolation between neighbouring quantiles). The quantiles are dense in
 * the tail (p99, p99.5, p99.9, max), so the heavy one-sided tail of late frames is kept.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Prng } from '../../src/clock/prng.js';

/** Probabilities at which quantiles are stored: every percent, then the tail. */
export const QUANTILE_PROBABILITIES: readonly number[] = [...Array.from({ length: 100 }, (_, i) => i / 100), 0.995, 0.999, 1];

export interface LatencyQuantiles {
  /** ns, one per QUANTILE_PROBABILITIES entry, non-decreasing. */
  readonly quantilesNs: readonly number[];
  readonly frames: number;
}

/** The recorded noise of one machine: the two paths a gPTP station's frames take. */
export interface RecordedNoise {
  readonly provenance: Readonly<Record<string, string | number>>;
  /** Frames sent on a timer after the CPUs idled (Sync, Pdelay_Req): the colder path. */
  readonly timer: LatencyQuantiles;
  /** Frames sent right after a receipt (Pdelay_Resp): the warm path. */
  readonly answer: LatencyQuantiles;
  /**
   * The first seconds after both ends started (fresh processes: cold caches, the JIT at work), from
   * several short sessions: what the first Pdelay exchanges, and so the start-up rate ratio, see.
   */
  readonly startup?: {
    readonly seconds: number;
    readonly sessions: number;
    readonly timer: LatencyQuantiles;
    readonly answer: LatencyQuantiles;
    /**
     * The first answer of each session alone: consistently 2–4× the steady answer latency (a cold path
     * through the responder), it is what biases a rate ratio measured over the first few exchanges.
     */
    readonly firstAnswer: LatencyQuantiles;
  };
}

export function quantilesOf(valuesNs: readonly number[]): LatencyQuantiles {
  const sorted = [...valuesNs].sort((a, b) => a - b);
  if (sorted.length === 0) throw new RangeError('no latencies to take quantiles of');
  const at = (p: number): number => {
    const x = p * (sorted.length - 1);
    const i = Math.floor(x);
    const lo = sorted[i] as number;
    const hi = sorted[Math.min(sorted.length - 1, i + 1)] as number;
    return Math.round(lo + (hi - lo) * (x - i));
  };
  return { quantilesNs: QUANTILE_PROBABILITIES.map(at), frames: sorted.length };
}

/** A latency drawn from the distribution, ns. */
export function drawLatencyNs(q: LatencyQuantiles, random: Prng): number {
  const u = random.uniform();
  const ps = QUANTILE_PROBABILITIES;
  let i = 1;
  while (i < ps.length - 1 && (ps[i] as number) < u) i++;
  const p0 = ps[i - 1] as number;
  const p1 = ps[i] as number;
  const q0 = q.quantilesNs[i - 1] as number;
  const q1 = q.quantilesNs[i] as number;
  return q0 + ((q1 - q0) * (u - p0)) / (p1 - p0);
}

/** The distribution's median, ns. */
export function medianNs(q: LatencyQuantiles): number {
  return q.quantilesNs[QUANTILE_PROBABILITIES.indexOf(0.5)] as number;
}

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'fixtures', 'noise');

/** fixtures/noise/NAME.json (from dist/conformance/sim or conformance/sim alike). */
export function loadRecordedNoise(name = 'veth-software'): RecordedNoise {
  return readNoiseFixture(name) as RecordedNoise;
}

/** fixtures/noise/NAME.json, parsed (from dist/conformance/sim or conformance/sim alike). */
export function readNoiseFixture(name: string): unknown {
  const candidates = [join(FIXTURES, `${name}.json`), join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'noise', `${name}.json`)];
  for (const path of candidates) {
    try {
      return JSON.parse(readFileSync(path, 'utf8')) as unknown;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  throw new Error(`recorded noise ${name} not found (looked in ${candidates.join(', ')})`);
}
