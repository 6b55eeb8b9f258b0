import { describe, expect, it } from 'vitest';
import { SyncPathWitness } from '../../../src/protocol/syncPathWitness.js';
import { scriptedSync, SYNCS_PER_EXCHANGE, witnessExchange, type ScriptedLink } from '../../support/syncPathReadings.js';

/** Exchanges `from` … `from + count − 1`, eight Syncs each; returns the next exchange. */
function feed(w: SyncPathWitness, from: number, count: number, link: ScriptedLink): number {
  for (let x = from; x < from + count; x++) witnessExchange(w, x, link);
  return from + count;
}

describe("SyncPathWitness: the Syncs' own reading of their path, per Pdelay exchange", () => {
  it("reads a path that got 420 µs longer as 420 µs, the clocks' +100 ppm drift taken out along the rate ratio", () => {
    const w = new SyncPathWitness(60);
    const stepAt = 60 * SYNCS_PER_EXCHANGE; // the first Sync of exchange 60
    const link = { rateRatio: 1 + 100e-6, pathNs: (k: number) => 2_000_000 + (k >= stepAt ? 420_000 : 0) };
    const next = feed(w, 0, 60, link);
    const before = w.mark(60);
    feed(w, next, 60, link);
    const after = w.mark(60);
    expect(before).toBeDefined();
    expect(after).toBeDefined();
    const move = SyncPathWitness.moved(before!, after!);
    // 60 s of drift at 100 ppm is 6 ms: taken out to within a few ns of rounding.
    expect(move?.moveNs).toBeCloseTo(420_000, -1);
    // σ(ratio) 50 ppb over √(60 s × 8 s): 1.1 µs.
    expect(move?.sigmaNs).toBeGreaterThan(1_000);
    expect(move?.sigmaNs).toBeLessThan(1_200);
  });

  it('keeps its level when a quarter of the Syncs arrive 0.9–4 ms late (a relay queueing now and then)', () => {
    const w = new SyncPathWitness(60);
    const late = (k: number): number => (k % 4 === 1 ? 900_000 + (k % 7) * 500_000 : 0);
    const next = feed(w, 0, 60, { rateRatio: 1, pathNs: () => 2_000_000 });
    const before = w.mark(60);
    feed(w, next, 60, { rateRatio: 1, pathNs: (k) => 2_000_000 + late(k) });
    const move = SyncPathWitness.moved(before!, w.mark(60)!);
    expect(Math.abs(move?.moveNs ?? NaN)).toBeLessThan(1);
  });

  it('takes as many Syncs as come between two exchanges (128 here: a Sync interval of 2^-7 s)', () => {
    const w = new SyncPathWitness(60);
    const link = { rateRatio: 1 - 20e-6, pathNs: (k: number) => 2_000_000 + (k % 2) * 1_000 };
    for (let x = 0; x < 40; x++) {
      for (let i = 0; i < 128; i++) w.sync(scriptedSync(x * 128 + i, link));
      w.closeExchange();
    }
    // Half the Syncs at +0, half at +1 µs: the median sits between them, steady from exchange to exchange.
    const first = w.mark(20, 20);
    const last = w.mark(20);
    expect(first?.levelNs).toBeDefined();
    expect(Math.abs((last?.levelNs ?? NaN) - (first?.levelNs ?? NaN))).toBeLessThan(1);
  });

  it('gives no mark while fewer than half of the exchanges had a Sync', () => {
    const withSyncs = (exchanges: number): SyncPathWitness => {
      const w = new SyncPathWitness(60);
      feed(w, 0, exchanges, { rateRatio: 1, pathNs: () => 2_000_000 });
      while (exchanges++ < 60) w.closeExchange();
      return w;
    };
    expect(withSyncs(29).mark(60)).toBeUndefined();
    expect(withSyncs(30).mark(60)).toBeDefined();
  });

  it('takes a mark that ends in the past as it was then, until its exchanges leave the history kept', () => {
    const w = new SyncPathWitness(100);
    const link = { rateRatio: 1, pathNs: (k: number) => 2_000_000 + (k >= 60 * SYNCS_PER_EXCHANGE ? 420_000 : 0) };
    let next = feed(w, 0, 60, link);
    const then = w.mark(60);
    const at = w.closedExchanges;
    next = feed(w, next, 40, link);
    expect(w.mark(60, at)).toEqual(then);
    // 100 exchanges kept: one more and the oldest of that window is gone, 59 of 60 still there.
    next = feed(w, next, 1, link);
    expect(w.mark(60, at)?.levelNs).toBeCloseTo(then?.levelNs ?? NaN, 6);
    // 31 more and fewer than half of it are kept: no mark.
    feed(w, next, 31, link);
    expect(w.mark(60, at)).toBeUndefined();
  });

  it('starts over for another grandmaster or time base: their marks are not compared', () => {
    const w = new SyncPathWitness(60);
    let k = feed(w, 0, 10, { rateRatio: 1, pathNs: () => 2_000_000 });
    const first = w.mark(10)!;
    k = feed(w, k, 10, { rateRatio: 1, pathNs: () => 2_000_000, gmTimeBaseIndicator: 1 });
    const second = w.mark(10)!;
    feed(w, k, 10, { rateRatio: 1, pathNs: () => 2_000_000, grandmaster: 0x000001fffe000001n });
    expect(SyncPathWitness.moved(first, second)).toBeUndefined();
    expect(SyncPathWitness.moved(second, w.mark(10)!)).toBeUndefined();
    expect(SyncPathWitness.moved(second, second)).toEqual({ moveNs: 0, sigmaNs: 0 });
  });
});
