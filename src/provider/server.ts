/**
 * The time-base provider server: a Unix stream socket inside the daemon through which any program on
 * the node reads synchronized time and its status (docs/provider-protocol.md). It knows nothing of the
 * engine: the daemon calls publish(snapshot) whenever something changes and periodically.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { monotonicRawNow } from '../clock/systemClocks.js';
import type { MonotonicRawTime } from '../clock/timePoint.js';
import { ClientConnection, type ConnectionHost } from './clientConnection.js';
import {
  DEFAULT_MAX_REQUEST_BYTES,
  DEFAULT_SOCKET_PATH,
  ERROR_CODES,
  PROTOCOL_VERSION,
  errorReply,
  snapshotReply,
  unsubscribeReply,
  versionReply,
  type ErrorCode,
  type Request,
} from './protocol.js';
import { errorBoundAtAge, isNotableChange, type Snapshot } from './snapshot.js';
import { applySocketPermissions, prepareSocketPath, SocketFileError } from './socketFile.js';
import { UpdateRateLimiter } from './updateRateLimiter.js';
import { snapshotFromWire, snapshotToWire } from './wireSnapshot.js';

export interface ProviderOptions {
  /** Default /run/syntonic/syntonic.sock; the directory is created. */
  readonly socketPath?: string;
  /** Socket file mode; default 0o660 (owner and group may connect). */
  readonly mode?: number;
  /** Group owning the socket file, by name or gid; default: left as created. */
  readonly group?: string | number;
  /** Minimum interval between two updates to subscribers, ms; default 100. */
  readonly minUpdateIntervalMs?: number;
  /** Longest request line, bytes; default 4096. */
  readonly maxRequestBytes?: number;
  /** Write backlog per client beyond which its updates are dropped, bytes; default 64 KiB. */
  readonly maxClientBacklogBytes?: number;
  /** A client backlogged this long is disconnected, ms; default 5000. */
  readonly slowClientTimeoutMs?: number;
  /** Connections beyond this are refused with a tooManyClients error; default 128. */
  readonly maxClients?: number;
  /** Reported by the version op; default 'unknown'. */
  readonly implementationVersion?: string;
  /** CLOCK_MONOTONIC_RAW, for the age of a snapshot; injectable for tests. */
  readonly monotonicRawClock?: () => MonotonicRawTime;
}

export interface ProviderStats {
  readonly clientsConnected: number;
  readonly subscribers: number;
  /** Request lines received, valid or not. */
  readonly requests: number;
  readonly errors: Readonly<Record<ErrorCode, number>>;
  /** Updates written to subscribers. */
  readonly updatesSent: number;
  /** Updates not written because the subscriber's backlog was over the limit. */
  readonly droppedUpdates: number;
  readonly disconnectedSlowClients: number;
  /** The largest write backlog any client reached, bytes. */
  readonly maxClientBacklogBytes: number;
}

/** publish() was given a snapshot the protocol cannot carry; `field` names the bad field. */
export class InvalidSnapshotError extends Error {
  override readonly name = 'InvalidSnapshotError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

interface Counters {
  requests: number;
  errors: Record<ErrorCode, number>;
  updatesSent: number;
  droppedUpdates: number;
  disconnectedSlowClients: number;
  maxClientBacklogBytes: number;
}

export class TimeBaseProvider {
  private snapshot: Snapshot;
  /** The published snapshot serialized once (without its age), reused for every reply. */
  private snapshotJson: string;
  private readonly connections = new Set<ClientConnection>();
  private readonly limiter: UpdateRateLimiter;
  private readonly counters: Counters = {
    requests: 0,
    errors: Object.fromEntries(ERROR_CODES.map((c) => [c, 0])) as Record<ErrorCode, number>,
    updatesSent: 0,
    droppedUpdates: 0,
    disconnectedSlowClients: 0,
    maxClientBacklogBytes: 0,
  };
  private readonly host: ConnectionHost;
  private readonly clock: () => MonotonicRawTime;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly server: Server,
    readonly socketPath: string,
    initial: Snapshot,
    private readonly options: ProviderOptions,
  ) {
    this.snapshot = initial;
    this.snapshotJson = serialize(initial);
    this.clock = options.monotonicRawClock ?? monotonicRawNow;
    this.limiter = new UpdateRateLimiter(options.minUpdateIntervalMs ?? 100, () => this.broadcast());
    this.host = this.makeHost();
    server.on('connection', (socket) => this.accept(socket));
    // Accept failures (EMFILE…) must not take the daemon down; the client sees its connect fail.
    server.on('error', () => undefined);
  }

  /**
   * Binds the socket (replacing a stale one, refusing a live one or a non-socket with
   * SocketFileError), sets its mode and group, and starts serving `initial`.
   */
  static async listen(initial: Snapshot, options: ProviderOptions = {}): Promise<TimeBaseProvider> {
    const path = options.socketPath ?? DEFAULT_SOCKET_PATH;
    serialize(initial);
    await prepareSocketPath(path);
    const server = createServer({ allowHalfOpen: false });
    // The socket accepts as soon as it is bound, before its mode and group are set and before the
    // provider exists to serve. A connection left unhandled there is never read, so never sees its
    // peer's EOF and never closes: server.close() would wait for it forever. It was not checked
    // against the final permissions either: refuse it (a TimeBaseClient simply retries).
    const refuseBeforeReady = (socket: Socket): void => {
      socket.on('error', () => undefined);
      socket.destroy();
    };
    server.on('connection', refuseBeforeReady);
    await new Promise<void>((resolve, reject) => {
      const fail = (err: NodeJS.ErrnoException): void => reject(new SocketFileError(path, `cannot listen on ${path}: ${err.code ?? err.message}`));
      server.once('error', fail);
      server.listen(path, () => {
        server.off('error', fail);
        resolve();
      });
    });
    try {
      await applySocketPermissions(path, options.mode ?? 0o660, options.group);
    } catch (err) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      throw err;
    }
    // Synchronously replaced by the provider's own handler: no connection falls in between.
    server.off('connection', refuseBeforeReady);
    return new TimeBaseProvider(server, path, initial, options);
  }

  /**
   * The daemon's new state. Subscribers hear of a change of status, grandmaster, mapping or UTC
   * offset (rate-limited, coalesced); a status request always gets the latest. Throws
   * InvalidSnapshotError (and keeps the previous snapshot) when a field cannot be carried.
   */
  publish(snapshot: Snapshot): void {
    const json = serialize(snapshot);
    const notable = isNotableChange(this.snapshot, snapshot);
    this.snapshot = snapshot;
    this.snapshotJson = json;
    if (notable) this.limiter.changed();
  }

  get current(): Snapshot {
    return this.snapshot;
  }

  stats(): ProviderStats {
    let subscribers = 0;
    for (const c of this.connections) if (c.subscribed) subscribers++;
    return { ...this.counters, errors: { ...this.counters.errors }, clientsConnected: this.connections.size, subscribers };
  }

  /** Disconnects every client, stops listening and removes the socket file. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.limiter.cancel();
      for (const c of this.connections) c.close();
      this.server.close(() => resolve());
    });
    return this.closing;
  }

  private accept(socket: Socket): void {
    const maxClients = this.options.maxClients ?? 128;
    if (this.closing !== undefined || this.connections.size >= maxClients) {
      socket.on('error', () => undefined);
      if (this.closing !== undefined) {
        socket.destroy();
        return;
      }
      this.counters.errors.tooManyClients++;
      // The reply stays readable in the client's receive queue after we close our end.
      socket.end(errorReply({ code: 'tooManyClients', message: `the provider serves at most ${maxClients} clients` }), () => socket.destroy());
      return;
    }
    const limits = {
      maxRequestBytes: this.options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES,
      maxBacklogBytes: this.options.maxClientBacklogBytes ?? 64 * 1024,
      slowClientTimeoutMs: this.options.slowClientTimeoutMs ?? 5000,
    };
    this.connections.add(new ClientConnection(socket, limits, this.host));
  }

  private broadcast(): void {
    const line = this.updateLine();
    for (const c of this.connections) if (c.subscribed) c.sendUpdate(line);
  }

  private updateLine(): string {
    return this.snapshotLine('update', undefined);
  }

  /** The snapshot with its age and the error bound at this instant (when the snapshot has one). */
  private snapshotLine(op: 'status' | 'subscribe' | 'update', id: Request['id']): string {
    const age = this.ageNs();
    const bound = this.snapshot.errorBound === undefined ? undefined : errorBoundAtAge(this.snapshot.errorBound, age);
    return snapshotReply(op, id, this.snapshotJson, age, bound);
  }

  /** ns since the last Sync, as of now; null before the first. */
  private ageNs(): number | null {
    const last = this.snapshot.lastSync;
    return last === null ? null : Number(this.clock() - last);
  }

  private reply(connection: ClientConnection, request: Request): string {
    switch (request.op) {
      case 'status':
        return this.snapshotLine('status', request.id);
      case 'subscribe':
        connection.subscribed = true;
        return this.snapshotLine('subscribe', request.id);
      case 'unsubscribe':
        connection.subscribed = false;
        return unsubscribeReply(request.id);
      case 'version':
        return versionReply(request.id, {
          protocolVersion: PROTOCOL_VERSION,
          implementation: 'syntonic',
          implementationVersion: this.options.implementationVersion ?? 'unknown',
        });
    }
  }

  private makeHost(): ConnectionHost {
    const k = this.counters;
    return {
      reply: (connection, request) => this.reply(connection, request),
      latestUpdate: () => this.updateLine(),
      countRequest: () => void k.requests++,
      countError: (code) => void k.errors[code]++,
      countUpdateSent: () => void k.updatesSent++,
      countDroppedUpdate: () => void k.droppedUpdates++,
      countSlowDisconnect: () => void k.disconnectedSlowClients++,
      noteBacklog: (bytes) => {
        if (bytes > k.maxClientBacklogBytes) k.maxClientBacklogBytes = bytes;
      },
      closed: (connection) => void this.connections.delete(connection),
    };
  }
}

/** The wire JSON of a snapshot, checked to decode again; throws InvalidSnapshotError otherwise. */
function serialize(snapshot: Snapshot): string {
  const wire = snapshotToWire(snapshot);
  const check = snapshotFromWire({ ...wire, timeSinceLastSyncNs: null });
  if (!check.ok) throw new InvalidSnapshotError(check.error.field, `cannot publish snapshot: ${check.error.message}`);
  return JSON.stringify(wire);
}
