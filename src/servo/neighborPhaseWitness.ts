/**
 * What the neighbour's own timestamps say of a change the Syncs show. A rate ratio is measured from
 * the Pdelay answers' t3, stamped by the neighbour's clock, against their t4, stamped by ours, over the
 * ratio's span (802.1AS-2020 11.2.19.3.3). When the neighbour's time moves by Δ inside that span, every
 * ratio whose span holds the move is off by Δ / span, for one span; a change of the Syncs' latency
 * leaves the ratios alone. So when the neighbour is the grandmaster and stamps its Pdelay answers with
 * the time its Syncs carry (ptp4l does: one clock for both), (the frequency a ratio asks for − the one
 * known before) × its span measures how far the grandmaster's time moved, within σ(ratio) × span.
 *
 * Lab, stress-ng on both cores: a run of offsets 2 µs below the clock for 2 s, believed as a change
 * and followed (the true error from −0.9 to +1.1 µs), while the ratio measured inside it read a move
 * of −0.8 µs where a grandmaster's move would have read +2 µs; and captures under the same load show
 * the Syncs' latency on the grandmaster's second port 1–2.1 µs off its usual for up to 20 s in
 * 17 of 20 runs, the Pdelay answers' latency mostly unmoved (docs/accuracy.md, session 33).
 */

/** One rate ratio as a frequency: when it came (s of the timestamp clock), what it asks for, its σ (ppb) and span (s). */
interface WitnessedRate {
  readonly atS: number;
  readonly neededPpb: number;
  readonly sigmaPpb: number;
  readonly spanS: number;
}

/** How far the neighbour's time moved as the ratios say, with its σ and how many ratios say it. */
export interface NeighborMove {
  readonly moveNs: number;
  readonly sigmaNs: number;
  readonly ratios: number;
  /** Their mean span, s: a frequency known before to within σ ppb puts σ × this ns more on the move. */
  readonly spanS: number;
}

/** Ratios kept: at one Pdelay exchange a second, more than any span a change is judged over. */
const KEPT_RATES = 32;

/**
 * A ratio measured at atS over the spanS before it holds instantS (all s of the timestamp clock): a
 * move of the neighbour's time then is in it, by move / span (802.1AS-2020 11.2.19.3.3).
 */
export function spanHolds(atS: number, spanS: number, instantS: number): boolean {
  return atS > instantS && atS - spanS < instantS;
}

export class NeighborPhaseWitness {
  private readonly rates: WitnessedRate[] = [];

  /** A new rate ratio (a Pdelay exchange completed), as the frequency it asks for. */
  observe(atS: number, neededPpb: number, sigmaPpb: number, spanS: number): void {
    if (!(spanS > 0 && Number.isFinite(neededPpb) && Number.isFinite(sigmaPpb))) return;
    this.rates.push({ atS, neededPpb, sigmaPpb, spanS });
    if (this.rates.length > KEPT_RATES) this.rates.shift();
  }

  /**
   * The neighbour's move since sinceS (s of the timestamp clock) against a clock that needed
   * referencePpb before it: the mean over the ratios measured after sinceS whose span holds it. The σ
   * is their mean σ, not divided by √n: successive ratios share most of their exchanges. Undefined
   * while no such ratio exists.
   */
  movedSince(sinceS: number, referencePpb: number): NeighborMove | undefined {
    let moveNs = 0;
    let sigmaNs = 0;
    let spanS = 0;
    let ratios = 0;
    for (const r of this.rates) {
      if (!spanHolds(r.atS, r.spanS, sinceS)) continue;
      // ppb × s = ns.
      moveNs += (r.neededPpb - referencePpb) * r.spanS;
      sigmaNs += r.sigmaPpb * r.spanS;
      spanS += r.spanS;
      ratios++;
    }
    return ratios === 0 ? undefined : { moveNs: moveNs / ratios, sigmaNs: sigmaNs / ratios, ratios, spanS: spanS / ratios };
  }

  clear(): void {
    this.rates.length = 0;
  }
}
