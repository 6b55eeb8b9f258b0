/**
 * The shared-memory time page (docs/time-page.md): the daemon's snapshot reduced to what a C, C++ or
 * Python program needs to compute the synchronized time itself — the mapping, the error-bound terms,
 * status, UTC and leap flags, the grandmaster — in a file any process may map read-only. The native
 * addon writes it under a sequence lock; include/syntonic/time_page.h and python/syntonic_time_page.py
 * read it with the same arithmetic as TimeBaseClient.
 */
import { chmod, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { endianness } from 'node:os';
import { nativeBinding, type NativeTimePage } from '../native/binding.js';
import { monotonicRawNow } from '../clock/systemClocks.js';
import { DEFAULT_ERROR_BOUND_MODELS, errorBoundTerms, type ErrorBoundModel } from './errorBound.js';
import type { Snapshot, SyncStatus } from './snapshot.js';

export const DEFAULT_TIME_PAGE_PATH = '/run/syntonic/time.page';

/** SYNTONIC_PAGE_* of include/syntonic/time_page.h. */
export const TimePageFlag = {
  mappingValid: 0x01,
  lastSyncValid: 0x02,
  utcOffsetValid: 0x04,
  leap59: 0x08,
  leap61: 0x10,
  ptpTimescale: 0x20,
  grandmasterValid: 0x40,
  stopped: 0x80,
  /** UTC is known (timescale.utc): utcOffsetS holds gPTP time − UTC. */
  utcKnown: 0x100,
  /** A leap second at leapAtPtpNs, after which utcOffsetAfterS holds. */
  leapEvent: 0x200,
  leapInsert: 0x400,
  /** utcOffsetS is the configuration's assume_utc_offset. */
  utcAssumed: 0x800,
} as const;

/**
 * One update of the page: everything from `flags` on (docs/time-page.md). Absolute times are
 * CLOCK_MONOTONIC_RAW or gPTP ns; the error bound is boundAtSyncNs + age × (boundNsPerS + boundNsPerS2 × age).
 */
export interface TimePageFields {
  /** TimePageFlag bits. */
  readonly flags: number;
  /** TIME_PAGE_STATUS: 0 lost, 1 unstable, 2 synchronized. */
  readonly status: number;
  readonly mappingRawNs: bigint;
  readonly mappingPtpNs: bigint;
  readonly rateRatio: number;
  readonly lastSyncRawNs: bigint;
  readonly boundAtSyncNs: number;
  readonly boundNsPerS: number;
  readonly boundNsPerS2: number;
  /** The update's CLOCK_MONOTONIC_RAW instant (readers judge staleness by it); default: now. */
  readonly writtenRawNs?: bigint;
  /** timePropertiesDS.currentUtcOffset as announced. */
  readonly currentUtcOffsetS: number;
  /** gPTP time − UTC, s, before leapAtPtpNs (timescale.utc.offset); with the utcKnown flag. */
  readonly utcOffsetS: number;
  /** From leapAtPtpNs on (timescale.utc.leap.offsetAfter); with the leapEvent flag. */
  readonly utcOffsetAfterS: number;
  readonly leapAtPtpNs: bigint;
  /** clockIdentity, first octet most significant (written in wire order). */
  readonly grandmasterIdentity: bigint;
  readonly statusSinceRawNs: bigint;
  readonly priority1: number;
  readonly priority2: number;
  readonly clockClass: number;
  readonly clockAccuracy: number;
  readonly offsetScaledLogVariance: number;
  readonly stepsRemoved: number;
}

/** The layout's bytes from `flags` (offset 24) to its end (144): what one update writes. */
export const TIME_PAGE_BODY_OFFSET = 24;
export const TIME_PAGE_BODY_BYTES = 144 - TIME_PAGE_BODY_OFFSET;
/** The page is in host byte order: C readers map it as their own struct. */
const LITTLE_ENDIAN = endianness() === 'LE';

/** Encodes `f` into `body` (TIME_PAGE_BODY_BYTES), at the offsets of docs/time-page.md minus 24. */
export function encodeTimePageBody(f: TimePageFields, body: Uint8Array, writtenRawNs: bigint): void {
  const v = new DataView(body.buffer, body.byteOffset, TIME_PAGE_BODY_BYTES);
  const at = (offset: number): number => offset - TIME_PAGE_BODY_OFFSET;
  const le = LITTLE_ENDIAN;
  v.setUint32(at(24), f.flags, le);
  v.setInt32(at(28), f.status, le);
  v.setBigInt64(at(32), f.mappingRawNs, le);
  v.setBigInt64(at(40), f.mappingPtpNs, le);
  v.setFloat64(at(48), f.rateRatio, le);
  v.setBigInt64(at(56), f.lastSyncRawNs, le);
  v.setFloat64(at(64), f.boundAtSyncNs, le);
  v.setFloat64(at(72), f.boundNsPerS, le);
  v.setFloat64(at(80), f.boundNsPerS2, le);
  v.setBigInt64(at(88), f.writtenRawNs ?? writtenRawNs, le);
  v.setInt32(at(96), f.currentUtcOffsetS, le);
  v.setUint32(at(100), 0, le); // writer_pid: the addon fills it in
  v.setBigUint64(at(104), BigInt.asUintN(64, f.grandmasterIdentity), false); // wire order
  v.setBigInt64(at(112), f.statusSinceRawNs, le);
  v.setUint8(at(120), f.priority1);
  v.setUint8(at(121), f.priority2);
  v.setUint8(at(122), f.clockClass);
  v.setUint8(at(123), f.clockAccuracy);
  v.setUint16(at(124), f.offsetScaledLogVariance, le);
  v.setUint16(at(126), f.stepsRemoved, le);
  v.setBigInt64(at(128), f.leapAtPtpNs, le);
  v.setInt32(at(136), f.utcOffsetS, le);
  v.setInt32(at(140), f.utcOffsetAfterS, le);
}

/** SYNTONIC_STATUS_*. */
export const TIME_PAGE_STATUS: Readonly<Record<SyncStatus, number>> = { lost: 0, unstable: 1, synchronized: 2 };

/**
 * The page's fields for a snapshot. The error-bound terms come from the same errorBoundTerms() that
 * TimeBaseClient.now() evaluates, with the model a client uses by default for the snapshot's
 * timestamping mode unless one is given.
 */
export function timePageFields(snapshot: Snapshot, model: ErrorBoundModel = DEFAULT_ERROR_BOUND_MODELS[snapshot.timestamping]): TimePageFields {
  const { mapping, lastSync, utc, grandmaster: gm } = snapshot;
  // UTC as src/protocol/timeProperties.ts derives it for every consumer (snapshot.timescale).
  const conversion = snapshot.timescale.utc;
  const leap = conversion?.leap ?? null;
  const terms = errorBoundTerms(snapshot, model);
  const flags =
    (mapping === null ? 0 : TimePageFlag.mappingValid) |
    (lastSync === null ? 0 : TimePageFlag.lastSyncValid) |
    (utc.currentUtcOffsetValid ? TimePageFlag.utcOffsetValid : 0) |
    (utc.leap59 ? TimePageFlag.leap59 : 0) |
    (utc.leap61 ? TimePageFlag.leap61 : 0) |
    (snapshot.timescale.tai ? TimePageFlag.ptpTimescale : 0) |
    (gm === null ? 0 : TimePageFlag.grandmasterValid) |
    (conversion === null ? 0 : TimePageFlag.utcKnown) |
    (conversion?.source === 'configuration' ? TimePageFlag.utcAssumed : 0) |
    (leap === null ? 0 : TimePageFlag.leapEvent) |
    (leap?.kind === 'insert' ? TimePageFlag.leapInsert : 0);
  return {
    flags,
    status: TIME_PAGE_STATUS[snapshot.status],
    mappingRawNs: mapping === null ? 0n : BigInt(mapping.monotonicRaw),
    mappingPtpNs: mapping === null ? 0n : BigInt(mapping.ptpTime),
    rateRatio: mapping === null ? 1 : mapping.rateRatio,
    lastSyncRawNs: lastSync === null ? 0n : BigInt(lastSync),
    boundAtSyncNs: terms.atSyncNs,
    boundNsPerS: terms.nsPerS,
    boundNsPerS2: terms.nsPerS2,
    currentUtcOffsetS: utc.currentUtcOffset,
    utcOffsetS: conversion?.offset ?? 0,
    utcOffsetAfterS: leap?.offsetAfter ?? conversion?.offset ?? 0,
    leapAtPtpNs: leap?.atPtpNs ?? 0n,
    grandmasterIdentity: gm === null ? 0n : gm.identity,
    statusSinceRawNs: BigInt(snapshot.statusSince),
    priority1: gm?.priority1 ?? 0,
    priority2: gm?.priority2 ?? 0,
    clockClass: gm?.clockQuality.clockClass ?? 0,
    clockAccuracy: gm?.clockQuality.clockAccuracy ?? 0,
    offsetScaledLogVariance: gm?.clockQuality.offsetScaledLogVariance ?? 0,
    stepsRemoved: gm?.stepsRemoved ?? 0,
  };
}

/** The daemon's writer of the page: one file, rewritten on every publish, removed by close(). */
export class TimePageWriter {
  private readonly body = new Uint8Array(TIME_PAGE_BODY_BYTES);
  /**
   * process.exit() and an uncaught exception end the process without the environment teardown that
   * the addon's cleanup hook runs on: the 'exit' event still comes, so the page is removed then too.
   */
  private readonly onExit = (): void => this.page.close();

  private constructor(private readonly page: NativeTimePage) {
    process.once('exit', this.onExit);
  }

  /**
   * Creates the directory (0755) if needed and the page (0644), replacing a stale page atomically.
   * Rejects with the addon's error: EEXIST when something that is not a time page is at the path,
   * EBUSY when a running syntonic writes it.
   */
  static async open(path: string = DEFAULT_TIME_PAGE_PATH): Promise<TimePageWriter> {
    const dir = dirname(path);
    try {
      const created = await mkdir(dir, { recursive: true, mode: 0o755 });
      // mkdir's mode passes through the umask; readers need to traverse what was made here.
      for (let d = dir; created !== undefined && d.length >= created.length; d = dirname(d)) await chmod(d, 0o755);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw Object.assign(new Error(`cannot create the directory ${dir} of the time page: ${e.code ?? e.message}`), {
        code: e.code,
        errno: e.errno,
        syscall: e.syscall,
      });
    }
    return new TimePageWriter(new (nativeBinding().TimePage)(path));
  }

  get path(): string {
    return this.page.path;
  }

  publish(snapshot: Snapshot, model?: ErrorBoundModel): void {
    this.write(timePageFields(snapshot, model));
  }

  /** One update from raw fields (tests, benchmarks); publish() is what the daemon uses. */
  write(fields: TimePageFields): void {
    encodeTimePageBody(fields, this.body, fields.writtenRawNs ?? monotonicRawNow());
    this.page.write(this.body);
  }

  close(): void {
    process.off('exit', this.onExit);
    this.page.close();
  }
}
