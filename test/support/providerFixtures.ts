/** Shared by the provider tests: a plausible snapshot and a raw NDJSON socket client. */
import { connect, type Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monotonicRawTime, ptpTime } from '../../src/clock/timePoint.js';
import type { Snapshot } from '../../src/provider/snapshot.js';

/** A slave locked to a grandmaster; every field hand-chosen so tests can state expected values. */
export function sampleSnapshot(overrides: Partial<Snapshot> = {}): Snapshot {
  return {
    status: 'synchronized',
    statusReason: 'servo locked (s2)',
    statusSince: monotonicRawTime(5_000_000_000n),
    mapping: { monotonicRaw: monotonicRawTime(10_000_000_000n), ptpTime: ptpTime(1_732_000_000_000_000_000n), rateRatio: 1.000_000_012 },
    utc: { currentUtcOffset: 37, currentUtcOffsetValid: true, leap59: false, leap61: false, ptpTimescale: true },
    timescale: { tai: true, utc: { offset: 37, source: 'grandmaster', leap: null }, utcUnknownReason: null },
    lastSync: monotonicRawTime(10_000_000_000n),
    offsetFromMaster: -12,
    offsetFromMasterRmsNs: 35,
    meanLinkDelay: 1345.5,
    neighborRateRatio: 1.000_000_004,
    rateRatio: 1.000_000_012,
    frequencyAdjustmentPpb: -12.25,
    grandmaster: {
      identity: 0x001122fffe334455n,
      priority1: 246,
      priority2: 248,
      clockQuality: { clockClass: 248, clockAccuracy: 0xfe, offsetScaledLogVariance: 0x4e5d },
      stepsRemoved: 1,
      gmTimeBaseIndicator: 0,
    },
    port: { portIdentity: { clockIdentity: 0xaabbccfffeddeeffn, portNumber: 1 }, portState: 'slavePort', asCapable: true },
    timestamping: 'software',
    clockKind: 'virtual',
    rejectedFrames: { wrongDomain: 3 },
    quality: { level: 'excellent', errorNs: 12, thresholdsNs: { excellent: 100, good: 1000, fair: 10_000, poor: 1_000_000 } },
    holdover: null,
    ...overrides,
  };
}

/** The sample snapshot with its mapping moved to ptpTime `ptpNs` (a distinct, notable change). */
export function snapshotAt(ptpNs: bigint, overrides: Partial<Snapshot> = {}): Snapshot {
  return sampleSnapshot({
    mapping: { monotonicRaw: monotonicRawTime(10_000_000_000n), ptpTime: ptpTime(ptpNs), rateRatio: 1.000_000_012 },
    ...overrides,
  });
}

export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export type Message = Record<string, unknown>;

/** A bare protocol client: writes raw lines, collects the reply lines parsed as JSON. */
export class RawClient {
  readonly messages: Message[] = [];
  closed = false;
  private buffered = '';
  private waiters: Array<() => void> = [];

  private constructor(readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffered += chunk;
      let nl: number;
      while ((nl = this.buffered.indexOf('\n')) >= 0) {
        this.messages.push(JSON.parse(this.buffered.slice(0, nl)) as Message);
        this.buffered = this.buffered.slice(nl + 1);
      }
      this.wake();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  static open(path: string): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(path);
      socket.once('connect', () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  send(text: string): void {
    this.socket.write(text);
  }

  /** Waits until `predicate` holds over the messages received (or the socket closes). */
  async until(predicate: (messages: Message[]) => boolean, what = 'expected messages'): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!predicate(this.messages)) {
      if (this.closed) throw new Error(`connection closed while waiting for ${what}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  /** Waits for the n-th message (1-based) and returns it. */
  async nth(n: number): Promise<Message> {
    await this.until((m) => m.length >= n, `message ${n}`);
    return this.messages[n - 1] as Message;
  }

  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

/** The snapshot object inside a reply message. */
export function snapshotOf(m: Message): Record<string, unknown> {
  return m['snapshot'] as Record<string, unknown>;
}

export function mappingPtpOf(m: Message): string {
  return (snapshotOf(m)['mapping'] as Record<string, unknown>)['ptpTimeNs'] as string;
}
