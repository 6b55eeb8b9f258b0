import { describe, expect, it } from 'vitest';
import { localTime } from '../../../src/clock/timePoint.js';
import {
  isLateAnswer,
  isLateStart,
  LATE_ANSWER_FLOOR_NS,
  LATE_ANSWER_MIN_EXCHANGES,
  LATE_ANSWER_SIGMAS,
  LATE_START_MIN_EXCHANGES,
  lateRateStartText,
  NeighborRateRatioWindow,
  TIMESCALE_JUMP_FLOOR_NS,
  TIMESCALE_JUMP_RATE,
  timescaleJumpText,
} from '../../../src/protocol/neighborRateRatioWindow.js';
import { SCALED_NS_PER_NS } from '../../../src/protocol/timestamp.js';

const SECOND = 1_000_000_000n;

/** Exchange k of a responder running `ppm` fast, one local second apart, its answer `lateNs` late at t4. */
function ends(k: number, ppm: number, lateNs = 0n): [bigint, ReturnType<typeof localTime>] {
  const responderNs = BigInt(k) * (SECOND + BigInt(ppm * 1000));
  return [responderNs * SCALED_NS_PER_NS, localTime(BigInt(k) * SECOND + lateNs)];
}

describe('isLateAnswer: an exchange whose propTime lies far above its window is no rate-ratio end', () => {
  const window = { size: 60, medianNs: 1000, sigmaNs: 150 };

  it(`is late beyond ${LATE_ANSWER_SIGMAS} σ above the median, and not at it`, () => {
    expect(isLateAnswer(1000 + LATE_ANSWER_SIGMAS * 150 + 1, window)).toBe(true);
    expect(isLateAnswer(1000 + LATE_ANSWER_SIGMAS * 150, window)).toBe(false);
  });

  it('judges one side only: an answer cannot come early, a short propTime is the request path', () => {
    expect(isLateAnswer(1000 - 10 * 150, window)).toBe(false);
  });

  it(`needs ${LATE_ANSWER_FLOOR_NS} ns whatever the σ (hardware timestamps leave a MAD of 0)`, () => {
    const quiet = { size: 60, medianNs: 700, sigmaNs: 0 };
    expect(isLateAnswer(700 + LATE_ANSWER_FLOOR_NS, quiet)).toBe(false);
    expect(isLateAnswer(700 + LATE_ANSWER_FLOOR_NS + 1, quiet)).toBe(true);
  });

  it(`judges nothing before the window holds ${LATE_ANSWER_MIN_EXCHANGES} exchanges, or without a spread`, () => {
    expect(isLateAnswer(1_000_000, { ...window, size: LATE_ANSWER_MIN_EXCHANGES - 1 })).toBe(false);
    expect(isLateAnswer(1_000_000, { ...window, size: LATE_ANSWER_MIN_EXCHANGES })).toBe(true);
    expect(isLateAnswer(1_000_000, { ...window, sigmaNs: NaN })).toBe(false);
  });
});

describe('isLateStart: an end taken before the window could judge it, judged by the exchanges since', () => {
  it(`judges from ${LATE_START_MIN_EXCHANGES} exchanges on, by the same rule as isLateAnswer`, () => {
    const window = { size: LATE_START_MIN_EXCHANGES, medianNs: 2_000, sigmaNs: 150 };
    expect(isLateStart(8_600, window)).toBe(true);
    expect(isLateStart(2_000 + LATE_ANSWER_SIGMAS * 150, window)).toBe(false);
    expect(isLateStart(8_600, { ...window, size: LATE_START_MIN_EXCHANGES - 1 })).toBe(false);
  });

  it("is told in the daemon's log with the propTimes left out and the median that judged them", () => {
    expect(lateRateStartText({ propTimesNs: [26_140], medianNs: 2_051, exchanges: 3 })).toBe(
      'neighborRateRatio is measured from a later exchange: the answer to its first exchange came late (propTime 26.1 µs against a median of 2.05 µs over 3 exchanges)',
    );
    expect(lateRateStartText({ propTimesNs: [9_000, 8_500], medianNs: 2_000, exchanges: 5 })).toMatch(
      /the answers to its first 2 exchanges came late \(propTime 9\.00 µs, 8\.50 µs against a median of 2\.00 µs over 5 exchanges\)$/,
    );
  });
});

describe('NeighborRateRatioWindow (802.1AS-2020 11.2.19.3.3 over a window of exchanges)', () => {
  it('gives nothing from one exchange, then the ratio from the first to the last of length + 1', () => {
    const w = new NeighborRateRatioWindow(4);
    expect(w.push(...ends(0, 50))).toBeUndefined();
    for (let k = 1; k <= 6; k++) {
      const m = w.push(...ends(k, 50));
      expect(m?.ratio).toBeCloseTo(1.00005, 12);
      expect(m?.spanNs).toBe(Math.min(k, 4) * 1e9);
    }
  });

  it('spans the exchanges it was given: one left out moves neither end onto it', () => {
    const w = new NeighborRateRatioWindow(2);
    w.push(...ends(0, 0));
    w.push(...ends(1, 0));
    // Exchange 2 came late and was not pushed: the window runs 0 → 1 → 3, over 3 s.
    const m = w.push(...ends(3, 0));
    expect(m).toEqual({ ratio: 1, spanNs: 3e9 });
  });

  it('starts again from an exchange whose pair is broken (beyond ±1000 ppm), and from the next if it was that one', () => {
    const w = new NeighborRateRatioWindow(8);
    w.push(...ends(0, 0));
    w.push(...ends(1, 0));
    // Exchange 2's t3c is 10 ms off: 5000 ppm over 2 s, and again against exchange 3.
    expect(w.push(ends(2, 0)[0] + 10_000_000n * SCALED_NS_PER_NS, ends(2, 0)[1])).toBeUndefined();
    expect(w.push(...ends(3, 0))).toBeUndefined();
    expect(w.push(...ends(4, 0))).toEqual({ ratio: 1, spanNs: 1e9 });
  });

  it('drops the oldest ends that joined unjudged and are late now, not a judged one, and is unmeasured with one end left', () => {
    const unjudged = (propTimeNs: number) => ({ propTimeNs, judged: false });
    const late = (propTimeNs: number): boolean => propTimeNs > 5_000;
    const w = new NeighborRateRatioWindow(8);
    w.push(...ends(0, 0, 13_000n), unjudged(8_000));
    w.push(...ends(1, 0), unjudged(2_000));
    expect(w.push(...ends(2, 0), unjudged(2_000))?.ratio).toBeCloseTo(2e9 / (2e9 - 13_000), 12);
    expect(w.dropLateStart(late)).toEqual({ droppedPropTimesNs: [8_000], measured: { ratio: 1, spanNs: 1e9 } });
    // Nothing more to drop: the start is on time.
    expect(w.dropLateStart(late)).toEqual({ droppedPropTimesNs: [], measured: undefined });
    // A start the window judged as it joined stays, whatever is said of it later.
    const judged = new NeighborRateRatioWindow(8);
    judged.push(...ends(0, 0, 13_000n), { propTimeNs: 8_000, judged: true });
    judged.push(...ends(1, 0), unjudged(2_000));
    expect(judged.dropLateStart(late).droppedPropTimesNs).toEqual([]);
    // One end left: no ratio.
    const one = new NeighborRateRatioWindow(8);
    one.push(...ends(0, 0, 13_000n), unjudged(8_000));
    one.push(...ends(2, 0), unjudged(2_000));
    expect(one.dropLateStart(late)).toEqual({ droppedPropTimesNs: [8_000], measured: undefined });
  });

  it("tells a move of the neighbour's time from a rate: beyond the floor plus the rate slack over the gap, by the window's ratio", () => {
    const w = new NeighborRateRatioWindow(8);
    // The responder runs +50 ppm; with one end there is no ratio to judge by.
    w.push(...ends(0, 50));
    expect(w.timescaleJumpNs(...ends(1, 50, 0n))).toBeUndefined();
    for (let k = 1; k <= 8; k++) w.push(...ends(k, 50));
    const [t3c, t4] = ends(9, 50);
    const moved = (ns: bigint): bigint => t3c + ns * SCALED_NS_PER_NS;
    // The +50 ppm itself is the window's ratio: no move.
    expect(w.timescaleJumpNs(t3c, t4)).toBeUndefined();
    // One second after the newest end the slack is the floor + 100 µs.
    const slackNs = TIMESCALE_JUMP_FLOOR_NS + TIMESCALE_JUMP_RATE * 1e9;
    expect(w.timescaleJumpNs(moved(BigInt(slackNs) - 1_000n), t4)).toBeUndefined();
    expect(w.timescaleJumpNs(moved(3_000_000n), t4)).toBeCloseTo(3_000_000, 3);
    expect(w.timescaleJumpNs(moved(-3_000_000n), t4)).toBeCloseTo(-3_000_000, 3);
    // Ten seconds after it (requests lost), 1.2 ms is within the floor and 100 ppm of the gap.
    const [t3cLater, t4Later] = ends(18, 50);
    expect(w.timescaleJumpNs(t3cLater + 1_200_000n * SCALED_NS_PER_NS, t4Later)).toBeUndefined();
    expect(w.timescaleJumpNs(t3cLater + 3_000_000n * SCALED_NS_PER_NS, t4Later)).toBeCloseTo(3_000_000, 3);
    expect(timescaleJumpText(3_000_000)).toBe(
      "the neighbour's time moved +3.00 ms against ours between two Pdelay exchanges (a restart or a clock step): neighborRateRatio is measured again from this exchange, the last ratio kept meanwhile",
    );
  });

  it('forgets everything on clear()', () => {
    const w = new NeighborRateRatioWindow(8);
    w.push(...ends(0, 0));
    w.clear();
    expect(w.push(...ends(1, 0))).toBeUndefined();
  });
});
