/**
 * chronyd's SOCK refclock (chrony.conf `refclock SOCK PATH`): one datagram per sample, chrony's
 * `struct sock_sample` (refclock_sock.c), in the host's byte order and x86_64/aarch64 LP64 layout:
 *
 *   offset  size  field
 *        0     8  tv.tv_sec    time_t     CLOCK_REALTIME of the measurement, s
 *        8     8  tv.tv_usec   suseconds_t  and µs
 *       16     8  offset       double     true time − system time at tv, s
 *       24     4  pulse        int        0: a full time sample (not a PPS edge)
 *       28     4  leap         int        0 none, 1 insert (leap61), 2 delete (leap59) at the coming midnight
 *       32     4  _pad         int        0
 *       36     4  magic        int        0x534f434b ("SOCK")
 *                 40 bytes (chronyd drops a datagram of any other length or magic)
 *
 * linuxptp 4.x sends the same datagram from its refclock_sock servo. The true time here is the
 * synchronized time converted to UTC (src/protocol/timeProperties.ts): chrony keeps CLOCK_REALTIME in
 * UTC, so a sample is only sent when UTC is known — from the grandmaster's valid currentUtcOffset or
 * the configuration's assume_utc_offset — and while the status is synchronized.
 */
import { endianness } from 'node:os';
import type { LocalTime, PtpTime } from '../clock/timePoint.js';
import { isNativeError, nativeBinding, type NativeUnixDatagramSender } from '../native/binding.js';
import { NS_PER_S, nearLeap, pendingLeapAt, utcNsAt, type LeapKind } from '../protocol/timeProperties.js';
import type { SyncStatus, Timescale } from './snapshot.js';

export const SOCK_SAMPLE_BYTES = 40;
export const SOCK_MAGIC = 0x534f434b;
const LEAP_CODE: Readonly<Record<LeapKind, number>> = { insert: 1, delete: 2 };

export interface SockSample {
  /** CLOCK_REALTIME of the measurement, ns (sent as µs: chrony's timeval). */
  readonly systemTimeNs: bigint;
  /** True time − system time at that instant, s. */
  readonly offsetS: number;
  /** A leap second announced for the coming midnight. */
  readonly leap: LeapKind | null;
}

/** chrony's struct sock_sample, 40 bytes in host byte order. */
export function encodeSockSample(sample: SockSample, littleEndian = endianness() === 'LE'): Uint8Array {
  const bytes = new Uint8Array(SOCK_SAMPLE_BYTES);
  const view = new DataView(bytes.buffer);
  const ns = sample.systemTimeNs;
  const seconds = ns / NS_PER_S - (ns % NS_PER_S < 0n ? 1n : 0n);
  view.setBigInt64(0, seconds, littleEndian);
  view.setBigInt64(8, (ns - seconds * NS_PER_S) / 1000n, littleEndian);
  view.setFloat64(16, sample.offsetS, littleEndian);
  view.setInt32(24, 0, littleEndian);
  view.setInt32(28, sample.leap === null ? 0 : LEAP_CODE[sample.leap], littleEndian);
  view.setInt32(32, 0, littleEndian);
  view.setInt32(36, SOCK_MAGIC, littleEndian);
  return bytes;
}

/** One measurement: the same instant on CLOCK_REALTIME and on the synchronized (gPTP) timescale. */
export interface RefclockMeasurement {
  readonly realtime: LocalTime | bigint;
  readonly ptpTime: PtpTime;
  readonly status: SyncStatus;
  readonly timescale: Timescale;
}

export interface ChronyRefclockOptions {
  readonly address: string;
  /** A line for the daemon's log (state changes only: never one per sample). */
  readonly log: (level: 'notice' | 'warning', message: string) => void;
  /** Opens the datagram socket; the native addon's by default (tests inject a fake). */
  readonly open?: (path: string) => NativeUnixDatagramSender;
  /** ms between reconnection attempts while chronyd is not listening; default 1000. */
  readonly retryMs?: number;
  /** Date.now, injectable. */
  readonly nowMs?: () => number;
}

export interface ChronyRefclockCounters {
  readonly samplesSent: number;
  /** Not sent, by reason: notSynchronized, utcUnknown, nearLeapSecond, chronydUnreachable, sendFailed. */
  readonly samplesNotSent: Readonly<Record<string, number>>;
}

type Reason = 'notSynchronized' | 'utcUnknown' | 'nearLeapSecond' | 'chronydUnreachable' | 'sendFailed';

export class ChronyRefclock {
  private sender: NativeUnixDatagramSender | undefined;
  private nextAttemptMs = 0;
  private sent = 0;
  private readonly notSent: Record<string, number> = {};
  /** The last state logged ('sending' or the reason with its text), so that each change is logged once. */
  private lastState = '';
  /** The UTC-unknown reason last logged: said once, not again after every status change. */
  private lastUtcReason: string | undefined;

  constructor(private readonly options: ChronyRefclockOptions) {}

  /** Sends one sample for the measurement, or counts (and on a change, logs) why not. */
  offer(m: RefclockMeasurement): void {
    if (m.status !== 'synchronized') return this.skip('notSynchronized', `no samples while the status is ${m.status}`);
    const utc = m.timescale.utc;
    if (utc === null) return this.skipUtcUnknown(m.timescale.utcUnknownReason ?? 'UTC unknown');
    this.lastUtcReason = undefined;
    // As ptp4l (is_utc_ambiguous): no updates from the second before a leap's midnight to its end.
    if (nearLeap(utc, m.ptpTime)) return this.skip('nearLeapSecond', 'no samples around the leap second');
    const realtime = BigInt(m.realtime);
    const sample: SockSample = {
      systemTimeNs: realtime,
      offsetS: Number(utcNsAt(utc, m.ptpTime) - realtime) / 1e9,
      leap: pendingLeapAt(utc, m.ptpTime),
    };
    if (!this.connected()) return this.skip('chronydUnreachable', undefined);
    try {
      (this.sender as NativeUnixDatagramSender).send(encodeSockSample(sample));
    } catch (err) {
      // EAGAIN: chronyd's receive queue is full; this sample is lost, the socket stays.
      if (isNativeError(err) && err.code === 'EAGAIN') return this.skip('sendFailed', undefined);
      this.disconnect(err);
      return this.skip('chronydUnreachable', undefined);
    }
    this.sent += 1;
    const source = utc.source === 'grandmaster' ? "the grandmaster's currentUtcOffset" : 'assume_utc_offset';
    this.state('sending', 'notice', `sending samples to ${this.options.address} (UTC = gPTP time − ${utc.offset} s, ${source})`);
  }

  counters(): ChronyRefclockCounters {
    return { samplesSent: this.sent, samplesNotSent: { ...this.notSent } };
  }

  close(): void {
    this.sender?.close();
    this.sender = undefined;
  }

  private connected(): boolean {
    if (this.sender !== undefined) return true;
    const now = (this.options.nowMs ?? Date.now)();
    if (now < this.nextAttemptMs) return false;
    this.nextAttemptMs = now + (this.options.retryMs ?? 1000);
    try {
      this.sender = (this.options.open ?? ((path) => new (nativeBinding().UnixDatagramSender)(path)))(this.options.address);
      return true;
    } catch (err) {
      this.unreachable(err);
      return false;
    }
  }

  private disconnect(err: unknown): void {
    this.sender?.close();
    this.sender = undefined;
    // chronyd restarted (a new socket at the path: ECONNREFUSED) or is gone: try again shortly.
    this.nextAttemptMs = (this.options.nowMs ?? Date.now)() + (this.options.retryMs ?? 1000);
    this.unreachable(err);
  }

  private unreachable(err: unknown): void {
    const why = isNativeError(err) ? `${err.code}: ${err.message}` : String(err);
    this.state(
      `unreachable ${isNativeError(err) ? err.code : ''}`,
      'warning',
      `chronyd is not listening on ${this.options.address} (${why}); samples resume when it does`,
    );
  }

  private skip(reason: Reason, message: string | undefined): void {
    this.notSent[reason] = (this.notSent[reason] ?? 0) + 1;
    if (message !== undefined) this.state(`${reason} ${message}`, reason === 'utcUnknown' ? 'warning' : 'notice', message);
  }

  private skipUtcUnknown(reason: string): void {
    if (reason === this.lastUtcReason) return this.skip('utcUnknown', undefined);
    this.lastUtcReason = reason;
    this.skip('utcUnknown', `no samples: ${reason}`);
  }

  private state(key: string, level: 'notice' | 'warning', message: string): void {
    if (key === this.lastState) return;
    this.lastState = key;
    this.options.log(level, `chrony refclock: ${message}`);
  }
}
