/**
 * The neighbour's rate ratios as a witness of its time moving (src/servo/neighborPhaseWitness.ts): a
 * ratio whose span holds a move of Δ asks for Δ / span more than the clock needed before.
 */
import { describe, expect, it } from 'vitest';
import { NeighborPhaseWitness } from '../../../src/servo/neighborPhaseWitness.js';

describe('NeighborPhaseWitness', () => {
  it("reads a grandmaster's move of +2 µs from a ratio over 8 s asking 250 ppb more than before", () => {
    const w = new NeighborPhaseWitness();
    w.observe(99, 10, 40, 8);
    w.observe(101, 260, 40, 8);
    const move = w.movedSince(100, 10);
    expect(move?.moveNs).toBeCloseTo(2_000, 6);
    expect(move?.sigmaNs).toBeCloseTo(320, 6);
    expect(move?.ratios).toBe(1);
  });

  it('takes only the ratios measured after the instant whose span holds it, their mean and mean σ', () => {
    const w = new NeighborPhaseWitness();
    w.observe(100, 500, 40, 8); // at the instant: its span ends there
    w.observe(101, 250, 40, 8);
    w.observe(102, 200, 60, 8);
    w.observe(109, 900, 40, 8); // its span began after the instant
    const move = w.movedSince(100, 0);
    expect(move?.moveNs).toBeCloseTo((250 * 8 + 200 * 8) / 2, 6);
    expect(move?.sigmaNs).toBeCloseTo((40 * 8 + 60 * 8) / 2, 6);
    expect(move?.ratios).toBe(2);
  });

  it('says nothing without such a ratio, nor after clear()', () => {
    const w = new NeighborPhaseWitness();
    w.observe(99, 10, 40, 8);
    expect(w.movedSince(100, 0)).toBeUndefined();
    w.observe(101, 10, 40, 8);
    w.clear();
    expect(w.movedSince(100, 0)).toBeUndefined();
  });

  it('ignores a ratio without a span or with a value that is not a number', () => {
    const w = new NeighborPhaseWitness();
    w.observe(101, 10, 40, 0);
    w.observe(101, Number.NaN, 40, 8);
    expect(w.movedSince(100, 0)).toBeUndefined();
  });
});
