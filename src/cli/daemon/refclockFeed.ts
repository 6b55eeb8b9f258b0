/**
 * What the daemon hands chrony's SOCK refclock after each Sync (src/provider/chronyRefclock.ts sends
 * it): one instant on CLOCK_REALTIME and on the synchronized timescale.
 *
 *  - clock_servo pi / linreg with refclock_sock_address: the synchronized time of the clock the servo
 *    disciplines (virtual or PHC), read now;
 *  - clock_servo refclock_sock: the Sync's own measurement (grandmaster time at its ingress, as
 *    linuxptp 4.x feeds chrony), chrony filtering and disciplining the system clock itself.
 */
import type { DisciplinedClock } from '../../clock/clock.js';
import type { LocalTime, PtpTime } from '../../clock/timePoint.js';
import type { SyncReceipt } from '../../protocol/syncReceipt.js';

/** One instant on the timestamping clock and on CLOCK_REALTIME. */
export interface RealtimePair {
  readonly timestampClock: LocalTime;
  readonly realtime: bigint;
}

export function refclockInstant(
  receipt: SyncReceipt,
  measuredOffsets: boolean,
  clock: DisciplinedClock,
  pair: RealtimePair,
): { readonly realtime: bigint; readonly ptpTime: PtpTime } {
  if (measuredOffsets) return { realtime: pair.realtime + (BigInt(receipt.ingressTime) - BigInt(pair.timestampClock)), ptpTime: receipt.gmTime };
  return { realtime: pair.realtime, ptpTime: clock.fromTimestamp(pair.timestampClock) };
}
