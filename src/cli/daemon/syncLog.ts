/**
 * What the daemon logs of each Sync the servo was given: ptp4l's `master offset … path delay …` line
 * (or, with a summary_interval longer than the Sync interval, a contribution to the summary line),
 * the servo's notes, and for an offset the servo left out the same line ending `not used: <why>` (its
 * figures on a debug line).
 */
import { offsetLeftOut } from '../../servo/clockDiscipline.js';
import type { SyncRecord } from '../../servo/clockSlave.js';
import { masterOffsetLine, type Log, type SummaryStats } from './log.js';

export function logSyncRecord(r: SyncRecord, log: Log, summary: SummaryStats, perSync: boolean): void {
  const o = r.outcome;
  for (const n of o.notes) log.write('notice', n);
  if (!o.accepted) log.write('debug', `Sync ${r.receipt.sequenceId} not used: ${o.rejectionDetail ?? o.rejection ?? 'rejected'}`);
  // An invalid receipt has no offset to print.
  if (!o.accepted && !offsetLeftOut(o)) return;
  const notUsed = o.accepted ? undefined : (o.rejection ?? 'rejected');
  if (perSync)
    log.write('info', masterOffsetLine(o.offsetNs, o.servoState, o.frequencyPpb, r.receipt.meanLinkDelay, notUsed), {
      offsetNs: o.offsetNs,
      servoState: o.servoState,
      frequencyPpb: o.frequencyPpb,
      pathDelayNs: r.receipt.meanLinkDelay,
      ingressNs: String(r.receipt.ingressTime),
      gmTimeNs: String(r.receipt.gmTime),
      // The frequency as the Pdelay exchanges measure it, beside the offsets (docs/servo.md, "Every rate ratio").
      rateRatio: r.receipt.rateRatio,
      ...(r.receipt.rateRatioSigma === undefined ? {} : { rateRatioSigma: r.receipt.rateRatioSigma }),
      ...(r.receipt.rateRatioSpanS === undefined ? {} : { rateRatioSpanS: r.receipt.rateRatioSpanS }),
      ...(notUsed === undefined ? {} : { notUsed }),
    });
  // The summary line is over the offsets the servo used, as its rms is what the clock follows.
  else if (notUsed === undefined) summary.add(o.offsetNs, o.frequencyPpb, r.receipt.meanLinkDelay);
}
