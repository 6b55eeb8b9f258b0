import { describe, expect, it } from 'vitest';
import {
  heldJumpText,
  PropagationDelayFilter,
  syncPathHoldText,
  witnessHistory,
  type PropagationDelayHold,
} from '../../../src/protocol/propagationDelayFilter.js';
import { SyncPathWitness } from '../../../src/protocol/syncPathWitness.js';
import { SYNCS_PER_EXCHANGE, witnessExchange, type ScriptedLink } from '../../support/syncPathReadings.js';
import { MovingMedian } from '../../../src/protocol/windowedMedian.js';

const LINK_NS = 2_000_000;

/** Deterministic uniform noise in [−amplitude, +amplitude] (a linear congruential generator). */
function noise(seed: number, amplitude: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return (state / 2 ** 32) * 2 * amplitude - amplitude;
  };
}

/** Feeds the same exchanges to the filter and to a plain moving median; returns both outputs per exchange. */
function run(values: readonly number[], length = 10): { filtered: number[]; plainMedian: number[] } {
  const filter = new PropagationDelayFilter({ length });
  const plain = new MovingMedian(length);
  return { filtered: values.map((v) => filter.push(v)), plainMedian: values.map((v) => plain.push(v)) };
}

describe('PropagationDelayFilter: meanLinkDelay from each exchange propTime', () => {
  it('holds its value through a stall that spoils more than half of the window (the relay runs of the lab)', () => {
    const jitter = noise(1, 2_000);
    const normal = (n: number): number[] => Array.from({ length: n }, () => LINK_NS + jitter());
    // Six exchanges in a row 650 µs long: a path that stalled for six seconds, then on time again.
    const values = [...normal(20), ...Array.from({ length: 6 }, () => LINK_NS + 650_000 + jitter()), ...normal(20)];
    const { filtered, plainMedian } = run(values);
    expect(Math.max(...plainMedian) - LINK_NS).toBeGreaterThan(300_000);
    for (const v of filtered.slice(10)) expect(Math.abs(v - LINK_NS)).toBeLessThan(3_000);
  });

  it('holds its value through a backlog that builds up over a dozen exchanges, each step below the jump threshold', () => {
    // The lab's shape (relay-delay: ±35 µs of relay jitter, then 2.1 → 3.4 ms over twelve exchanges).
    const jitter = noise(4, 35_000);
    const normal = (n: number): number[] => Array.from({ length: n }, () => LINK_NS + jitter());
    const backlog = Array.from({ length: 12 }, (_, k) => LINK_NS + 110_000 * (k + 1) + jitter());
    const values = [...normal(40), ...backlog, ...normal(20)];
    const { filtered, plainMedian } = run(values);
    const steps = plainMedian.slice(41).map((v, i) => v - (plainMedian[40 + i] as number));
    // The plain median climbs by more than 0.7 ms, in steps no larger than a few backlog exchanges.
    expect(Math.max(...plainMedian) - LINK_NS).toBeGreaterThan(700_000);
    expect(Math.max(...steps)).toBeLessThan(300_000);
    // It lets the median move by less than one jump threshold (8 MAD of this jitter, ~120 µs), then holds.
    for (const v of filtered.slice(10)) expect(Math.abs(v - LINK_NS)).toBeLessThan(100_000);
  });

  it('keeps holding a backlog that climbs for longer than holdExchanges: it never settles at a level', () => {
    const jitter = noise(6, 35_000);
    const normal = (n: number): number[] => Array.from({ length: n }, () => LINK_NS + jitter());
    const backlog = Array.from({ length: 40 }, (_, k) => LINK_NS + 40_000 * (k + 1) + jitter());
    const { filtered, plainMedian } = run([...normal(40), ...backlog, ...normal(20)]);
    expect(Math.max(...plainMedian) - LINK_NS).toBeGreaterThan(1_000_000);
    for (const v of filtered.slice(10)) expect(Math.abs(v - LINK_NS)).toBeLessThan(150_000);
  });

  it('follows a real change once it has persisted, and judges the next exchanges by the new value', () => {
    const filter = new PropagationDelayFilter({ length: 5, holdExchanges: 6 });
    for (let i = 0; i < 20; i++) filter.push(1_000 + (i % 3) * 100);
    const out = Array.from({ length: 16 }, () => filter.push(500_000));
    // The median jumps with the third new value, is held for six exchanges and believed on the sixth.
    expect(out.slice(0, 7).every((v) => v < 2_000)).toBe(true);
    expect(out.slice(7)).toEqual(Array.from({ length: 9 }, () => 500_000));
    expect(filter.hold).toBeUndefined();
  });

  it('believes a jump that persists for holdExchanges exchanges', () => {
    const filter = new PropagationDelayFilter({ length: 5, holdExchanges: 4 });
    for (let i = 0; i < 10; i++) filter.push(1_000);
    const out: number[] = [];
    for (let i = 0; i < 8; i++) out.push(filter.push(80_000));
    // The median jumps with the third new value; held for that and the next two, believed on the fourth.
    expect(out).toEqual([1_000, 1_000, 1_000, 1_000, 1_000, 80_000, 80_000, 80_000]);
    expect(filter.hold).toBeUndefined();
  });

  it('reports the hold while it lasts: exchanges, the median held off and the threshold', () => {
    const filter = new PropagationDelayFilter({ length: 3, holdExchanges: 10 });
    for (let i = 0; i < 3; i++) filter.push(5_000);
    filter.push(60_000);
    expect(filter.hold).toBeUndefined();
    filter.push(60_000);
    expect(filter.hold).toEqual({ exchanges: 1, medianNs: 60_000, referenceNs: 5_000, thresholdNs: 10_000, limit: 10 });
  });

  it('follows wander within the window spread exactly as the moving median does', () => {
    const jitter = noise(2, 150);
    const values = Array.from({ length: 200 }, (_, i) => 1_300 + 500 * Math.sin(i / 20) + jitter());
    const { filtered, plainMedian } = run(values);
    expect(filtered).toEqual(plainMedian);
  });

  it('scales the jump threshold with a noisy link spread: ±35 µs of relay jitter is never held', () => {
    const jitter = noise(3, 35_000);
    const values = Array.from({ length: 500 }, () => LINK_NS + jitter());
    const filter = new PropagationDelayFilter({ length: 10 });
    const plain = new MovingMedian(10);
    for (const v of values) {
      expect(filter.push(v)).toBe(plain.push(v));
      expect(filter.hold).toBeUndefined();
    }
    // The threshold grew with the spread, beyond the 10 µs floor and the jitter itself.
    expect(filter.jumpThresholdNs).toBeGreaterThan(35_000);
  });

  it('never holds a window of one or two (delay_filter_length 1: no filtering asked for)', () => {
    const filter = new PropagationDelayFilter({ length: 1 });
    expect([1_000, 900_000, 1_000, 50_000].map((v) => filter.push(v))).toEqual([1_000, 900_000, 1_000, 50_000]);
    expect(filter.hold).toBeUndefined();
  });

  it('takes the first window as it comes, and again after clear() (a new neighbour, a link event)', () => {
    const filter = new PropagationDelayFilter({ length: 3 });
    expect([filter.push(1_000), filter.push(900_000), filter.push(900_000)]).toEqual([1_000, 450_500, 900_000]);
    filter.clear();
    expect([filter.push(40_000), filter.push(40_000), filter.push(40_000)]).toEqual([40_000, 40_000, 40_000]);
  });
});

describe("PropagationDelayFilter: a jump that persists, judged by the Syncs' own path", () => {
  const STALL_NS = 425_000; // half of one direction queued 0.85 ms (lab, relay-asymmetry)

  /**
   * 60 exchanges on time, then `stalled` whose propTime reads STALL_NS longer, then 80 on time again;
   * the Syncs' path moves by syncMoveNs over the same stretch. Each exchange's Syncs are witnessed
   * before its propTime is pushed, as the initiator does. Returns meanLinkDelay per exchange and the holds.
   */
  function stallRun(opts: { stalled: number; syncMoveNs: number; rateRatioSigma?: ScriptedLink['rateRatioSigma']; witness?: boolean }) {
    const w = new SyncPathWitness(witnessHistory(60));
    const filter = new PropagationDelayFilter({ length: 60, ...(opts.witness === false ? {} : { witness: w }) });
    const jitter = noise(11, 3_000);
    const inStall = (x: number): boolean => x >= 60 && x < 60 + opts.stalled;
    const exchangeOf = (k: number): number => Math.floor(k / SYNCS_PER_EXCHANGE);
    const link: ScriptedLink = {
      rateRatio: 1 + 2e-6,
      ...(opts.rateRatioSigma === undefined ? {} : { rateRatioSigma: opts.rateRatioSigma }),
      pathNs: (k) => LINK_NS + jitter() + (inStall(exchangeOf(k)) ? opts.syncMoveNs : 0),
    };
    const delays: number[] = [];
    const holds: (PropagationDelayHold | undefined)[] = [];
    const words: string[] = [];
    for (let x = 0; x < 60 + opts.stalled + 80; x++) {
      witnessExchange(w, x, link);
      const delay = filter.push(LINK_NS + jitter() + (inStall(x) ? STALL_NS : 0));
      const hold = filter.hold;
      delays.push(delay);
      holds.push(hold);
      if (hold?.exchanges === 1) words.push(heldJumpText(hold, delay));
      if (hold?.syncPath?.first === true) words.push(syncPathHoldText(hold, hold.syncPath, delay));
    }
    return { delays, holds, words };
  }

  it('keeps holding a jump of 425 µs that lasts 100 exchanges while the Syncs keep their time, and says so once', () => {
    const { delays, holds } = stallRun({ stalled: 100, syncMoveNs: 0 });
    for (const d of delays.slice(60)) expect(Math.abs(d - LINK_NS)).toBeLessThan(5_000);
    const found = holds.filter((h) => h?.syncPath?.first === true);
    expect(found).toHaveLength(1);
    expect(Math.abs(found[0]?.syncPath?.moveNs ?? NaN)).toBeLessThan(5_000);
    // The daemon's two warnings, in order: the jump held, then why it stays held.
    const { words } = stallRun({ stalled: 100, syncMoveNs: 0 });
    expect(words).toHaveLength(2);
    expect(words[0]).toMatch(
      /^link delay median 2\.2\d ms jumped beyond [\d.]+ µs from 2\.0\d ms, meanLinkDelay held at 2\.0\d ms unless the jump persists for 30 exchanges/,
    );
    expect(words[1]).toMatch(
      /^link delay median 2\.4\d ms has stayed 42\d µs above meanLinkDelay 2\.0\d ms for 30 exchanges while the Syncs' own path moved [+−][\d.]+ (ns|µs) \(± [\d.]+ (ns|µs)\): held as long as/,
    );
    // Without the Syncs' word the same run believes the jump (the lab's run: the clock went 0.37 ms off).
    const blind = stallRun({ stalled: 100, syncMoveNs: 0, witness: false });
    expect(Math.max(...blind.delays) - LINK_NS).toBeGreaterThan(400_000);
  });

  it('believes a link that got 425 µs longer both ways, when the Syncs say so, exactly as without them', () => {
    const seen = stallRun({ stalled: 100, syncMoveNs: STALL_NS });
    const blind = stallRun({ stalled: 100, syncMoveNs: STALL_NS, witness: false });
    expect(seen.delays).toEqual(blind.delays);
    expect(Math.max(...seen.delays) - LINK_NS).toBeGreaterThan(400_000);
    expect(seen.holds.some((h) => h?.syncPath !== undefined)).toBe(false);
  });

  it('keeps a jump the Syncs contradicted held when they can no longer tell (the stall widening the ratio σ they are judged by)', () => {
    // σ(ratio) 50 ppb until exchange 100 (the contradiction is found at ~120), then 20 ppm: 'cannot tell'.
    const widening = (k: number): number => (Math.floor(k / SYNCS_PER_EXCHANGE) < 125 ? 50e-9 : 20e-6);
    const { delays, holds } = stallRun({ stalled: 100, syncMoveNs: 0, rateRatioSigma: widening });
    for (const d of delays.slice(60)) expect(Math.abs(d - LINK_NS)).toBeLessThan(5_000);
    expect(holds.filter((h) => h?.syncPath?.first === true)).toHaveLength(1);
    expect(holds.slice(130, 160).every((h) => h?.syncPath !== undefined)).toBe(true);
  });

  it('believes the jump as before when the Syncs cannot tell: a rate ratio known to 20 ppm drifts them by more than a quarter of it', () => {
    const vague = stallRun({ stalled: 100, syncMoveNs: 0, rateRatioSigma: 20e-6 });
    expect(vague.delays).toEqual(stallRun({ stalled: 100, syncMoveNs: 0, witness: false }).delays);
  });
});
