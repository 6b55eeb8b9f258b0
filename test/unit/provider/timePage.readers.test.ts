/**
 * C, Python and TypeScript read the same synchronized time. The daemon's page writer publishes a
 * snapshot; the gcc-compiled reader (include/syntonic/time_page.h), the stdlib Python reader
 * (python/syntonic_time_page.py) and a TimeBaseClient subscribed to a provider serving the same
 * snapshot are asked for the time at the same CLOCK_MONOTONIC_RAW instants: gPTP times beyond 2^53 ns,
 * rates from 1 to ±200 ppm, instants before the mapping, just after it and hours later.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Prng } from '../../../src/clock/prng.js';
import { monotonicRawNow } from '../../../src/clock/systemClocks.js';
import { monotonicRawTime, ptpTime, type MonotonicRawTime } from '../../../src/clock/timePoint.js';
import { TimeBaseClient } from '../../../src/provider/client.js';
import { TimeBaseProvider } from '../../../src/provider/server.js';
import type { Snapshot, SyncStatus, Timescale } from '../../../src/provider/snapshot.js';
import { timePageFields, TimePageWriter } from '../../../src/provider/timePage.js';
import { compileC, repositoryRoot } from '../../support/cProgram.js';
import { needs } from '../../support/peers.js';
import { sampleSnapshot, tempDir } from '../../support/providerFixtures.js';

interface Reading {
  readonly code: number;
  readonly raw: bigint;
  readonly ptp: bigint | null;
  readonly utc: bigint | null;
  readonly utcValid: boolean;
  readonly bound: number | null;
  readonly status: SyncStatus;
  readonly secondsSinceSync: number | null;
  readonly utcOffset: number;
  readonly leapSecond: boolean;
  /** +1 insert, −1 delete, 0 none. */
  readonly leapPending: number;
}

/** The `at` output of both readers: code raw ptp utc utc_valid bound status seconds utc_offset leap_second leap_pending ("-": none). */
function parseReadings(text: string): Reading[] {
  return text
    .trim()
    .split('\n')
    .map((line) => {
      const [code, raw, ptp, utc, utcValid, bound, status, seconds, utcOffset, leapSecond, leapPending] = line.split(' ');
      const opt = <T>(s: string | undefined, f: (s: string) => T): T | null => (s === undefined || s === '-' ? null : f(s));
      return {
        code: Number(code),
        raw: BigInt(raw ?? '0'),
        ptp: opt(ptp, BigInt),
        utc: opt(utc, BigInt),
        utcValid: utcValid === '1',
        bound: opt(bound, Number),
        status: status as SyncStatus,
        secondsSinceSync: opt(seconds, Number),
        utcOffset: Number(utcOffset),
        leapSecond: leapSecond === '1',
        leapPending: Number(leapPending),
      };
    });
}

/** 1 + 2^-20 makes ties of the rounding at ±2^19 ns (±0.5 ns) and ±3 × 2^19 ns (±1.5 ns). */
const RATES = [1 + 2 ** -20, 1, 1 + 1e-9, 1.000_000_012, 1 - 3.7e-5, 1 + 2e-4, 1 - 2e-4, 0.999_999_999_5];
const NS_PER_HOUR = 3_600_000_000_000n;

/** Scenario i: a mapping up to 1 s before now (instants go hours after it), a rate, a Sync before the mapping, a status, UTC flags. */
function scenario(i: number, prng: Prng, now: bigint): Snapshot {
  const agoNs = [0n, 250_000_000n, 1_000_000_000n, 100_000_000n][i % 4] ?? 0n;
  const mappingRaw = now - agoNs;
  const ptpNs = 1_764_600_000_000_000_000n + BigInt(Math.floor(prng.uniform() * 1e15));
  const rate = i < RATES.length ? (RATES[i] ?? 1) : 1 + prng.symmetric(2e-4);
  const statuses: SyncStatus[] = ['synchronized', 'unstable', 'lost'];
  const status = statuses[i % 3] ?? 'lost';
  // Lost after a synchronization: holdover, whose estimate the bound's terms must hold too.
  const initialErrorNs = prng.uniform() * 3000;
  const holdover =
    status === 'lost'
      ? {
          since: monotonicRawTime(mappingRaw),
          estimatedErrorNs: initialErrorNs,
          initialErrorNs,
          stabilityPpb: prng.uniform() * 2000,
          driftPpbPerS: prng.uniform() * 100,
          frequencyPpb: 0,
        }
      : null;
  return sampleSnapshot({
    status,
    holdover,
    mapping: { monotonicRaw: monotonicRawTime(mappingRaw), ptpTime: ptpTime(ptpNs), rateRatio: rate },
    lastSync: monotonicRawTime(mappingRaw - BigInt(Math.floor(prng.uniform() * 200e6))),
    offsetFromMasterRmsNs: prng.uniform() * 5000,
    timestamping: i % 2 === 0 ? 'software' : 'hardware',
    utc: { currentUtcOffset: 37, currentUtcOffsetValid: i % 4 !== 3, leap59: i % 5 === 1, leap61: i % 5 === 0, ptpTimescale: i % 7 !== 6 },
    timescale: timescaleOf(i, ptpNs),
  });
}

/**
 * What src/protocol/timeProperties.ts would derive, varied: UTC unknown, announced or assumed, and a
 * leap second inserted or deleted 1.5 s after the mapping (the instants cross it).
 */
function timescaleOf(i: number, mappingPtpNs: bigint): Timescale {
  const at = mappingPtpNs + 1_500_000_000n;
  switch (i % 5) {
    case 0:
      return { tai: true, utc: { offset: 37, source: 'grandmaster', leap: { kind: 'insert', atPtpNs: at, offsetAfter: 38 } }, utcUnknownReason: null };
    case 1:
      return { tai: true, utc: { offset: 37, source: 'grandmaster', leap: { kind: 'delete', atPtpNs: at, offsetAfter: 36 } }, utcUnknownReason: null };
    case 2:
      return { tai: false, utc: null, utcUnknownReason: "UTC unknown: the grandmaster's timescale is arbitrary" };
    case 3:
      return { tai: false, utc: { offset: 0, source: 'configuration', leap: null }, utcUnknownReason: null };
    default:
      return { tai: true, utc: { offset: 37, source: 'grandmaster', leap: null }, utcUnknownReason: null };
  }
}

/** Instants around the mapping: before it, ties of the rounding, seconds and hours after. */
function instants(s: Snapshot, prng: Prng): bigint[] {
  const m = BigInt(s.mapping?.monotonicRaw ?? 0n);
  const ties = [1n << 19n, -(1n << 19n), 3n << 19n, -(3n << 19n)];
  const fixed = [...ties, -1_000_000_000n, -1n, 0n, 1n, 499_999_999n, 500_000_000n, 1_000_000_000n, 3_999_999_999n, NS_PER_HOUR, 5n * NS_PER_HOUR];
  const random = Array.from({ length: 40 }, () => BigInt(Math.floor(prng.uniform() * 4e9)));
  return [...fixed, ...random].map((d) => m + d);
}

const gate = needs('time page: C and Python readers against TimeBaseClient', 'gcc', 'python3');

describe.skipIf(gate.skip)('C, Python and TimeBaseClient at the same CLOCK_MONOTONIC_RAW instants', () => {
  const tmp = tempDir('syntonic-page-readers-');
  let reader = '';
  /** The same reader built for this CPU (FMA where it has it): the header keeps products rounded. */
  let nativeReader = '';
  let writer: TimePageWriter;
  let provider: TimeBaseProvider;
  let client: TimeBaseClient;
  let clockNs = 0n;
  const clock = (): MonotonicRawTime => monotonicRawTime(clockNs);

  beforeAll(async () => {
    reader = compileC('test/c/timePageReader.c');
    nativeReader = compileC('test/c/timePageReader.c', { flags: ['-march=native'] });
    writer = await TimePageWriter.open(join(tmp.dir, 'run', 'time.page'));
    provider = await TimeBaseProvider.listen(sampleSnapshot(), { socketPath: join(tmp.dir, 'p.sock'), minUpdateIntervalMs: 0 });
    client = new TimeBaseClient({ monotonicRawClock: clock });
    await client.connect(join(tmp.dir, 'p.sock'));
  });

  afterAll(async () => {
    client.close();
    await provider.close();
    writer.close();
    tmp.remove();
  });

  it('agree within 1 ns on the time, to the ceiling on the error bound, and on status, UTC and age', async () => {
    const prng = new Prng(15);
    let compared = 0;
    let exact = 0;
    let leapSeconds = 0;
    let afterLeap = 0;
    for (let i = 0; i < 14; i++) {
      const snapshot = scenario(i, prng, BigInt(monotonicRawNow()));
      // Fresh as of the mapping, so that the readers' staleness rule (5 s without an update) applies
      // to the instants hours later only.
      writer.write({ ...timePageFields(snapshot), writtenRawNs: BigInt(snapshot.mapping?.monotonicRaw ?? 0n) });
      provider.publish(snapshot);
      const target = snapshot.mapping?.ptpTime;
      for (let t = 0; client.latest?.mapping?.ptpTime !== target; t++) {
        if (t > 200) throw new Error('the client never received the snapshot');
        await new Promise((r) => setTimeout(r, 5));
      }
      const at = instants(snapshot, prng);
      const input = at.map((r) => `${r}\n`).join('');
      const c = spawnSync(reader, ['at', writer.path], { input, encoding: 'utf8' });
      const py = spawnSync('python3', [join(repositoryRoot(), 'python/syntonic_time_page.py'), '--at', writer.path], { input, encoding: 'utf8' });
      expect(c.stderr).toBe('');
      expect(py.stderr).toBe('');
      const cs = parseReadings(c.stdout);
      const ps = parseReadings(py.stdout);
      expect(cs).toHaveLength(at.length);
      expect(ps).toEqual(cs);
      expect(spawnSync(nativeReader, ['at', writer.path], { input, encoding: 'utf8' }).stdout).toBe(c.stdout);
      const lastSync = BigInt(snapshot.lastSync ?? 0n);
      at.forEach((raw, j) => {
        clockNs = raw;
        const ts = client.now();
        const r = cs[j] as Reading;
        expect(r.code).toBe(0);
        expect(r.raw).toBe(raw);
        const diff = (r.ptp ?? 0n) - (ts.ptpTime ?? 0n);
        expect(diff <= 1n && diff >= -1n, `scenario ${i}, instant ${raw}: C ${r.ptp}, TimeBaseClient ${ts.ptpTime}`).toBe(true);
        if (diff === 0n) exact++;
        compared++;
        // The readers round the bound up to whole ns (floor + 1): a guard time never shrinks. (Their
        // polynomial is evaluated per ns, which may differ from TimeBaseClient's in the last bits.)
        expect((r.bound ?? NaN) - ts.errorBoundNs).toBeGreaterThan(-1e-6);
        expect((r.bound ?? NaN) - ts.errorBoundNs).toBeLessThanOrEqual(1 + 1e-6);
        // To the ns (a double of 18 000 s still resolves ~4 ps).
        expect(Math.abs((r.secondsSinceSync ?? NaN) - Number(raw - lastSync) / 1e9)).toBeLessThan(1e-9);
        // UTC, its offset and the leap second exactly as TimeBaseClient derives them.
        expect(r.utcValid).toBe(ts.utc !== null);
        expect(r.utc).toBe(ts.utc === null ? null : BigInt(ts.utc));
        if (ts.utcOffset !== null) expect(r.utcOffset).toBe(ts.utcOffset);
        expect(r.leapSecond).toBe(ts.leapSecond);
        expect(r.leapPending).toBe(ts.leapPending === null ? 0 : ts.leapPending === 'insert' ? 1 : -1);
        if (ts.leapSecond) leapSeconds++;
        if (ts.utc !== null && ts.utcOffset !== snapshot.timescale.utc?.offset) afterLeap++;
        // Within 5 s of the update the page's status is the daemon's; hours later nobody rewrote it,
        // and the readers say lost, as TimeBaseClient does once the daemon is unreachable.
        expect(r.status).toBe(raw - BigInt(snapshot.mapping?.monotonicRaw ?? 0n) <= 5_000_000_000n ? snapshot.status : 'lost');
      });
    }
    console.info(
      `time page readers: ${compared} instants, C = Python everywhere, C = TimeBaseClient to the ns at ${exact}; ${afterLeap} after a leap, ${leapSeconds} in 23:59:60`,
    );
    expect(exact).toBe(compared);
    // The instants did cross the leap seconds.
    expect(afterLeap).toBeGreaterThan(20);
    expect(leapSeconds).toBeGreaterThan(0);
  }, 60_000);
});
