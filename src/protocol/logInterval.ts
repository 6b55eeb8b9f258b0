/**
 * Message intervals travel as log2 seconds (802.1AS-2020 10.6.2.2.14). 127 (0x7f) means "not
 * applicable" in logMessageInterval. In a message interval request TLV (10.6.4.3.6–8) −128 means
 * "no change", 126 "set to the initial value" and 127 "stop sending" (linuxptp's SIGNAL_NO_CHANGE
 * and SIGNAL_SET_INITIAL agree).
 */
export const LOG_INTERVAL_NOT_APPLICABLE = 127;
export const LOG_INTERVAL_NO_CHANGE = -128;
export const LOG_INTERVAL_INITIAL = 126;
export const LOG_INTERVAL_STOP = 127;

/** Interval in ns for a log2-seconds value (−128 < log < 32). */
export function logIntervalToNs(logInterval: number): number {
  return 2 ** logInterval * 1e9;
}

/** Intervals from 2^-24 to 2^24 s, as bigint ns (computed once: the receive path asks for them per Sync). */
const NS_BIG = Array.from({ length: 49 }, (_, i) => BigInt(Math.round(logIntervalToNs(i - 24))));

export function logIntervalToNsBig(logInterval: number): bigint {
  return NS_BIG[logInterval + 24] ?? BigInt(Math.round(logIntervalToNs(logInterval)));
}

/** True when a logMessageInterval can be used as an interval (not 127, not absurd). */
export function isUsableLogInterval(logInterval: number): boolean {
  return logInterval >= -24 && logInterval <= 24;
}
