/**
 * The C++ addon (native/, built by `node-gyp rebuild` into build/Release/syntonic_native.node) and the
 * shape of what it exports. It is loaded on first use, so modules that merely import a clock or the
 * packet port keep working where the addon is not built, until they actually need it.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants as osConstants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** An Error thrown or reported by the addon, shaped like Node's system errors. */
export interface NativeError extends Error {
  /** The errno name, e.g. 'ENODEV', 'EPERM', 'EOPNOTSUPP'. */
  readonly code: string;
  /** Negative errno, as in Node's own system errors (-19 for ENODEV). */
  readonly errno: number;
  /** The failing call, e.g. 'socket', 'ioctl(SIOCSHWTSTAMP)'. */
  readonly syscall: string;
}

export function isNativeError(e: unknown): e is NativeError {
  return e instanceof Error && typeof (e as Partial<NativeError>).code === 'string' && typeof (e as Partial<NativeError>).errno === 'number';
}

/** An error shaped like the addon's, for refusals decided in TypeScript (e.g. no hardware timestamping). */
export function nativeError(code: keyof typeof osConstants.errno, syscall: string, message: string): NativeError {
  return Object.assign(new Error(message), { code, errno: -osConstants.errno[code], syscall });
}

/** Read on both clocks at one instant (raw, real, raw; the raw midpoint pairs with the real read). */
export interface NativeClockSample {
  readonly realtimeNs: bigint;
  readonly monotonicRawNs: bigint;
  /** Length of the raw bracket around the realtime read; the pairing error is at most half of it. */
  readonly intervalNs: number;
}

/** ETHTOOL_GET_TS_INFO as the kernel reports it (bit masks; see timestampingCapabilities.ts for names). */
export interface NativeTimestampingInfo {
  /** SOF_TIMESTAMPING_* capability bits. */
  readonly soTimestamping: number;
  /** /dev/ptpN of the NIC's clock, -1 when it has none. */
  readonly phcIndex: number;
  /** Bit (1 << HWTSTAMP_TX_*) per supported transmit type. */
  readonly txTypes: number;
  /** Bit (1 << HWTSTAMP_FILTER_*) per supported receive filter. */
  readonly rxFilters: number;
}

export type NativeTimestampingMode = 'hardware' | 'software';
/** How the port is opened: 'hardware-p2p1step' is hardware with one-step Pdelay_Resp (HWTSTAMP_TX_ONESTEP_P2P). */
export type NativePortMode = NativeTimestampingMode | 'hardware-p2p1step';

export interface NativePacketCallbacks {
  /** A received frame (whole Ethernet frame); timestampNs undefined when the kernel gave none. */
  onFrame(data: Buffer, timestampNs: bigint | undefined, hardware: boolean): void;
  /** A TX timestamp for the send that returned `key`. */
  onTxTimestamp(key: number, timestampNs: bigint, hardware: boolean): void;
  /** A socket error; after a fatal one the port is closed. */
  onSocketError(error: NativeError, fatal: boolean): void;
}

export interface NativePacketPortInfo {
  readonly ifIndex: number;
  /** 48-bit MAC address, first octet most significant. */
  readonly macAddress: number;
  readonly timestampingMode: NativeTimestampingMode;
  /** The NIC inserts the Pdelay_Resp turnaround (opened as 'hardware-p2p1step'). */
  readonly oneStepP2p: boolean;
  readonly phcIndex: number;
  /** HWTSTAMP_FILTER_* applied in hardware mode, -1 in software mode. */
  readonly rxFilter: number;
  /** IFF_UP at open. */
  readonly interfaceUp: boolean;
  /** IFF_RUNNING (carrier) at open. */
  readonly carrier: boolean;
}

export interface NativePacketPortCounters {
  readonly framesReceived: number;
  readonly framesTruncated: number;
  readonly txTimestampsReceived: number;
  /** Times the OPT_ID key counter was restarted after a send failed in an ambiguous way. */
  readonly txKeyRestarts: number;
  /** Times libuv woke the port (each wake-up drains all queued frames and timestamps). */
  readonly pollWakeups: number;
}

export interface NativePacketPort {
  /** Sends a whole Ethernet frame; returns the OPT_ID key of its TX timestamp, or -1 when `event` is false. */
  send(frame: Uint8Array, event: boolean): number;
  /** Reads every TX timestamp already queued (delivered through onTxTimestamp before it returns). */
  drainErrorQueue(): void;
  info(): NativePacketPortInfo;
  linkState(): { readonly up: boolean; readonly carrier: boolean };
  counters(): NativePacketPortCounters;
  ref(): void;
  unref(): void;
  close(): void;
}

export interface NativePhcCapabilities {
  readonly maxAdjustmentPpb: number;
  readonly alarms: number;
  readonly externalTimestampChannels: number;
  readonly periodicOutputs: number;
  readonly pps: boolean;
  readonly pins: number;
  readonly crossTimestamping: boolean;
}

export interface NativePhcSystemOffset {
  /** PHC − CLOCK_REALTIME at the chosen bracket's midpoint, or at the cross timestamp (positive: PHC ahead). */
  readonly offsetNs: bigint;
  /** Length of the chosen (shortest) system-clock bracket; 0 for a cross timestamp (PTP_SYS_OFFSET_PRECISE). */
  readonly delayNs: number;
  /** CLOCK_REALTIME at the bracket's midpoint, or the one latched with the PHC. */
  readonly systemNs: bigint;
  /** The PHC reading inside the bracket. */
  readonly phcNs: bigint;
  readonly method: 'PTP_SYS_OFFSET_PRECISE' | 'PTP_SYS_OFFSET_EXTENDED' | 'PTP_SYS_OFFSET';
}

export interface NativePhcClock {
  readNs(): bigint;
  capabilities(): NativePhcCapabilities;
  /** The adjustment currently applied (clock_adjtime with modes 0), in ppb. */
  frequencyPpb(): number;
  /** Applies `ppb` clamped to ±maxAdjustmentPpb; returns what was applied. */
  setFrequencyPpb(ppb: number): number;
  stepNs(deltaNs: bigint): void;
  /** A cross timestamp where the device has them, else the best of `samples` (1…25) brackets, as phc2sys measures. */
  systemOffset(samples: number): NativePhcSystemOffset;
  /** The dynamic POSIX clock id, undefined once closed. */
  clockId(): number | undefined;
  close(): void;
}

export interface NativeUnixDatagramCallbacks {
  /** A datagram and the path its sender is bound to ('' when the sender has none, '@name' when abstract). */
  onMessage(data: Buffer, peer: string): void;
  onSocketError(error: NativeError, fatal: boolean): void;
}

export interface NativeUnixDatagramSocket {
  /** Sends one datagram to the socket bound at peerPath; throws a NativeError (ECONNREFUSED, ENOENT, EAGAIN…). */
  sendTo(data: Uint8Array, peerPath: string): number;
  counters(): { readonly datagramsReceived: number; readonly datagramsTruncated: number; readonly datagramsSent: number };
  ref(): void;
  unref(): void;
  /** Closes the socket; the socket file stays for the caller to remove. */
  close(): void;
}

/** A connected AF_UNIX datagram socket (chronyd's SOCK refclock); send never blocks. */
export interface NativeUnixDatagramSender {
  /** Sends one datagram; returns the bytes sent. Throws a NativeError (EAGAIN, ECONNREFUSED, …). */
  send(bytes: Uint8Array): number;
  close(): void;
}

/** The time page's writer: created (0644) and renamed into place by the constructor. */
export interface NativeTimePage {
  readonly path: string;
  /**
   * One sequence-locked update: the layout's bytes from offset 24 (`flags`) to its end (144), in host byte order
   * (src/provider/timePage.ts encodes them; include/syntonic/time_page.h defines them).
   */
  write(body: Uint8Array): void;
  /** Marks the page stopped and removes the file (if it is still this page). Idempotent. */
  close(): void;
}

export interface NativeBinding {
  monotonicRawNs(): bigint;
  realtimeNs(): bigint;
  sampleRealtimeAndMonotonicRaw(): NativeClockSample;
  timestampingInfo(ifname: string): NativeTimestampingInfo;
  PacketPort: new (ifname: string, mode: NativePortMode, callbacks: NativePacketCallbacks) => NativePacketPort;
  PhcClock: new (path: string) => NativePhcClock;
  /** AF_UNIX SOCK_DGRAM bound to `path` (a stale socket file nobody reads is replaced; a live one refused). */
  UnixDatagramSocket: new (path: string, callbacks: NativeUnixDatagramCallbacks) => NativeUnixDatagramSocket;
  /** Connects to a Unix datagram socket; throws a NativeError (ENOENT, ECONNREFUSED, EACCES, …). */
  UnixDatagramSender: new (path: string) => NativeUnixDatagramSender;
  /** Throws EEXIST (not a time page in the way), EBUSY (a running syntonic writes it) or the call's errno. */
  TimePage: new (path: string) => NativeTimePage;
  /** FD_TO_CLOCKID: ((~fd) << 3) | 3. */
  clockIdForFd(fd: number): number;
  /** True for fd-backed clock ids, the only ones the addon will ever pass to clock_adjtime. */
  isDynamicClockId(clockId: number): boolean;
  /** How a PHC step is passed to ADJ_SETOFFSET | ADJ_NANO: whole seconds (floor) and 0 ≤ ns < 1e9. */
  splitStepNs(deltaNs: bigint): { readonly seconds: bigint; readonly nanoseconds: number };
  /** Which of [system before, PHC, system after] readings systemOffset() takes: the shortest in order; undefined when none is. */
  bestSystemOffsetBracket(brackets: readonly (readonly [bigint, bigint, bigint])[]): NativePhcSystemOffset | undefined;
}

/** The addon could not be loaded: not built, or built for another Node version. */
export class NativeAddonError extends Error {
  override readonly name = 'NativeAddonError';
  readonly code = 'ERR_SYNTONIC_NATIVE';
}

const ADDON_RELATIVE_PATH = join('build', 'Release', 'syntonic_native.node');
/** From src/io (tests, tsx) the package root is 2 levels up, from dist/src/io it is 3. */
const MAX_LEVELS_UP = 4;

let loaded: NativeBinding | undefined;

/** The addon, loaded once. Throws NativeAddonError with what to do when it is missing. */
export function nativeBinding(): NativeBinding {
  loaded ??= loadAddon();
  return loaded;
}

function findAddon(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let level = 0; level <= MAX_LEVELS_UP; level++) {
    const candidate = join(dir, ADDON_RELATIVE_PATH);
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  return undefined;
}

function loadAddon(): NativeBinding {
  const path = findAddon();
  if (path === undefined) {
    throw new NativeAddonError(
      `the native addon is not built (no ${ADDON_RELATIVE_PATH} above ${dirname(fileURLToPath(import.meta.url))}): ` +
        'run `npm install` in the syntonic package (its install script runs `node-gyp rebuild`, which needs g++, make and python3)',
    );
  }
  try {
    return createRequire(import.meta.url)(path) as NativeBinding;
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    throw new NativeAddonError(`cannot load the native addon ${path}: ${reason} (rebuild it with \`npm rebuild syntonic\` or \`node-gyp rebuild\`)`);
  }
}
