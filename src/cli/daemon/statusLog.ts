/**
 * What the daemon logs when the status changes: the change and its reason, and on entering holdover
 * the course the clock now runs on (src/servo/holdover.ts), so that a log read after a loss says what
 * the clock did while no Sync came.
 */
import { formatSigned } from '../../protocol/format.js';
import { rampMissed, type HoldoverModel } from '../../servo/holdover.js';
import type { StatusEvent } from '../../servo/syncStatus.js';
import type { Log } from './log.js';

/** `course`: the holdover course the discipline applied for this event (undefined outside holdover). */
export function logStatusEvent(e: StatusEvent, log: Log, course: HoldoverModel | undefined): void {
  log.write(e.to === 'lost' ? 'warning' : 'notice', `status ${e.from} to ${e.to}: ${e.reason}`);
  if (e.to === 'lost' && course !== undefined) log.write('notice', holdoverLine(course));
}

function holdoverLine(course: HoldoverModel): string {
  const from = `${course.frequencyPpb.toFixed(1)} ppb`;
  if (course.rampPpbPerS === 0) return `holdover: frequency held at ${from}, the servo's last estimate${noRampNote(course)}`;
  const ramp = `${formatSigned(course.rampPpbPerS, 3)} ppb/s`;
  // A loop lags a ramp: the clock ran on its estimate and the phase correction that lag asks for (holdover.ts).
  const line = (course.frequencyPpb - course.phaseCorrectionPpb).toFixed(1);
  const output = `the servo's output: its estimates' line ${line} ppb and its phase correction ${formatSigned(course.phaseCorrectionPpb, 1)} ppb`;
  return `holdover: frequency follows the ramp of its last ${course.rampS.toFixed(0)} s, ${ramp} from ${from} (${output}), for ${course.rampS.toFixed(0)} s, then held`;
}

/**
 * Once the estimates span the window, why no ramp is followed: how far their line moved across it
 * against their scatter, so that a log read after a loss on a warming oscillator tells a ramp missed
 * from none.
 */
function noRampNote(course: HoldoverModel): string {
  const missed = rampMissed(course);
  if (missed === undefined) return '';
  const moved = `${formatSigned(missed.movedPpb, 1)} ppb, ${missed.scatters.toFixed(1)} times its scatter of ${course.stabilityPpb.toFixed(1)} ppb`;
  return ` (its ${course.rampS.toFixed(0)} s line moved ${moved}: a ramp is more than ${missed.neededScatters})`;
}
