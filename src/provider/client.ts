/**
 * TimeBaseClient: what an application links to read synchronized time from a running syntonic.
 * It keeps one connection subscribed to the provider, so that now() extrapolates from the latest
 * mapping locally (no round trip), reconnects by itself with bounded back-off when the daemon
 * restarts, and reports status 'lost' while the daemon cannot be reached.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { monotonicRawNow } from '../clock/systemClocks.js';
import type { MonotonicRawTime } from '../clock/timePoint.js';
import { qualityLevel } from '../servo/quality.js';
import { DEFAULT_ERROR_BOUND_MODELS, type ErrorBoundModel } from './errorBound.js';
import { LineReader } from './lineReader.js';
import { DEFAULT_SOCKET_PATH, PROTOCOL_VERSION, type RequestOp, type VersionInfo } from './protocol.js';
import { ProviderError } from './providerError.js';
import type { ReceivedSnapshot, TimestampingMode } from './snapshot.js';
import { TimeExtrapolator, type SynchronizedTime } from './timeExtrapolator.js';
import { snapshotFromWire } from './wireSnapshot.js';

export interface ClientOptions {
  /** Reply timeout of status()/version(), ms; default 2000. */
  readonly requestTimeoutMs?: number;
  /** First reconnect delay, ms; doubled after each failure up to reconnectMaxMs; default 100. */
  readonly reconnectInitialMs?: number;
  /** Longest reconnect delay, ms; default 2000. */
  readonly reconnectMaxMs?: number;
  /** Overrides of the error-bound model (defaults per timestamping mode, see errorBound.ts). */
  readonly errorBound?: Partial<ErrorBoundModel>;
  /** CLOCK_MONOTONIC_RAW; injectable for tests. */
  readonly monotonicRawClock?: () => MonotonicRawTime;
}

export type SnapshotListener = (snapshot: ReceivedSnapshot) => void;

/** Longest line accepted from the daemon, bytes (a snapshot is ~1–2 KiB). */
const MAX_REPLY_BYTES = 1 << 20;

interface PendingRequest {
  resolve(message: Record<string, unknown>): void;
  reject(err: ProviderError): void;
  timer: NodeJS.Timeout;
}

type State = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed';

export class TimeBaseClient {
  private path = DEFAULT_SOCKET_PATH;
  private state: State = 'idle';
  private socket: Socket | undefined;
  private readonly pending = new Map<number, PendingRequest>();
  private nextId = 1;
  private readonly listeners = new Set<SnapshotListener>();
  private latestSnapshot: ReceivedSnapshot | undefined;
  private readonly extrapolator = new TimeExtrapolator();
  private readonly clock: () => MonotonicRawTime;
  private reconnectDelayMs: number;
  private reconnectTimer: NodeJS.Timeout | undefined;
  /** Why the connection is down, for 'lost' snapshots and rejected requests. */
  private downReason = 'not connected';

  constructor(private readonly options: ClientOptions = {}) {
    this.clock = options.monotonicRawClock ?? monotonicRawNow;
    this.reconnectDelayMs = options.reconnectInitialMs ?? 100;
  }

  /**
   * Connects and subscribes; resolves once the first snapshot has arrived. Rejects with a
   * ProviderError ('unreachable') when the attempt fails (connect() may then be called again); after
   * a first success the client reconnects by itself until close().
   */
  async connect(path: string = DEFAULT_SOCKET_PATH): Promise<void> {
    if (this.state === 'closed') throw new ProviderError('closed', 'the client is closed');
    if (this.state !== 'idle') throw new ProviderError('protocol', `connect() called on a client that is already ${this.state}`);
    this.path = path;
    this.state = 'connecting';
    try {
      await this.open();
    } catch (err) {
      // Not connected: connect() may be tried again (unless close() was called meanwhile).
      if (this.state === 'connecting') this.state = 'idle';
      throw err;
    }
  }

  /** The daemon's current snapshot (one round trip). */
  async status(): Promise<ReceivedSnapshot> {
    const reply = await this.request('status');
    const decoded = snapshotFromWire(reply['snapshot']);
    if (!decoded.ok) throw new ProviderError('protocol', `bad snapshot from the provider: ${decoded.error.message}`, decoded.error.field);
    this.take(decoded.value, false);
    return decoded.value;
  }

  async version(): Promise<VersionInfo> {
    const reply = await this.request('version');
    const { protocolVersion, implementation, implementationVersion } = reply;
    if (typeof protocolVersion !== 'number' || typeof implementation !== 'string' || typeof implementationVersion !== 'string') {
      throw new ProviderError('protocol', 'bad version reply from the provider');
    }
    return { protocolVersion, implementation, implementationVersion };
  }

  /**
   * Calls `listener` with the latest snapshot now (if any) and on every change the daemon reports,
   * including a 'lost' snapshot when the daemon becomes unreachable. Returns the unsubscribe function.
   */
  subscribe(listener: SnapshotListener): () => void {
    this.listeners.add(listener);
    const latest = this.latestSnapshot;
    if (latest !== undefined) queueMicrotask(() => this.listeners.has(listener) && listener(latest));
    return () => void this.listeners.delete(listener);
  }

  /** Synchronized time now, computed locally; its status and error bound (ns). */
  now(): SynchronizedTime {
    return this.extrapolator.at(this.clock());
  }

  /** The latest snapshot received (or the 'lost' one made when the daemon went away). */
  get latest(): ReceivedSnapshot | undefined {
    return this.latestSnapshot;
  }

  get connected(): boolean {
    return this.state === 'connected';
  }

  /** Closes the connection and stops reconnecting; pending requests reject with 'closed'. */
  close(): void {
    this.state = 'closed';
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    this.rejectPending(new ProviderError('closed', 'the client was closed'));
    this.socket?.destroy();
    this.socket = undefined;
  }

  // -------------------------------------------------------------------------------------------

  /** One connection attempt: connect, subscribe, first snapshot. */
  private open(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const socket = netConnect(this.path);
      const reader = new LineReader(MAX_REPLY_BYTES);
      let established = false;
      let failure = 'connection closed by the provider';
      this.socket = socket;
      socket.on('data', (chunk: Buffer) => {
        reader.push(chunk);
        for (let e = reader.next(); e !== undefined; e = reader.next()) if (e.kind === 'line') this.onLine(e.text);
      });
      socket.on('error', (err: NodeJS.ErrnoException) => {
        failure = err.code === undefined ? err.message : `${err.code} (${describeErrno(err.code)})`;
        if (!established) reject(new ProviderError('unreachable', `cannot reach syntonic at ${this.path}: ${failure}`, err.code));
      });
      socket.on('close', () => {
        if (this.socket === socket) this.socket = undefined;
        if (established) this.onDisconnect(failure);
        else if (this.state === 'closed') reject(new ProviderError('closed', 'the client was closed while connecting'));
        else reject(new ProviderError('unreachable', `cannot reach syntonic at ${this.path}: ${failure}`));
      });
      socket.on('connect', () => {
        this.request('subscribe', true).then(
          (reply) => {
            const decoded = snapshotFromWire(reply['snapshot']);
            if (!decoded.ok) {
              failure = `bad snapshot: ${decoded.error.message}`;
              socket.destroy();
              return;
            }
            established = true;
            this.state = 'connected';
            this.reconnectDelayMs = this.options.reconnectInitialMs ?? 100;
            this.take(decoded.value, true);
            resolve();
          },
          (err: ProviderError) => {
            failure = err.message;
            socket.destroy();
          },
        );
      });
    });
  }

  private request(op: RequestOp, whileConnecting = false): Promise<Record<string, unknown>> {
    const socket = this.socket;
    if (socket === undefined || (this.state !== 'connected' && !whileConnecting)) {
      const why = this.state === 'closed' ? 'the client is closed' : `provider unreachable: ${this.downReason}`;
      return Promise.reject(new ProviderError(this.state === 'closed' ? 'closed' : 'unreachable', why));
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timeoutMs = this.options.requestTimeoutMs ?? 2000;
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ProviderError('timeout', `no reply to ${op} from ${this.path} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      socket.write(`{"op":"${op}","id":${id}}\n`);
    });
  }

  private onLine(text: string): void {
    let message: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null) return;
      message = parsed as Record<string, unknown>;
    } catch {
      return; // not JSON: nothing to match it to; the request times out
    }
    if (message['v'] !== PROTOCOL_VERSION) return;
    if (message['op'] === 'update') {
      const decoded = snapshotFromWire(message['snapshot']);
      if (decoded.ok) this.take(decoded.value, true);
      return;
    }
    const id = message['id'];
    const request = typeof id === 'number' ? this.pending.get(id) : undefined;
    if (request === undefined) return;
    this.pending.delete(id as number);
    clearTimeout(request.timer);
    const error = message['error'] as { code?: unknown; message?: unknown } | undefined;
    if (error !== undefined) request.reject(new ProviderError('server', `provider error: ${String(error.message)}`, String(error.code)));
    else request.resolve(message);
  }

  /** A snapshot from the daemon: the new base for now(), and news for listeners if `notify`. */
  private take(snapshot: ReceivedSnapshot, notify: boolean): void {
    this.latestSnapshot = snapshot;
    this.extrapolator.update(snapshot, this.model(snapshot.timestamping));
    if (notify) this.notify(snapshot);
  }

  private model(mode: TimestampingMode): ErrorBoundModel {
    return { ...DEFAULT_ERROR_BOUND_MODELS[mode], ...this.options.errorBound };
  }

  private notify(snapshot: ReceivedSnapshot): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(snapshot);
      } catch (err) {
        // A throwing listener is the application's bug: surface it as its own uncaught error, but
        // let the other listeners and the client's state carry on.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }

  private onDisconnect(why: string): void {
    this.rejectPending(new ProviderError('unreachable', `provider unreachable: ${why}`));
    if (this.state === 'closed') return;
    this.state = 'reconnecting';
    this.markLost(why);
    this.scheduleReconnect();
  }

  /** The daemon went away: the last mapping still extrapolates, but the status is 'lost'. */
  private markLost(why: string): void {
    this.downReason = why;
    this.extrapolator.setStatus('lost');
    const last = this.latestSnapshot;
    if (last === undefined) return;
    const now = this.clock();
    // Without the daemon, the client's own error bound is all that is known of the error.
    const bound = this.extrapolator.at(now).errorBoundNs;
    const lost: ReceivedSnapshot = {
      ...last,
      status: 'lost',
      statusReason: `provider unreachable: ${why}`,
      statusSince: now,
      quality: { ...last.quality, level: qualityLevel(bound, last.quality.thresholdsNs), errorNs: Number.isFinite(bound) ? bound : null },
      timeSinceLastSyncNs: last.lastSync === null ? null : Number(now - last.lastSync),
    };
    this.latestSnapshot = lost;
    this.notify(lost);
  }

  private scheduleReconnect(): void {
    const maxMs = this.options.reconnectMaxMs ?? 2000;
    // ±20 % jitter so that the clients of a restarted daemon do not all reconnect at once.
    const delayMs = this.reconnectDelayMs * (0.8 + 0.4 * Math.random());
    this.reconnectDelayMs = Math.min(maxMs, this.reconnectDelayMs * 2);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.state !== 'reconnecting') return;
      this.open().catch((err: ProviderError) => {
        if (this.state !== 'reconnecting') return;
        this.downReason = err.message;
        this.scheduleReconnect();
      });
    }, delayMs);
  }

  private rejectPending(err: ProviderError): void {
    for (const [id, request] of this.pending) {
      clearTimeout(request.timer);
      request.reject(err);
      this.pending.delete(id);
    }
  }
}

function describeErrno(code: string): string {
  switch (code) {
    case 'ENOENT':
      return 'no such socket';
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOTSOCK':
      return 'not a socket';
    default:
      return 'connect failed';
  }
}
