/**
 * A timestamped raw-Ethernet port for gPTP: one AF_PACKET socket bound to one interface, receiving
 * ethertype 0x88F7 (802.1AS-2020 11.3.2: peer-to-peer messages go to 01:80:C2:00:00:0E), sending
 * whole Ethernet frames, with an ingress timestamp on every received frame and an egress timestamp for
 * every event message sent (802.1AS-2020 11.3.9: t1…t4 are taken at the reference plane).
 *
 * Timestamps are LocalTime: the NIC's PHC in hardware mode, CLOCK_REALTIME in software mode. Each
 * frame and TX timestamp says which it is (`timestampSource`), because in hardware mode general
 * messages that the NIC's filter does not stamp still carry a software timestamp.
 */
import { EventEmitter } from 'node:events';
import { localTime, type LocalTime } from '../clock/timePoint.js';
import type { MacAddress } from '../protocol/messages.js';
import type { TimestampingMode } from '../protocol/portConfig.js';
import {
  isNativeError,
  nativeBinding,
  nativeError,
  type NativeBinding,
  type NativeError,
  type NativePacketPort,
  type NativePacketPortCounters,
} from '../native/binding.js';
import { capabilitiesSummary, describeTimestampingInfo, type TimestampingCapabilities } from './timestampingCapabilities.js';
import { TxTimestampTracker } from './txTimestampTracker.js';

export { timestampingCapabilities, type TimestampingCapabilities } from './timestampingCapabilities.js';

export type TimestampingRequest = 'auto' | 'hardware' | 'software';
export type { TimestampingMode } from '../protocol/portConfig.js';
export type TimestampSource = 'hardware' | 'software';

/**
 * Default TX timestamp time-outs. Hardware: 10 ms, ptp4l's tx_timestamp_timeout in recent linuxptp
 * (Debian 12's 3.1.1 still defaults to 1 ms, which some NICs miss); NICs fetch the stamp from a
 * register in an interrupt or worker, normally well under 1 ms. Software:
 * the kernel stamps in the driver's transmit path, so a stamp is either there at once or never; the
 * long 100 ms only guards against a loaded machine and costs nothing when stamps arrive.
 */
export const DEFAULT_TX_TIMESTAMP_TIMEOUT_MS: Readonly<Record<TimestampingMode, number>> = { hardware: 10, software: 100 };

/** Ethernet II header: destination, source, ethertype. */
const ETHERNET_HEADER_OCTETS = 14;
/** IFNAMSIZ - 1. */
const MAX_INTERFACE_NAME_OCTETS = 15;

export interface PacketSocketOptions {
  /** Interface name in this network namespace, e.g. 'eth0'. */
  readonly interface: string;
  /** 'auto' (default): hardware when the NIC offers it (and lets us enable it), software otherwise. */
  readonly timestamping?: TimestampingRequest;
  /** How long to wait for a TX timestamp; default DEFAULT_TX_TIMESTAMP_TIMEOUT_MS[mode]. */
  readonly txTimestampTimeoutMs?: number;
  /**
   * One-step Pdelay responder (linuxptp time_stamping p2p1step): the NIC adds the turnaround t3 − t2 to
   * each Pdelay_Resp's correctionField as it leaves (HWTSTAMP_TX_ONESTEP_P2P), so no Follow_Up is
   * needed. Hardware timestamping only, and only on NICs that offer 'onestep-p2p'. Default false.
   */
  readonly oneStepP2p?: boolean;
}

export interface SendOptions {
  /** True for event messages (Sync, Pdelay_Req, Pdelay_Resp): a TX timestamp is requested. */
  readonly event: boolean;
  /**
   * An event message whose time the NIC inserts itself (a one-step Pdelay_Resp on a oneStepP2p port):
   * the TX timestamp is still requested, as drivers act on the request, but none is awaited (the kernel
   * reports none for it) and one that comes anyway is dropped. The send returns no id to wait for.
   */
  readonly oneStep?: boolean;
}

export type ReceivedFrame =
  | {
      /** The whole Ethernet frame, header included (VLAN tags are removed by the kernel). */
      readonly data: Uint8Array;
      readonly timestampNs: LocalTime;
      readonly timestampSource: TimestampSource;
    }
  | {
      readonly data: Uint8Array;
      /** The kernel gave no timestamp (only possible right after open, while stamping switches on). */
      readonly timestampNs: undefined;
      readonly timestampSource: 'none';
    };

export interface TxTimestamp {
  /** The id send() returned. */
  readonly id: number;
  readonly timestampNs: LocalTime;
  readonly source: TimestampSource;
}

export interface TxTimestampTimeout {
  readonly id: number;
  readonly timeoutMs: number;
}

export interface PacketSocketEvents {
  frame: [frame: ReceivedFrame];
  txTimestamp: [timestamp: TxTimestamp];
  txTimestampTimeout: [timeout: TxTimestampTimeout];
  /** The interface went down or was removed (ENETDOWN); reception resumes when it comes back up. */
  linkDown: [error: NativeError];
  /** A non-fatal socket error; the port keeps running. */
  warning: [error: NativeError];
  /** A fatal error; the port is closed. Without a listener it is thrown, as for any EventEmitter. */
  error: [error: Error];
}

export interface PacketSocketCounters extends NativePacketPortCounters {
  readonly txTimestampTimeouts: number;
  /** TX timestamps that arrived after their send had timed out (or matched no send). */
  readonly lateTxTimestamps: number;
}

/** Bad options: `field` names the offending one. */
export class PacketSocketOptionError extends TypeError {
  override readonly name = 'PacketSocketOptionError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

function validateOptions(options: PacketSocketOptions): void {
  const name: unknown = options.interface;
  if (typeof name !== 'string' || name.length === 0 || Buffer.byteLength(name) > MAX_INTERFACE_NAME_OCTETS || name.includes('\0')) {
    throw new PacketSocketOptionError('interface', `interface must be an interface name of 1 to 15 octets, got ${JSON.stringify(name)}`);
  }
  const ts: unknown = options.timestamping;
  if (ts !== undefined && ts !== 'auto' && ts !== 'hardware' && ts !== 'software') {
    throw new PacketSocketOptionError('timestamping', `timestamping must be 'auto', 'hardware' or 'software', got ${JSON.stringify(ts)}`);
  }
  const oneStep: unknown = options.oneStepP2p;
  if (oneStep !== undefined && typeof oneStep !== 'boolean') {
    throw new PacketSocketOptionError('oneStepP2p', `oneStepP2p must be true or false, got ${JSON.stringify(oneStep)}`);
  }
  if (oneStep === true && options.timestamping !== 'hardware') {
    throw new PacketSocketOptionError('oneStepP2p', "oneStepP2p (time_stamping p2p1step) needs timestamping 'hardware': only a NIC can insert the turnaround");
  }
  const timeout: unknown = options.txTimestampTimeoutMs;
  if (timeout !== undefined && (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout <= 0)) {
    throw new PacketSocketOptionError('txTimestampTimeoutMs', `txTimestampTimeoutMs must be a positive number of ms, got ${String(timeout)}`);
  }
}

function chooseMode(request: TimestampingRequest, caps: TimestampingCapabilities): TimestampingMode {
  const name = JSON.stringify(caps.interfaceName);
  if (request === 'hardware' && !caps.hardware) {
    throw nativeError(
      'EOPNOTSUPP',
      'ioctl(SIOCETHTOOL)',
      `${name} offers no hardware timestamping (it offers: ${capabilitiesSummary(caps)}); use --timestamping software`,
    );
  }
  if (request === 'hardware' || (request === 'auto' && caps.hardware)) return 'hardware';
  if (!caps.software) {
    throw nativeError(
      'EOPNOTSUPP',
      'ioctl(SIOCETHTOOL)',
      `${name} offers neither hardware nor software transmit and receive timestamping (it offers: ${capabilitiesSummary(caps)})`,
    );
  }
  return 'software';
}

/** Enabling hardware timestamping failed in a way 'auto' may fall back from. */
function isHardwareSetupRefusal(e: unknown): e is NativeError {
  return isNativeError(e) && e.syscall === 'ioctl(SIOCSHWTSTAMP)';
}

export class PacketSocket extends EventEmitter<PacketSocketEvents> {
  readonly interfaceName: string;
  readonly macAddress: MacAddress;
  readonly ifIndex: number;
  /** The timestamping actually in use. */
  readonly timestampingMode: TimestampingMode;
  /** The NIC's PHC (/dev/ptpN); its time is the timestamps' time only in hardware mode. */
  readonly phcIndex: number | undefined;
  readonly txTimestampTimeoutMs: number;
  /** Why 'auto' settled for software although the NIC offers hardware timestamping, if it did. */
  readonly fallbackReason: string | undefined;
  /** IFF_UP at open: the port opens on a down interface (as ptp4l does) and receives once it is up. */
  readonly interfaceUpAtOpen: boolean;
  /** The NIC inserts the Pdelay_Resp turnaround (see PacketSocketOptions.oneStepP2p). */
  readonly oneStepP2p: boolean;

  private readonly port: NativePacketPort;
  private readonly tracker: TxTimestampTracker;
  private nextSendId = 0;
  private closed = false;
  private txTimestampTimeouts = 0;
  private lateTxTimestamps = 0;
  /** Keys of one-step sends: a report for one (drivers should give none) is dropped, not counted late. */
  private readonly oneStepKeys = new Set<number>();

  /**
   * Opens the port. Throws PacketSocketOptionError for bad options, and the addon's errors with a code:
   * ENODEV (no such interface), EPERM (needs CAP_NET_RAW), EOPNOTSUPP (hardware timestamping asked
   * for but not offered), and for 'hardware' the SIOCSHWTSTAMP refusals (EPERM: needs CAP_NET_ADMIN).
   */
  static open(options: PacketSocketOptions, binding: NativeBinding = nativeBinding()): PacketSocket {
    validateOptions(options);
    const caps = describeTimestampingInfo(options.interface, binding.timestampingInfo(options.interface));
    const request = options.timestamping ?? 'auto';
    const mode = chooseMode(request, caps);
    if (mode === 'hardware' && request === 'auto') {
      try {
        return new PacketSocket(binding, options, 'hardware', caps, undefined);
      } catch (e) {
        if (!isHardwareSetupRefusal(e)) throw e;
        return new PacketSocket(binding, options, 'software', caps, e.message);
      }
    }
    return new PacketSocket(binding, options, mode, caps, undefined);
  }

  private constructor(
    binding: NativeBinding,
    options: PacketSocketOptions,
    mode: TimestampingMode,
    caps: TimestampingCapabilities,
    fallbackReason: string | undefined,
  ) {
    super();
    this.interfaceName = options.interface;
    this.txTimestampTimeoutMs = options.txTimestampTimeoutMs ?? DEFAULT_TX_TIMESTAMP_TIMEOUT_MS[mode];
    this.fallbackReason = fallbackReason;
    this.tracker = new TxTimestampTracker({
      timeoutMs: this.txTimestampTimeoutMs,
      onTimeout: (id) => this.onTxTimeout(id),
      drain: () => {
        if (!this.closed) this.port.drainErrorQueue();
      },
    });
    this.port = new binding.PacketPort(options.interface, mode === 'hardware' && options.oneStepP2p === true ? 'hardware-p2p1step' : mode, {
      onFrame: (data, ts, hardware) => this.onFrame(data, ts, hardware),
      onTxTimestamp: (key, ts, hardware) => this.onTxTimestamp(key, ts, hardware),
      onSocketError: (error, fatal) => this.onSocketError(error, fatal),
    });
    const info = this.port.info();
    this.macAddress = info.macAddress;
    this.ifIndex = info.ifIndex;
    this.timestampingMode = info.timestampingMode;
    this.phcIndex = caps.phcIndex;
    this.interfaceUpAtOpen = info.interfaceUp;
    this.oneStepP2p = info.oneStepP2p;
  }

  /**
   * Sends one whole Ethernet frame (destination, source, ethertype, payload) and returns its send id.
   * For `event: true` a 'txTimestamp' (or 'txTimestampTimeout') with that id follows.
   * Throws the addon's error when the kernel refuses the frame (ENETDOWN, EMSGSIZE, ENOBUFS…).
   */
  send(frame: Uint8Array, options: SendOptions): number {
    if (!(frame instanceof Uint8Array) || frame.length < ETHERNET_HEADER_OCTETS) {
      throw new PacketSocketOptionError('frame', `frame must be a Uint8Array of at least ${ETHERNET_HEADER_OCTETS} octets`);
    }
    if (this.closed) throw nativeError('EBADF', 'sendmsg', `the packet port on ${JSON.stringify(this.interfaceName)} is closed`);
    if (options.oneStep === true && !this.oneStepP2p) {
      throw new PacketSocketOptionError('oneStep', `a one-step send needs a port opened with oneStepP2p on ${JSON.stringify(this.interfaceName)}`);
    }
    const key = this.port.send(frame, options.event || options.oneStep === true);
    const id = this.nextSendId++;
    if (options.oneStep === true) this.rememberOneStep(key);
    else if (options.event) this.tracker.expect(key, id);
    return id;
  }

  private rememberOneStep(key: number): void {
    this.oneStepKeys.add(key);
    // Bounded: a driver that never reports leaves nothing behind but the last few keys.
    if (this.oneStepKeys.size > 64) this.oneStepKeys.delete(this.oneStepKeys.values().next().value as number);
  }

  /** Interface state now (IFF_UP, and IFF_RUNNING for carrier). */
  linkState(): { readonly up: boolean; readonly carrier: boolean } {
    return this.port.linkState();
  }

  counters(): PacketSocketCounters {
    return { ...this.port.counters(), txTimestampTimeouts: this.txTimestampTimeouts, lateTxTimestamps: this.lateTxTimestamps };
  }

  /** Sends still waiting for their TX timestamp. */
  get pendingTxTimestamps(): number {
    return this.tracker.size;
  }

  /** Keep the process alive while the port is open (the default). */
  ref(): this {
    this.port.ref();
    return this;
  }

  /** Let the process exit even though the port is open. */
  unref(): this {
    this.port.unref();
    return this;
  }

  /** Closes the socket and restores the NIC's previous hardware timestamping setting. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.tracker.clear();
    this.port.close();
  }

  private onFrame(data: Buffer, timestampNs: bigint | undefined, hardware: boolean): void {
    const frame: ReceivedFrame =
      timestampNs === undefined
        ? { data, timestampNs: undefined, timestampSource: 'none' }
        : { data, timestampNs: localTime(timestampNs), timestampSource: hardware ? 'hardware' : 'software' };
    this.emit('frame', frame);
  }

  private onTxTimestamp(key: number, timestampNs: bigint, hardware: boolean): void {
    if (this.oneStepKeys.delete(key)) return;
    const id = this.tracker.resolve(key);
    if (id === undefined) {
      this.lateTxTimestamps++;
      return;
    }
    this.emit('txTimestamp', { id, timestampNs: localTime(timestampNs), source: hardware ? 'hardware' : 'software' });
  }

  private onTxTimeout(id: number): void {
    this.txTimestampTimeouts++;
    this.emit('txTimestampTimeout', { id, timeoutMs: this.txTimestampTimeoutMs });
  }

  private onSocketError(error: NativeError, fatal: boolean): void {
    if (fatal) {
      this.closed = true;
      this.tracker.clear();
      this.emit('error', error);
    } else if (error.code === 'ENETDOWN') {
      this.emit('linkDown', error);
    } else {
      this.emit('warning', error);
    }
  }
}
