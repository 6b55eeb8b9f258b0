/**
 * The daemon's log on a status change: ptp4l-style words for the change, and on entering holdover the
 * course the clock runs on (the servo's last estimate, or a ramp followed for one window).
 */
import { describe, expect, it } from 'vitest';
import type { Log, LogLevel } from '../../../src/cli/daemon/log.js';
import { logStatusEvent } from '../../../src/cli/daemon/statusLog.js';
import { localTime } from '../../../src/clock/timePoint.js';
import type { HoldoverModel } from '../../../src/servo/holdover.js';
import type { StatusEvent } from '../../../src/servo/syncStatus.js';

function recordingLog(): { log: Log; lines: Array<{ level: LogLevel; message: string }> } {
  const lines: Array<{ level: LogLevel; message: string }> = [];
  return { lines, log: { write: (level, message) => lines.push({ level, message }) } };
}

const lost: StatusEvent = {
  from: 'synchronized',
  to: 'lost',
  reason: 'No Sync for 0.438 s (syncReceiptTimeout 3 × 125 ms).',
  atLocal: localTime(5_000_000_000n),
};
const held: HoldoverModel = {
  frequencyPpb: -12.34,
  at: localTime(4_600_000_000n),
  rampPpbPerS: 0,
  phaseCorrectionPpb: 0,
  rampS: 60,
  stabilityPpb: 3,
  driftPpbPerS: 0,
  samples: 480,
};

describe('the status log', () => {
  it('warns of the loss and says which frequency the clock holds', () => {
    const { log, lines } = recordingLog();
    logStatusEvent(lost, log, held);
    expect(lines).toEqual([
      { level: 'warning', message: 'status synchronized to lost: No Sync for 0.438 s (syncReceiptTimeout 3 × 125 ms).' },
      { level: 'notice', message: "holdover: frequency held at -12.3 ppb, the servo's last estimate" },
    ]);
  });

  it('says, once the estimates span the window, why they showed no ramp', () => {
    const { log, lines } = recordingLog();
    logStatusEvent(lost, log, { ...held, driftPpbPerS: 0.35 });
    expect(lines[1]?.message).toBe(
      "holdover: frequency held at -12.3 ppb, the servo's last estimate (its 60 s line moved +21.0 ppb, 7.0 times its scatter of 3.0 ppb: a ramp is more than 10)",
    );
  });

  it('says so when the frequency follows a ramp', () => {
    const { log, lines } = recordingLog();
    logStatusEvent(lost, log, { ...held, rampPpbPerS: -1.0375, phaseCorrectionPpb: 14.04 });
    expect(lines[1]?.message).toBe(
      "holdover: frequency follows the ramp of its last 60 s, -1.038 ppb/s from -12.3 ppb (the servo's output: its estimates' line -26.4 ppb and its phase correction +14.0 ppb), for 60 s, then held",
    );
  });

  it('adds nothing when the change is not into holdover, or there is no estimate to hold', () => {
    const back = recordingLog();
    logStatusEvent({ ...lost, from: 'lost', to: 'synchronized', reason: 'offsets within bounds' }, back.log, undefined);
    expect(back.lines).toEqual([{ level: 'notice', message: 'status lost to synchronized: offsets within bounds' }]);
    const never = recordingLog();
    logStatusEvent(lost, never.log, undefined);
    expect(never.lines).toHaveLength(1);
  });
});
