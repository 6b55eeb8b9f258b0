/**
 * The impairment relay (conformance/relay/relay.c) between two veth pairs: it delays each direction
 * by what it was told (never less: the delay counts from the relay's kernel receive timestamp), keeps
 * frame order, and drops frames with a seeded, repeatable pattern.
 *
 *   [a] ──veth── [relay] ──veth── [b]      forward a→b = delay + asymmetry, reverse = delay − asymmetry
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { buildClockGuard, REPOSITORY_ROOT } from '../../conformance/lab/clockGuard.js';
import { LabProcess } from '../../conformance/lab/labProcess.js';
import { Lab, type VethLink } from '../../conformance/lab/netns.js';
import { quantile } from '../../conformance/lab/stats.js';
import { buildRelay, Relay, type Impairment, type RelayStats } from '../../conformance/relay/relay.js';
import { needs } from '../support/peers.js';

const PROBE = join(REPOSITORY_ROOT, 'conformance/relay/frameProbe.py');
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const DELAY_NS = 2_000_000;
const ASYMMETRY_NS = 500_000;
/** The sender reads its clock before send(); its own overhead and the two veth hops stay well below this. */
const OVERHEAD_ALLOWANCE_NS = 300_000;

interface Received {
  readonly frames: readonly (readonly [seq: number, oneWayNs: number])[];
}

const gate = needs('lab: impairment relay', 'netns', 'setpriv', 'gcc', 'python3');

describe.skipIf(gate.skip)('impairment relay', () => {
  const lab = new Lab();
  let guard = '';
  let relayBinary = '';
  let a = '';
  let b = '';
  let left: VethLink;
  let right: VethLink;

  beforeAll(async () => {
    guard = buildClockGuard(lab.tempDir('guard'));
    relayBinary = buildRelay(lab.tempDir('relay'));
    a = lab.namespace('a');
    const r = lab.namespace('r');
    b = lab.namespace('b');
    left = await lab.veth(a, r);
    right = await lab.veth(r, b);
  });

  afterAll(async () => {
    await lab.cleanup();
  });

  /** Sends `count` frames each way at 100 Hz through a relay with `impairment`. */
  async function exchange(impairment: Impairment, count: number): Promise<{ forward: Received; reverse: Received; stats: RelayStats }> {
    const relay = await Relay.start(lab, guard, relayBinary, left.b.namespace, left.b.name, right.a.name, impairment);
    const atB = new LabProcess('receiver b', lab, b, [PYTHON, PROBE, 'receive', right.b.name, '1.5'], guard);
    const atA = new LabProcess('receiver a', lab, a, [PYTHON, PROBE, 'receive', left.a.name, '1.5'], guard);
    await atB.waitForLine(/"ready"/, 5_000);
    await atA.waitForLine(/"ready"/, 5_000);
    const fromA = new LabProcess('sender a', lab, a, [PYTHON, PROBE, 'send', left.a.name, String(count), '10'], guard);
    const fromB = new LabProcess('sender b', lab, b, [PYTHON, PROBE, 'send', right.b.name, String(count), '10'], guard);
    await Promise.all([fromA.exited, fromB.exited]);
    const forward = JSON.parse((await atB.waitForLine(/"frames"/, 10_000)).text) as Received;
    const reverse = JSON.parse((await atA.waitForLine(/"frames"/, 10_000)).text) as Received;
    return { forward, reverse, stats: await relay.stop() };
  }

  it('delays each direction by delay ± asymmetry, never less, and keeps the order', async () => {
    const { forward, reverse, stats } = await exchange({ delayNs: DELAY_NS, asymmetryNs: ASYMMETRY_NS }, 100);
    const expected = [...Array(100).keys()];
    expect(forward.frames.map(([seq]) => seq)).toEqual(expected);
    expect(reverse.frames.map(([seq]) => seq)).toEqual(expected);
    const forwardNs = forward.frames.map(([, d]) => d).sort((x, y) => x - y);
    const reverseNs = reverse.frames.map(([, d]) => d).sort((x, y) => x - y);
    console.info(
      `relay: forward one-way min ${forwardNs[0]} median ${quantile(forwardNs, 0.5)} ns, reverse min ${reverseNs[0]} median ${quantile(reverseNs, 0.5)} ns; ` +
        `lateness median ${stats.forward.latenessMedianNs} p99 ${stats.forward.latenessP99Ns} max ${stats.forward.latenessMaxNs} ns`,
    );
    expect(forwardNs[0]).toBeGreaterThanOrEqual(DELAY_NS + ASYMMETRY_NS);
    expect(reverseNs[0]).toBeGreaterThanOrEqual(DELAY_NS - ASYMMETRY_NS);
    expect(quantile(forwardNs, 0.5)).toBeLessThan(DELAY_NS + ASYMMETRY_NS + OVERHEAD_ALLOWANCE_NS);
    expect(quantile(reverseNs, 0.5)).toBeLessThan(DELAY_NS - ASYMMETRY_NS + OVERHEAD_ALLOWANCE_NS);
    expect(stats.forward).toMatchObject({ frames: 100, sent: 100, dropped: 0, delayNs: 2_500_000 });
    expect(stats.reverse).toMatchObject({ frames: 100, sent: 100, dropped: 0, delayNs: 1_500_000 });
  });

  it('adds the reverse shift to the frames towards a received inside its window, and to no other', async () => {
    const shiftNs = 850_000;
    const inside = await exchange({ delayNs: DELAY_NS, reverseShift: { extraNs: shiftNs, fromMs: 0, toMs: 600_000 } }, 50);
    const before = await exchange({ delayNs: DELAY_NS, reverseShift: { extraNs: shiftNs, fromMs: 600_000, toMs: 700_000 } }, 50);
    const sorted = (r: Received): number[] => r.frames.map(([, d]) => d).sort((x, y) => x - y);
    // Towards a (the grandmaster side): shifted inside the window only; towards b never.
    expect(sorted(inside.reverse)[0]).toBeGreaterThanOrEqual(DELAY_NS + shiftNs);
    expect(quantile(sorted(inside.reverse), 0.5)).toBeLessThan(DELAY_NS + shiftNs + OVERHEAD_ALLOWANCE_NS);
    expect(quantile(sorted(inside.forward), 0.5)).toBeLessThan(DELAY_NS + OVERHEAD_ALLOWANCE_NS);
    expect(quantile(sorted(before.reverse), 0.5)).toBeLessThan(DELAY_NS + OVERHEAD_ALLOWANCE_NS);
    expect(inside.reverse.frames.map(([seq]) => seq)).toEqual([...Array(50).keys()]);
  });

  it('drops about the configured share, the same frames for the same seed', async () => {
    const first = await exchange({ delayNs: DELAY_NS, lossProbability: 0.2, seed: 7 }, 100);
    const second = await exchange({ delayNs: DELAY_NS, lossProbability: 0.2, seed: 7 }, 100);
    const other = await exchange({ delayNs: DELAY_NS, lossProbability: 0.2, seed: 8 }, 100);
    const lostForward = (r: { forward: Received }): number[] => {
      const got = new Set(r.forward.frames.map(([seq]) => seq));
      return [...Array(100).keys()].filter((s) => !got.has(s));
    };
    // 200 Bernoulli(0.2) draws: 40 expected, 20..60 is beyond ±3.5 σ (σ ≈ 5.7).
    expect(first.stats.forward.dropped + first.stats.reverse.dropped).toBeGreaterThanOrEqual(20);
    expect(first.stats.forward.dropped + first.stats.reverse.dropped).toBeLessThanOrEqual(60);
    expect(first.forward.frames.length).toBe(100 - first.stats.forward.dropped);
    expect(lostForward(second)).toEqual(lostForward(first));
    expect(lostForward(other)).not.toEqual(lostForward(first));
  });
});
