/**
 * What the daemon logs of each Sync the servo was given: ptp4l's `master offset … path delay …` line
 * (or, with a summary_interval longer than the Sync interval, a contribution to the summary line),
 * the servo's notes, and for an offset the servo left out the same line ending `not used: <why>`.
 */
import type { SyncRecord } from '../../servo/clockSlave.js';
import { masterOffsetLine, type Log, type SummaryStats } from './log.js';

export function logSyncRecord(r: SyncRecord, log: Log, summary: SummaryStats, perSync: boolean): void {
  const o = r.outcome;
  if (!o.accepted && !Number.isFinite(o.offsetNs)) {
    log.write('debug', `Sync ${r.receipt.sequenceId} not used: ${o.rejection ?? 'rejected'}`);
    return;
  }
  // A left-out offset's own notes only repeat why (the line says it): kept for debugging.
  for (const n of o.notes) log.write(o.accepted ? 'notice' : 'debug', n);
  const notUsed = o.accepted ? undefined : (o.rejection ?? 'rejected');
  if (perSync)
    log.write('info', masterOffsetLine(o.offsetNs, o.servoState, o.frequencyPpb, r.receipt.meanLinkDelay, notUsed), {
      offsetNs: o.offsetNs,
      servoState: o.servoState,
      frequencyPpb: o.frequencyPpb,
      pathDelayNs: r.receipt.meanLinkDelay,
      ingressNs: String(r.receipt.ingressTime),
      gmTimeNs: String(r.receipt.gmTime),
      ...(notUsed === undefined ? {} : { notUsed }),
    });
  // The summary line is over the offsets the servo used, as its rms is what the clock follows.
  else if (notUsed === undefined) summary.add(o.offsetNs, o.frequencyPpb, r.receipt.meanLinkDelay);
}
