/**
 * ptp4l's sanity_freq_limit, on the offsets: two offsets whose difference over the time between them
 * implies a frequency error beyond the limit mean the clock was changed behind the servo's back (or
 * the grandmaster's time moved), and the servo must start again.
 *
 * One offset cannot say so. A Sync held up on its way (a relay or a host that stalls for tens of
 * milliseconds) gives one offset far from the others, and resetting on it lets the reset servo step
 * the clock by the whole stall (46 ms in a lab run). ptp4l's own check compares the clock's progress
 * with CLOCK_MONOTONIC and so never sees a late frame; this check sees offsets, so it asks for the
 * new level to be confirmed: the offset after the suspect one must agree with the suspect and not with
 * the level before it. A burst of late Syncs released together does not agree with itself (each
 * left a Sync interval after the other and arrived at once), so it confirms nothing either, and no
 * member of it ends the suspicion: only an offset that arrived on its own can say where the level is.
 * What the check cannot tell is a late Sync that follows a gap closely enough to look consistent; the
 * Syncs after it then confirm the level they are on, and the reset servo steps by nothing.
 */
import type { LocalTime } from '../clock/timePoint.js';

export type ClockCheckVerdict =
  /** Consistent with the offset before it (or nothing to compare with). */
  | 'consistent'
  /** Beyond the limit from the level before: held until the next offset says whether it stays. */
  | 'suspect'
  /** The next offset confirmed the suspect's new level: the servo must be reset. */
  | 'confirmed';

interface OffsetAt {
  readonly offsetNs: number;
  readonly local: LocalTime;
}

/** Offsets arriving closer than this after the one before were held up together, ns (Syncs leave 7.8 ms apart at 128/s, 125 ms at 8/s). */
const BURST_NS = 1_000_000n;

export class ClockCheck {
  private lastConsistent: OffsetAt | undefined;
  private lastLocal: LocalTime | undefined;
  private suspect: OffsetAt | undefined;
  private suspectPpb = 0;

  /** @param limitPpb sanity_freq_limit, ppb; 0 disables the check. */
  constructor(private readonly limitPpb: number) {}

  /** Judges one offset against the level before it; `judge` false only records it (the servo is not locked). */
  sample(offsetNs: number, local: LocalTime, judge: boolean): ClockCheckVerdict {
    const here: OffsetAt = { offsetNs, local };
    const before = this.lastConsistent;
    const inBurst = this.lastLocal !== undefined && local - this.lastLocal < BURST_NS;
    this.lastLocal = local;
    // Local time that did not advance (a step moved the timestamps' clock) compares nothing.
    if (this.limitPpb <= 0 || !judge || before === undefined || here.local <= before.local) return this.consistent(here);
    if (inBurst && this.suspect !== undefined) return 'suspect';
    if (this.agree(before, here)) return this.consistent(here);
    const suspect = this.suspect;
    if (suspect !== undefined && this.agree(suspect, here)) {
      this.consistent(here);
      return 'confirmed';
    }
    this.suspect = here;
    this.suspectPpb = impliedPpb(before, here) ?? Number.POSITIVE_INFINITY;
    return 'suspect';
  }

  /** The frequency error the last suspect implied against the level before it, ppb. */
  jumpPpb(): number {
    return this.suspectPpb;
  }

  /** Forget every offset (a step, a new grandmaster): the next one starts a new level. */
  reset(): void {
    this.lastConsistent = undefined;
    this.lastLocal = undefined;
    this.suspect = undefined;
  }

  private consistent(here: OffsetAt): 'consistent' {
    this.lastConsistent = here;
    this.suspect = undefined;
    return 'consistent';
  }

  private agree(a: OffsetAt, b: OffsetAt): boolean {
    // Arrived together (a burst released at once) implies no frequency: nothing agrees with it.
    const implied = impliedPpb(a, b);
    return implied !== undefined && Math.abs(implied) <= this.limitPpb;
  }
}

/** The frequency error from `a` to `b` implies, ppb (undefined when no time passed between them). */
function impliedPpb(a: OffsetAt, b: OffsetAt): number | undefined {
  const elapsedNs = Number(b.local - a.local);
  return elapsedNs > 0 ? ((b.offsetNs - a.offsetNs) / elapsedNs) * 1e9 : undefined;
}
