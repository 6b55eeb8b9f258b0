/**
 * linuxptp's management socket (`uds_address`): the datagram socket pmc talks to, driving the sans-IO
 * ManagementResponder. Pushes SUBSCRIBE_EVENTS_NP notifications when the daemon says something
 * happened, and forgets subscribers whose socket has gone.
 */
import { monotonicRawNow } from '../../clock/systemClocks.js';
import type { NativeError } from '../../native/binding.js';
import { UnixDatagramSocket } from '../../io/unixDatagramSocket.js';
import { NotifyEvent } from '../../protocol/management.js';
import { parentDataSetField, type ManagementDataSets } from '../../protocol/managementDataSets.js';
import { ManagementResponder, type ManagementDatagram, type ManagementResponderOptions } from '../../protocol/managementResponder.js';

/** Expired subscriptions are dropped at least this often (ptp4l prunes on every poll wake-up). */
const PRUNE_INTERVAL_MS = 1_000;
/** A client that never reads could fail every send: one line, then one per this many failures. */
const WARN_EVERY = 100;

export interface ManagementServerOptions extends Omit<ManagementResponderOptions, 'dataSets'> {
  readonly path: string;
  readonly dataSets: () => ManagementDataSets;
  /** A line for the log (send failures other than a departed client). */
  readonly warn: (message: string) => void;
}

export class ManagementServer {
  private lastParent: string | undefined;
  private readonly pruneTimer: NodeJS.Timeout;
  private sendFailures = 0;
  private internalErrors = 0;

  private constructor(
    private readonly responder: ManagementResponder,
    private readonly socket: UnixDatagramSocket,
    private readonly options: ManagementServerOptions,
  ) {
    this.pruneTimer = setInterval(() => responder.prune(nowS()), PRUNE_INTERVAL_MS);
    this.pruneTimer.unref();
  }

  static start(options: ManagementServerOptions): ManagementServer {
    const responder = new ManagementResponder(options);
    let server: ManagementServer | undefined;
    const socket = UnixDatagramSocket.bind(options.path, {
      message: (data, peer) => server?.receive(data, peer),
      error: (e: NativeError, fatal) => options.warn(`management socket ${options.path}: ${e.message}${fatal ? ' (closed)' : ''}`),
    });
    server = new ManagementServer(responder, socket, options);
    return server;
  }

  /**
   * One datagram from a client. The responder never throws on bad input (fuzzed); a failure to build
   * the data sets is a bug, logged and counted, and must not escape into the event loop.
   */
  receive(data: Uint8Array, peer: string): void {
    this.safely(`request from ${peer === '' ? 'an unbound client' : peer}`, () => this.send(this.responder.handle(data, peer, nowS())));
  }

  /** The port state changed: NOTIFY_PORT_STATE subscribers get PORT_DATA_SET. */
  portStateChanged(): void {
    this.safely('port state notification', () => this.send(this.responder.notify(NotifyEvent.PORT_STATE, nowS())));
    this.parentMayHaveChanged();
  }

  /** The servo took a Sync: NOTIFY_TIME_SYNC subscribers get TIME_STATUS_NP. */
  timeSynchronized(): void {
    this.safely('time sync notification', () => this.send(this.responder.notify(NotifyEvent.TIME_SYNC, nowS())));
    this.parentMayHaveChanged();
  }

  /** The master or grandmaster may be another: NOTIFY_PARENT_DATA_SET subscribers get PARENT_DATA_SET if so. */
  parentMayHaveChanged(): void {
    if (this.responder.subscriberCount === 0) {
      this.lastParent = undefined;
      return;
    }
    this.safely('parent data set notification', () => {
      const parent = Buffer.from(parentDataSetField(this.options.dataSets().parentDS)).toString('hex');
      if (this.lastParent !== undefined && parent !== this.lastParent) this.send(this.responder.notify(NotifyEvent.PARENT_DATA_SET, nowS()));
      this.lastParent = parent;
    });
  }

  /** Datagrams not answered, by reason (as `management.<reason>` beside the engine's rejections). */
  rejected(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [reason, n] of Object.entries(this.responder.rejected())) out[`management.${reason}`] = n;
    return out;
  }

  /** For the metrics: answers by kind. */
  answers(): Record<string, number> {
    return { response: this.responder.responsesSent, ...this.responder.errors(), sendFailed: this.sendFailures, internalError: this.internalErrors };
  }

  close(): void {
    clearInterval(this.pruneTimer);
    this.socket.close();
  }

  /** Runs fn; an exception (a bug: bad input never throws) is logged and counted, never thrown into the engine or the event loop. */
  private safely(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.internalErrors++;
      this.options.warn(`management socket: ${what} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private send(datagrams: readonly ManagementDatagram[]): void {
    for (const d of datagrams) {
      try {
        this.socket.sendTo(d.bytes, d.to);
      } catch (err) {
        this.sendFailures++;
        const code = (err as Partial<NativeError>).code;
        // The client exited (pmc does after its last answer): its subscription, if any, goes with it.
        if (code === 'ECONNREFUSED' || code === 'ENOENT') this.responder.dropSubscriber(d.to);
        else if (this.sendFailures === 1 || this.sendFailures % WARN_EVERY === 0) {
          this.options.warn(`management socket: ${err instanceof Error ? err.message : String(err)} (${this.sendFailures} failed sends so far)`);
        }
      }
    }
  }
}

function nowS(): number {
  return Number(monotonicRawNow()) / 1e9;
}
