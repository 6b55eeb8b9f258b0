/**
 * Announce and Sync refused by acceptable_grandmasters / acceptable_masters, logged at a limited
 * rate: the first refusal of each identity at once, then at most one line per identity every
 * INTERVAL_MS with the count of the refusals not shown (a rogue grandmaster sends 8 Syncs a second).
 */
import type { Refusal } from '../../protocol/acceptableMasters.js';
import { formatClockIdentity, formatPortIdentity } from '../../protocol/format.js';
import type { Log } from './log.js';

const INTERVAL_MS = 60_000;
/** Identities remembered at most (forged frames could name endless ones). */
const MAX_IDENTITIES = 64;

export class RefusalLog {
  private readonly seen = new Map<string, { lastLoggedMs: number; suppressed: number }>();

  constructor(
    private readonly log: Log,
    private readonly prefix: string,
    private readonly intervalMs = INTERVAL_MS,
  ) {}

  refused(refusal: Refusal, nowMs: number): void {
    const key = `${refusal.reason} ${formatPortIdentity(refusal.source)} ${refusal.grandmasterIdentity === undefined ? '' : formatClockIdentity(refusal.grandmasterIdentity)}`;
    const entry = this.seen.get(key);
    if (entry !== undefined && nowMs - entry.lastLoggedMs < this.intervalMs) {
      entry.suppressed += 1;
      return;
    }
    const more = entry === undefined || entry.suppressed === 0 ? '' : ` (${entry.suppressed} more refused since the last line)`;
    if (entry === undefined && this.seen.size >= MAX_IDENTITIES) this.seen.clear();
    this.seen.set(key, { lastLoggedMs: nowMs, suppressed: 0 });
    this.log.write('warning', `${this.prefix}: refused Announce/Sync: ${refusal.why}${more}`, { reason: refusal.reason });
  }
}
