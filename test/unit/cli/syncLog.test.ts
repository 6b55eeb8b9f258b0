import { describe, expect, it } from 'vitest';
import { logSyncRecord } from '../../../src/cli/daemon/syncLog.js';
import { SummaryStats, type Log, type LogLevel } from '../../../src/cli/daemon/log.js';
import { localTime, ptpTime } from '../../../src/clock/timePoint.js';
import type { SyncRecord } from '../../../src/servo/clockSlave.js';
import type { SyncOutcome } from '../../../src/servo/clockDiscipline.js';
import { ServoState } from '../../../src/servo/servoState.js';

interface Written {
  readonly level: LogLevel;
  readonly message: string;
  readonly fields: Record<string, unknown>;
}

function recordingLog(): { log: Log; lines: Written[] } {
  const lines: Written[] = [];
  return { lines, log: { write: (level, message, fields = {}) => lines.push({ level, message, fields }) } };
}

function record(sequenceId: number, outcome: Partial<SyncOutcome>): SyncRecord {
  return {
    receipt: {
      sequenceId,
      sourcePortIdentity: { clockIdentity: 1n, portNumber: 1 },
      grandmasterIdentity: 1n,
      ingressTime: localTime(2_000_000_000n),
      gmTime: ptpTime(1_999_999_000n),
      gmTimeFractionNs: 0,
      rateRatio: 1,
      neighborRateRatio: 1,
      meanLinkDelay: 812,
      logSyncInterval: -3,
      gmTimeBaseIndicator: 0,
      lastGmPhaseChange: 0n,
      scaledLastGmFreqChange: 0,
    },
    outcome: { accepted: true, offsetNs: -40, servoState: ServoState.locked, frequencyPpb: 12, events: [], notes: [], ...outcome },
  };
}

describe('the daemon log of each Sync (ptp4l prints every offset it measures)', () => {
  it('prints an offset the servo left out as a master offset line ending with why, its figures at debug', () => {
    const { log, lines } = recordingLog();
    const summary = new SummaryStats();
    logSyncRecord(record(1, {}), log, summary, true);
    const detail = "offset 31250 ns is an outlier for the servo's noise model";
    logSyncRecord(record(2, { accepted: false, rejection: 'offset outlier', rejectionDetail: detail, offsetNs: 31_250 }), log, summary, true);
    const offsetLines = lines.filter((l) => l.message.startsWith('master offset'));
    expect(offsetLines.map((l) => l.message)).toEqual([
      'master offset        -40 s2 freq     +12 path delay       812',
      'master offset      31250 s2 freq     +12 path delay       812 not used: offset outlier',
    ]);
    expect(offsetLines.map((l) => l.level)).toEqual(['info', 'info']);
    expect(offsetLines[1]?.fields).toMatchObject({ offsetNs: 31_250, notUsed: 'offset outlier', ingressNs: '2000000000', gmTimeNs: '1999999000' });
    expect(offsetLines[0]?.fields['notUsed']).toBeUndefined();
    // The rate ratio as the engine measured it, its σ only when known.
    expect(offsetLines[0]?.fields).toMatchObject({ rateRatio: 1 });
    expect(offsetLines[0]?.fields['rateRatioSigma']).toBeUndefined();
    expect(offsetLines[0]?.fields['rateRatioSpanS']).toBeUndefined();
    expect(lines.filter((l) => l.level === 'debug').map((l) => l.message)).toEqual([`Sync 2 not used: ${detail}`]);
  });

  it('gives each Sync its rate ratio and, when the engine measured it, its σ and span (JSON fields)', () => {
    const { log, lines } = recordingLog();
    const r = record(1, {});
    logSyncRecord({ ...r, receipt: { ...r.receipt, rateRatio: 1 + 3e-8, rateRatioSigma: 4e-8, rateRatioSpanS: 8.002 } }, log, new SummaryStats(), true);
    expect(lines.find((l) => l.message.startsWith('master offset'))?.fields).toMatchObject({
      rateRatio: 1 + 3e-8,
      rateRatioSigma: 4e-8,
      rateRatioSpanS: 8.002,
    });
  });

  it('logs what happened with a left-out Sync at its own level (the end of holdover is news either way)', () => {
    const { log, lines } = recordingLog();
    const note = 'Syncs are back after 4.2 s of holdover.';
    logSyncRecord(record(3, { accepted: false, rejection: 'offset spike', offsetNs: 9_000, notes: [note] }), log, new SummaryStats(), true);
    expect(lines.find((l) => l.message === note)?.level).toBe('notice');
  });

  it('keeps a left-out offset out of the summary line, whose rms is what the servo followed', () => {
    const { log, lines } = recordingLog();
    const summary = new SummaryStats();
    logSyncRecord(record(1, { offsetNs: 30 }), log, summary, false);
    logSyncRecord(record(2, { offsetNs: -30 }), log, summary, false);
    logSyncRecord(record(3, { accepted: false, rejection: 'offset spike', offsetNs: 50_000 }), log, summary, false);
    expect(lines.filter((l) => l.message.startsWith('master offset'))).toEqual([]);
    expect(summary.take()).toMatch(/^rms   30 max   30 /);
  });

  it('says only at debug that a Sync gave no offset at all (an invalid receipt)', () => {
    const { log, lines } = recordingLog();
    logSyncRecord(record(7, { accepted: false, rejection: 'invalid SyncReceipt: rateRatio', offsetNs: NaN }), log, new SummaryStats(), true);
    expect(lines).toEqual([{ level: 'debug', message: 'Sync 7 not used: invalid SyncReceipt: rateRatio', fields: {} }]);
  });
});
