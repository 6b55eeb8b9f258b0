/**
 * A filter over meanLinkDelay (802.1AS-2020 10.2.5.8) as the servo sees it, against delay spikes: a
 * single Pdelay exchange with a software-timestamp spike of tens of µs would otherwise move the
 * grandmaster time of every Sync until the next exchange.
 *
 *  - 'median': median of the last `length` measurements (robust to up to (length−1)/2 spikes);
 *  - 'min': minimum of the last `length` (queueing only ever adds delay; biased low under white noise);
 *  - 'none': passes the value through.
 *
 * The engine repeats one meanLinkDelay for every Sync until the next Pdelay exchange, so a value is
 * taken as a new measurement only when it differs from the previous one.
 */
import { MovingMedian } from '../protocol/windowedMedian.js';

export type LinkDelayFilterKind = 'median' | 'min' | 'none';

export interface LinkDelayFilterOptions {
  readonly kind?: LinkDelayFilterKind;
  /** Measurements in the window. Default 5. */
  readonly length?: number;
}

export class LinkDelayFilter {
  readonly kind: LinkDelayFilterKind;
  private readonly window: MovingMedian;
  private lastInput: number | undefined;

  constructor(options: LinkDelayFilterOptions = {}) {
    this.kind = options.kind ?? 'median';
    const length = options.length ?? 5;
    if (!Number.isInteger(length) || length < 1) {
      throw new RangeError(`linkDelayFilter.length must be a positive integer, got ${length}`);
    }
    this.window = new MovingMedian(length);
  }

  /** Takes the meanLinkDelay of a Sync (ns) and returns the filtered delay (ns). */
  push(meanLinkDelayNs: number): number {
    if (this.kind === 'none') return meanLinkDelayNs;
    // One value per Pdelay exchange: consecutive Syncs repeat the same meanLinkDelay.
    if (meanLinkDelayNs !== this.lastInput) {
      this.lastInput = meanLinkDelayNs;
      this.window.push(meanLinkDelayNs);
    }
    return this.value();
  }

  value(): number {
    return this.kind === 'min' ? this.window.min() : this.window.median();
  }

  clear(): void {
    this.window.clear();
    this.lastInput = undefined;
  }
}
