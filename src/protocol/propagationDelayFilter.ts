/**
 * The filter between each Pdelay exchange's propTime and meanLinkDelay (802.1AS-2020 11.2.19.3.4
 * computes propTime per exchange; how it is smoothed is the implementation's, as linuxptp's
 * delay_filter): a moving median of the last `length` exchanges, which ignores a minority of
 * software-timestamp spikes, and a hold on jumps, for the majority it cannot ignore.
 *
 * A path that stalls for seconds (a loaded host, a userland relay) spoils more than half of the
 * window, and the median jumps by the stall, hundreds of µs, although the link did not change: the
 * Syncs after the stall arrive on time, and every offset is then wrong by the jump. Measured in the
 * lab: four such runs in twenty, where both Syntonic and ptp4l moved their clocks by 0.3–1.2 ms. A
 * point-to-point link's delay does not move by more than the window's own spread without a link
 * event (which clears the filter), so a median that leaves the last accepted value by more than
 * max(jumpFloorNs, JUMP_MADS × the spread the window had then) is held until it has stayed away for
 * `holdExchanges` exchanges; one that comes back within the bound is taken as before. A window
 * shorter than three (delay_filter_length 1 or 2: no filtering asked for) is never held.
 */
import { MovingMedian } from './windowedMedian.js';

export interface PropagationDelayFilterOptions {
  /** Exchanges in the median (linuxptp's delay_filter_length). */
  readonly length: number;
  /** The smallest jump that is held, ns. Default 10 µs: far beyond any veth or PHC link's wander. */
  readonly jumpFloorNs?: number;
  /** Exchanges a jumped median must persist before it is believed. Default 30. */
  readonly holdExchanges?: number;
}

export interface PropagationDelayHold {
  /** Exchanges the jump has been held for so far (1 on the first). */
  readonly exchanges: number;
  /** The median that is held off, ns. */
  readonly medianNs: number;
  /** The jump it exceeds, ns. */
  readonly thresholdNs: number;
  /** Exchanges after which the jumped median is believed. */
  readonly limit: number;
}

/** A jump is beyond this many median absolute deviations of the window as it was before the jump. */
export const JUMP_MADS = 8;
export const DEFAULT_JUMP_FLOOR_NS = 10_000;
export const DEFAULT_HOLD_EXCHANGES = 30;
/** Windows shorter than this are never held. */
const MIN_LENGTH_FOR_HOLD = 3;

export class PropagationDelayFilter {
  private readonly window: MovingMedian;
  private readonly jumpFloorNs: number;
  private readonly holdExchanges: number;
  /** A window of one or two has no spread to judge a jump by: it is passed through as configured. */
  private readonly judgesJumps: boolean;
  private accepted: number | undefined;
  /** The window's MAD when the accepted value was taken, ns. */
  private acceptedSpreadNs = 0;
  private heldFor = 0;

  constructor(private readonly options: PropagationDelayFilterOptions) {
    this.window = new MovingMedian(options.length);
    this.jumpFloorNs = options.jumpFloorNs ?? DEFAULT_JUMP_FLOOR_NS;
    this.holdExchanges = options.holdExchanges ?? DEFAULT_HOLD_EXCHANGES;
    this.judgesJumps = options.length >= MIN_LENGTH_FOR_HOLD;
  }

  /** Takes one exchange's propTime (ns) and returns meanLinkDelay (ns). */
  push(propTimeNs: number): number {
    const candidate = this.window.push(propTimeNs);
    const filling = this.window.size < this.options.length;
    if (!this.judgesJumps || this.accepted === undefined || filling || !this.isJump(candidate)) return this.accept(candidate);
    this.heldFor += 1;
    return this.heldFor >= this.holdExchanges ? this.accept(candidate) : this.accepted;
  }

  /** While a jump is held: for how many exchanges, the median that is held off and the threshold it exceeds (ns). */
  get hold(): PropagationDelayHold | undefined {
    return this.heldFor === 0
      ? undefined
      : { exchanges: this.heldFor, medianNs: this.window.median(), thresholdNs: this.jumpThresholdNs, limit: this.holdExchanges };
  }

  /** The threshold a jump must exceed now, ns. */
  get jumpThresholdNs(): number {
    return Math.max(this.jumpFloorNs, JUMP_MADS * this.acceptedSpreadNs);
  }

  clear(): void {
    this.window.clear();
    this.accepted = undefined;
    this.acceptedSpreadNs = 0;
    this.heldFor = 0;
  }

  private isJump(candidate: number): boolean {
    return Math.abs(candidate - (this.accepted as number)) > this.jumpThresholdNs;
  }

  private accept(value: number): number {
    this.accepted = value;
    this.acceptedSpreadNs = this.window.mad();
    this.heldFor = 0;
    return value;
  }
}
