/**
 * The grandmaster time of a Sync's ingress (802.1AS-2020 10.2.13 / 11.2.14.2.1): origin + corrections +
 * link delay, in whole ns and a fraction. The receiver sums the small parts in float64; this checks it
 * against the exact sum done in bigint scaled ns (2^-16 ns), including the bigint fallback.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { grandmasterTime as grandmasterTimeOf } from '../../../src/protocol/clockSlaveSync.js';
import { nsToTimestamp } from '../../../src/protocol/timestamp.js';

/** The origin as the wire carries it: a Timestamp made from ns. */
const grandmasterTime = (originNs: bigint, correction: bigint, linkDelayNs: number): { ns: bigint; fractionNs: number } =>
  grandmasterTimeOf(nsToTimestamp(originNs), correction, linkDelayNs);

function exact(originNs: bigint, correction: bigint, linkDelayNs: number): { ns: bigint; fractionNs: number } {
  const scaled = originNs * 65_536n + correction + BigInt(Math.round(linkDelayNs * 65_536));
  let ns = scaled / 65_536n;
  if (scaled % 65_536n !== 0n && scaled < 0n) ns -= 1n;
  return { ns, fractionNs: Number(scaled - ns * 65_536n) / 65_536 };
}

describe('grandmasterTime', () => {
  it('is origin + correctionField + link delay exactly, whole ns by floor and the fraction kept', () => {
    // 1 s of origin, 1.5 ns of correction (98304 scaled), 700.25 ns of link: 1 000 000 701.75 ns.
    expect(grandmasterTime(1_000_000_000n, 98_304n, 700.25)).toEqual({ ns: 1_000_000_701n, fractionNs: 0.75 });
    // A negative link delay (asymmetry) borrows from the whole ns: 10 ns − 0.5 ns = 9 ns + 0.5.
    expect(grandmasterTime(10n, 0n, -0.5)).toEqual({ ns: 9n, fractionNs: 0.5 });
  });

  it('agrees with the bigint sum for TAI-sized origins, any plausible correction and link delays', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: (1n << 48n) * 1_000_000_000n - 1n }),
        fc.bigInt({ min: 0n, max: 2n * 1_000_000_000n * 65_536n }),
        fc.double({ min: -1e6, max: 1e8, noNaN: true }),
        (origin, correction, link) => {
          expect(grandmasterTime(origin, correction, link)).toEqual(exact(origin, correction, link));
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('takes the exact bigint path when the correction is beyond float64 integers', () => {
    const huge = 1n << 60n;
    expect(grandmasterTime(5n, huge + 3n, 0.25)).toEqual(exact(5n, huge + 3n, 0.25));
  });
});
