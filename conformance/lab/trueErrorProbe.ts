/**
 * The station's TRUE error, measured from outside: all network namespaces share one CLOCK_REALTIME,
 * and ptp4l as grandmaster with software timestamps sends CLOCK_REALTIME as it is, so the grandmaster's
 * time at any instant is CLOCK_REALTIME at that instant (plus whole seconds if its timescale added
 * some). The probe subscribes to the provider socket like any application (TimeBaseClient) and, a few
 * times a second, reads CLOCK_REALTIME and CLOCK_MONOTONIC_RAW at one instant and extrapolates the
 * provider's synchronized time at that CLOCK_MONOTONIC_RAW reading with the client's own code
 * (TimeExtrapolator): error = synchronized time − CLOCK_REALTIME, with no pairing error beyond the
 * native clock pair's (tens of ns).
 *
 * A grandmaster whose own clock was moved (a ptp4l on vclock.so with an offset, the time-step
 * scenario) sends CLOCK_REALTIME + its offset: `followGrandmasterTime` makes that the truth.
 */
import { realtimeNow, sampleRealtimeAndMonotonicRaw } from '../../src/clock/systemClocks.js';
import { formatClockIdentity } from '../../src/protocol/format.js';
import { TimeBaseClient } from '../../src/provider/client.js';
import { DEFAULT_ERROR_BOUND_MODELS } from '../../src/provider/errorBound.js';
import type { ReceivedSnapshot, SyncStatus } from '../../src/provider/snapshot.js';
import { TimeExtrapolator } from '../../src/provider/timeExtrapolator.js';
import { TruthWatch } from './truthWatch.js';

const NS_PER_S = 1_000_000_000;

export interface TrueErrorSample {
  /** Date.now() ms. */
  readonly atMs: number;
  readonly status: SyncStatus;
  /** Synchronized time − the grandmaster's time (CLOCK_REALTIME unless it was moved) − wholeSeconds, ns. */
  readonly errorNs: number;
  /** Whole seconds between the timescales (0 for ptp4l -S: it sends UTC as it is), s. */
  readonly wholeSeconds: number;
  /** The provider's error bound at that instant, ns. */
  readonly errorBoundNs: number;
  /** In holdover, the provider's estimate of the error at that instant (a typical error), ns. */
  readonly holdoverErrorNs?: number;
  /** The grandmaster the provider reported with that time (`001122.fffe.334455`), null when none. */
  readonly grandmaster: string | null;
}

export interface GrandmasterObservation {
  readonly atMs: number;
  /** parentDS.grandmasterIdentity as `001122.fffe.334455`; null when none is known. */
  readonly identity: string | null;
  readonly priority1: number | null;
}

export interface StatusObservation {
  readonly atMs: number;
  readonly status: SyncStatus;
  readonly reason: string;
}

/** Splits a raw difference into whole seconds and the remainder in (−0.5 s, 0.5 s]. */
export function splitWholeSeconds(rawNs: number): { wholeSeconds: number; errorNs: number } {
  // `|| 0`: no −0 for differences just below zero.
  const wholeSeconds = Math.round(rawNs / NS_PER_S) || 0;
  return { wholeSeconds, errorNs: rawNs - wholeSeconds * NS_PER_S };
}

export class TrueErrorProbe {
  readonly samples: TrueErrorSample[] = [];
  /** Every snapshot status change the subscription reported, in order. */
  readonly statuses: StatusObservation[] = [];
  /** Every change of the grandmaster the provider reported, in order. */
  readonly grandmasters: GrandmasterObservation[] = [];
  /** Whether CLOCK_REALTIME, the truth, held still against CLOCK_MONOTONIC_RAW (truthWatch.ts). */
  readonly truth = new TruthWatch();
  private readonly extrapolator = new TimeExtrapolator();
  private timer: NodeJS.Timeout | undefined;
  private readonly sampleListeners: ((realtimeNs: bigint, grandmasterOffsetNs: number, atMs: number) => void)[] = [];
  /** The grandmaster's time − CLOCK_REALTIME at a CLOCK_REALTIME instant, ns (0: it sends CLOCK_REALTIME). */
  private grandmasterOffset: (realtimeNs: bigint) => number = () => 0;

  private constructor(private readonly client: TimeBaseClient) {
    client.subscribe((s) => this.onSnapshot(s));
  }

  /**
   * Connects to the provider at `socketPath` (retrying while the daemon starts, up to `timeoutMs`)
   * and samples every `intervalMs` (default 250 ms: 4 Hz).
   */
  static async connect(socketPath: string, intervalMs = 250, timeoutMs = 10_000): Promise<TrueErrorProbe> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const client = new TimeBaseClient({ reconnectInitialMs: 50, reconnectMaxMs: 250 });
      try {
        await client.connect(socketPath);
        const probe = new TrueErrorProbe(client);
        probe.timer = setInterval(() => probe.sample(), intervalMs);
        return probe;
      } catch (err) {
        client.close();
        if (Date.now() > deadline) throw err;
        await new Promise((wake) => setTimeout(wake, 100));
      }
    }
  }

  /** The latest snapshot the provider sent. */
  get latest(): ReceivedSnapshot | undefined {
    return this.client.latest;
  }

  /** Resolves when the subscription reports `status` (now or later), or rejects after `timeoutMs`. */
  async statusBecomes(status: SyncStatus, timeoutMs: number, sinceMs = 0): Promise<StatusObservation> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const seen = this.statuses.find((o) => o.atMs >= sinceMs && o.status === status);
      if (seen !== undefined) return seen;
      if (Date.now() > deadline) {
        const last = this.statuses[this.statuses.length - 1];
        throw new Error(`provider status not ${status} within ${timeoutMs} ms (last: ${last?.status ?? 'none'}: ${last?.reason ?? ''})`);
      }
      await new Promise((wake) => setTimeout(wake, 20));
    }
  }

  samplesSince(fromMs: number, toMs = Infinity): TrueErrorSample[] {
    return this.samples.filter((s) => s.atMs >= fromMs && s.atMs <= toMs);
  }

  /**
   * Called with the CLOCK_REALTIME reading of every sample, whether or not the provider has a mapping
   * yet: another true error taken at the very same instant (the lab's ptp4l servo reference), filed
   * under the sample's own `atMs` so that the run record's rows pair them.
   */
  onSample(listener: (realtimeNs: bigint, grandmasterOffsetNs: number, atMs: number) => void): void {
    this.sampleListeners.push(listener);
  }

  /**
   * From now on the truth is the grandmaster's time = CLOCK_REALTIME + `offsetAt(CLOCK_REALTIME)`:
   * for a grandmaster on a moved virtual clock, whose state file says what that offset is.
   */
  followGrandmasterTime(offsetAt: (realtimeNs: bigint) => number): void {
    this.grandmasterOffset = offsetAt;
  }

  /** One measurement now (also called by the timer). */
  sample(): TrueErrorSample | undefined {
    const pair = sampleRealtimeAndMonotonicRaw();
    const atMs = Date.now();
    const realtimeNs = BigInt(pair.realtime);
    this.truth.observe(realtimeNs, BigInt(pair.monotonicRaw), atMs);
    const grandmasterOffsetNs = this.grandmasterOffset(realtimeNs);
    for (const listener of this.sampleListeners) listener(realtimeNs, grandmasterOffsetNs, atMs);
    const t = this.extrapolator.at(pair.monotonicRaw);
    if (t.ptpTime === null) return undefined;
    const { wholeSeconds, errorNs } = splitWholeSeconds(Number(BigInt(t.ptpTime) - realtimeNs) - grandmasterOffsetNs);
    const s: TrueErrorSample = {
      atMs,
      status: t.status,
      errorNs,
      wholeSeconds,
      errorBoundNs: t.errorBoundNs,
      ...(t.holdoverErrorNs === null ? {} : { holdoverErrorNs: t.holdoverErrorNs }),
      grandmaster: this.grandmasters.at(-1)?.identity ?? null,
    };
    this.samples.push(s);
    return s;
  }

  /**
   * The application's own path, TimeBaseClient.now(), read between two CLOCK_REALTIME reads: its
   * error against their midpoint (undefined before a mapping), and the bracket, ns — the pairing is
   * only as good as half the bracket (a few µs in JavaScript), unlike sample()'s.
   */
  clientNow(): { errorNs: number; bracketNs: number } | undefined {
    const before = realtimeNow();
    const t = this.client.now();
    const after = realtimeNow();
    if (t.ptpTime === null) return undefined;
    const midpoint = (BigInt(before) + BigInt(after)) / 2n;
    return { errorNs: splitWholeSeconds(Number(BigInt(t.ptpTime) - midpoint)).errorNs, bracketNs: Number(after - before) };
  }

  close(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.client.close();
  }

  private onSnapshot(s: ReceivedSnapshot): void {
    this.extrapolator.update(s, DEFAULT_ERROR_BOUND_MODELS[s.timestamping]);
    const last = this.statuses[this.statuses.length - 1];
    if (last === undefined || last.status !== s.status) this.statuses.push({ atMs: Date.now(), status: s.status, reason: s.statusReason });
    const identity = s.grandmaster === null ? null : formatClockIdentity(s.grandmaster.identity);
    if (this.grandmasters[this.grandmasters.length - 1]?.identity !== identity) {
      this.grandmasters.push({ atMs: Date.now(), identity, priority1: s.grandmaster?.priority1 ?? null });
    }
  }
}
