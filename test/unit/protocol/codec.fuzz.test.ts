/**
 * Robustness: a million random and mutated frames (real fixture frames with bit flips, cuts,
 * rewritten length fields, spliced tails) go through decodeFrame. Nothing throws, nothing hangs,
 * every result is a decoded frame that re-encodes to the same octets or a DecodeError whose kind
 * is one of the union's, naming a field and an offset.
 */
import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame } from '../../../src/protocol/codec.js';
import type { DecodeErrorKind } from '../../../src/protocol/decodeError.js';
import { ethernetFrames, fixtureCaptures, toHexString } from '../../support/codecFixtures.js';

const FRAMES = 1_000_000;
const SEED = 0x5eed_c0de;
const KINDS: ReadonlySet<DecodeErrorKind> = new Set(['notPtp', 'truncated', 'badMessageLength', 'unsupportedVersion', 'badNanoseconds', 'badTlv', 'badValue']);

/** mulberry32: a small deterministic PRNG, so a failure can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** PTP frames of every fixture (the mutation seeds), the payload offset of each remembered. */
function seedFrames(): Uint8Array[] {
  const seeds: Uint8Array[] = [];
  for (const path of fixtureCaptures()) {
    for (const f of ethernetFrames(path)) {
      const r = decodeFrame(f.bytes);
      if (r.ok || r.error.kind !== 'notPtp') seeds.push(f.bytes);
    }
  }
  return seeds;
}

type Mutation = (b: Uint8Array, random: () => number) => Uint8Array;
const int = (random: () => number, n: number): number => Math.floor(random() * n);

const MUTATIONS: readonly Mutation[] = [
  // flip 1–8 bits anywhere
  (b, r) => {
    const m = b.slice();
    for (let k = 1 + int(r, 8); k > 0 && m.length > 0; k--) m[int(r, m.length)] ^= 1 << int(r, 8);
    return m;
  },
  // cut the frame short
  (b, r) => b.slice(0, int(r, b.length + 1)),
  // rewrite messageLength (octets 16–17 of an untagged frame) to anything, or off by a little
  (b, r) => {
    const m = b.slice();
    if (m.length < 18) return m;
    const old = (m[16] << 8) | m[17];
    const v = r() < 0.5 ? int(r, 0x10000) : Math.max(0, old + int(r, 17) - 8);
    m[16] = v >> 8;
    m[17] = v & 0xff;
    return m;
  },
  // rewrite a 16-bit word past the header (TLV type/lengthField, ports, timestamps)
  (b, r) => {
    const m = b.slice();
    if (m.length < 50) return m;
    const at = 48 + 2 * int(r, (m.length - 48) >> 1);
    const v = r() < 0.3 ? 0xffff : int(r, 0x10000);
    m[at] = v >> 8;
    if (at + 1 < m.length) m[at + 1] = v & 0xff;
    return m;
  },
  // append random octets (trailers, extra TLVs)
  (b, r) => {
    const extra = Uint8Array.from({ length: 1 + int(r, 40) }, () => int(r, 256));
    const m = new Uint8Array(b.length + extra.length);
    m.set(b);
    m.set(extra, b.length);
    return m;
  },
  // random octets behind a PTP ethertype
  (_b, r) => {
    const m = Uint8Array.from({ length: int(r, 120) }, () => int(r, 256));
    if (m.length >= 14) {
      m[12] = 0x88;
      m[13] = 0xf7;
    }
    if (m.length >= 16 && r() < 0.7) m[15] = (m[15] & 0xf0) | 2; // versionPTP 2 most of the time
    return m;
  },
];

describe('fuzzing decodeFrame', () => {
  it(`${FRAMES} random and mutated frames: no exception, only typed errors, decoded frames re-encode exactly`, () => {
    const random = prng(SEED);
    const seeds = seedFrames();
    expect(seeds.length).toBeGreaterThan(1000);
    const counts = new Map<string, number>();
    const problems: string[] = [];
    for (let i = 0; i < FRAMES && problems.length < 5; i++) {
      const input = MUTATIONS[int(random, MUTATIONS.length)](seeds[int(random, seeds.length)], random);
      let key: string;
      try {
        const r = decodeFrame(input);
        if (r.ok) {
          key = 'ok';
          // Lossless even for mutated input: re-encoding a decoded frame gives the same octets.
          if (toHexString(encodeFrame(r.value)) !== toHexString(input)) problems.push(`#${i}: re-encoding differs for ${toHexString(input)}`);
        } else {
          key = r.error.kind;
          const e = r.error;
          if (!KINDS.has(e.kind) || e.field.length === 0 || !Number.isInteger(e.offset) || e.offset < 0 || e.message.length === 0) {
            problems.push(`#${i}: malformed error ${JSON.stringify(e)}`);
          }
        }
      } catch (err) {
        key = 'exception';
        problems.push(`#${i}: ${String(err)} for ${toHexString(input)}`);
      }
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(problems).toEqual([]);
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    expect(total).toBe(FRAMES);
    // The mutations reach every kind of rejection (badValue only comes from a bad decode range).
    for (const kind of ['ok', 'notPtp', 'truncated', 'badMessageLength', 'unsupportedVersion', 'badNanoseconds', 'badTlv']) {
      expect(counts.get(kind) ?? 0, `results of kind ${kind}`).toBeGreaterThan(100);
    }
    console.log(`fuzz (seed 0x${SEED.toString(16)}): ${JSON.stringify(Object.fromEntries(counts))}`);
  }, 120_000);
});
