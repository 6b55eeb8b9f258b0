/**
 * The live port: a PacketSocket on one interface driving a ClockSlave. Frames are decoded and handed
 * to the engine with their RX timestamps; what the engine transmits is encoded and sent, and its TX
 * timestamp comes back to the engine; the engine's timers run on Node's event loop, converted from
 * the timestamping clock's time to a delay.
 *
 * Malformed frames never reach the engine: each is a typed decode error, counted, and reported at a
 * limited rate.
 */
import type { LocalTime } from '../clock/timePoint.js';
import type { DecodeError } from '../protocol/decodeError.js';
import { decodeFrame, encodeFrame } from '../protocol/ethernetFrame.js';
import { isEventMessage } from '../protocol/messages.js';
import type { Transmission } from '../protocol/engineEvents.js';
import type { ClockSlave } from '../servo/clockSlave.js';
import type { PacketSocket, ReceivedFrame } from './packetSocket.js';

export interface LivePortOptions {
  readonly socket: PacketSocket;
  /** The clock frame timestamps are taken with, now (CLOCK_REALTIME for software timestamps, the PHC for hardware). */
  readonly timestampClockNow: () => LocalTime;
  /** Called for a decode error at most once per `decodeErrorLogIntervalMs` (the rest are counted). */
  readonly onDecodeError?: (error: DecodeError, suppressedSinceLast: number) => void;
  readonly decodeErrorLogIntervalMs?: number;
  /** Applied to every RX and TX timestamp (the lab's synthetic oscillator error); identity by default. */
  readonly mapTimestamp?: (t: LocalTime) => LocalTime;
}

export interface LivePortCounters {
  readonly framesReceived: number;
  readonly decodeErrors: Record<string, number>;
  readonly framesWithoutTimestamp: number;
  readonly framesSent: number;
  readonly sendErrors: number;
}

/** The engine's timers are rarely farther away than this; a longer wait is re-checked. */
const MAX_TIMER_MS = 1_000;

export class LivePort {
  private slave: ClockSlave | undefined;
  private readonly txHandles = new Map<number, number>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt: LocalTime | undefined;
  private lastDecodeLogMs = -Infinity;
  private suppressedDecodeErrors = 0;
  private readonly counts = { framesReceived: 0, framesWithoutTimestamp: 0, framesSent: 0, sendErrors: 0 };
  private readonly decodeErrors = new Map<string, number>();
  private closed = false;

  constructor(private readonly options: LivePortOptions) {}

  /** The transmit function the ClockSlave's sink calls. */
  readonly transmit = (t: Transmission): void => {
    if (this.closed) return;
    const bytes = encodeFrame(t.frame);
    try {
      const event = isEventMessage(t.frame.message.header.messageType);
      const id = this.options.socket.send(bytes, t.oneStep === true ? { event, oneStep: true } : { event });
      this.counts.framesSent += 1;
      if (t.txHandle !== undefined) this.txHandles.set(id, t.txHandle);
    } catch {
      // A send can fail while the link is down; the engine sees it as a missing TX timestamp.
      this.counts.sendErrors += 1;
      if (t.txHandle !== undefined) this.slave?.txTimestampMissing(t.txHandle, this.options.timestampClockNow());
    }
  };

  /** Start feeding `slave` (whose sink must call this.transmit). */
  attach(slave: ClockSlave): void {
    this.slave = slave;
    const socket = this.options.socket;
    socket.on('frame', (f) => this.onFrame(f));
    socket.on('txTimestamp', (t) => {
      const handle = this.txHandles.get(t.id);
      if (handle === undefined) return;
      this.txHandles.delete(t.id);
      slave.txTimestamp(handle, this.map(t.timestampNs));
      this.schedule();
    });
    socket.on('txTimestampTimeout', (t) => {
      const handle = this.txHandles.get(t.id);
      if (handle === undefined) return;
      this.txHandles.delete(t.id);
      slave.txTimestampMissing(handle, this.options.timestampClockNow());
      this.schedule();
    });
    slave.start(this.options.timestampClockNow());
    this.runTimers();
  }

  private map(t: LocalTime): LocalTime {
    return this.options.mapTimestamp === undefined ? t : this.options.mapTimestamp(t);
  }

  counters(): LivePortCounters {
    return { ...this.counts, decodeErrors: Object.fromEntries(this.decodeErrors) };
  }

  close(): void {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private onFrame(f: ReceivedFrame): void {
    const slave = this.slave;
    if (slave === undefined || this.closed) return;
    this.counts.framesReceived += 1;
    if (f.timestampNs === undefined) {
      this.counts.framesWithoutTimestamp += 1;
      return;
    }
    const decoded = decodeFrame(f.data);
    if (!decoded.ok) {
      this.onDecodeError(decoded.error);
      return;
    }
    slave.receive(decoded.value, this.map(f.timestampNs));
    this.schedule();
  }

  private onDecodeError(error: DecodeError): void {
    this.decodeErrors.set(error.kind, (this.decodeErrors.get(error.kind) ?? 0) + 1);
    const nowMs = performance.now();
    if (nowMs - this.lastDecodeLogMs < (this.options.decodeErrorLogIntervalMs ?? 10_000)) {
      this.suppressedDecodeErrors += 1;
      return;
    }
    this.lastDecodeLogMs = nowMs;
    this.options.onDecodeError?.(error, this.suppressedDecodeErrors);
    this.suppressedDecodeErrors = 0;
  }

  private runTimers(): void {
    this.timer = undefined;
    this.timerAt = undefined;
    if (this.closed || this.slave === undefined) return;
    this.slave.tick(this.options.timestampClockNow());
    this.schedule();
  }

  /** Keep one Node timer armed for the earliest engine deadline. */
  private schedule(): void {
    const slave = this.slave;
    if (slave === undefined || this.closed) return;
    const next = slave.nextTimerAt();
    if (next === undefined) return;
    if (this.timer !== undefined && this.timerAt !== undefined && this.timerAt <= next) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    const delayMs = Math.min(MAX_TIMER_MS, Math.max(0, Number(next - this.options.timestampClockNow()) / 1e6));
    this.timerAt = next;
    this.timer = setTimeout(() => this.runTimers(), delayMs);
  }
}
