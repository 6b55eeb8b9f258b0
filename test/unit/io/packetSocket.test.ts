/**
 * The TypeScript side of the packet port over a fake addon: how TX timestamps are tied to send ids,
 * when a send is declared timed out, which timestamping mode is chosen, and how socket errors surface.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { localTime } from '../../../src/clock/timePoint.js';
import {
  nativeError,
  type NativeBinding,
  type NativePacketCallbacks,
  type NativePacketPort,
  type NativePacketPortCounters,
  type NativePacketPortInfo,
  type NativePortMode,
  type NativeTimestampingInfo,
} from '../../../src/native/binding.js';
import { PacketSocket, type ReceivedFrame, type TxTimestamp, type TxTimestampTimeout } from '../../../src/io/packetSocket.js';

/** software-transmit | software-receive | software-system-clock, no PHC (what veth reports). */
const SOFTWARE_ONLY: NativeTimestampingInfo = { soTimestamping: 0b11010, phcIndex: -1, txTypes: 0, rxFilters: 0 };
/** Hardware and software flags (bits 0-4, 6), PHC 2, tx off/on, rx filters none/all. */
const HARDWARE_NIC: NativeTimestampingInfo = { soTimestamping: 0b1011111, phcIndex: 2, txTypes: 0b11, rxFilters: 0b11 };

class FakePort implements NativePacketPort {
  static opened: FakePort[] = [];
  /** Keys the next sends return; a real kernel counts 0, 1, 2, … */
  nextKeys: number[] = [];
  private keyCounter = 0;
  /** Timestamps "in the error queue": delivered by drainErrorQueue(). */
  queued: { key: number; ns: bigint }[] = [];
  closeCalls = 0;

  /** Events flags the port's sends were given, in order. */
  readonly sends: boolean[] = [];

  constructor(
    readonly ifname: string,
    readonly mode: NativePortMode,
    readonly callbacks: NativePacketCallbacks,
  ) {
    if (mode !== 'software' && FakePort.refuseHardware) {
      throw nativeError('EPERM', 'ioctl(SIOCSHWTSTAMP)', 'enabling hardware timestamping needs CAP_NET_ADMIN');
    }
    FakePort.opened.push(this);
  }

  static refuseHardware = false;

  send(_frame: Uint8Array, event: boolean): number {
    this.sends.push(event);
    if (!event) return -1;
    return this.nextKeys.shift() ?? this.keyCounter++;
  }
  drainErrorQueue(): void {
    for (const q of this.queued.splice(0)) this.callbacks.onTxTimestamp(q.key, q.ns, false);
  }
  info(): NativePacketPortInfo {
    return {
      ifIndex: 7,
      macAddress: 0x0200_0000_0001,
      timestampingMode: this.mode === 'software' ? 'software' : 'hardware',
      oneStepP2p: this.mode === 'hardware-p2p1step',
      phcIndex: -1,
      rxFilter: -1,
      interfaceUp: true,
      carrier: true,
    };
  }
  linkState(): { up: boolean; carrier: boolean } {
    return { up: true, carrier: true };
  }
  counters(): NativePacketPortCounters {
    return { framesReceived: 0, framesTruncated: 0, txTimestampsReceived: 0, txKeyRestarts: 0, pollWakeups: 0 };
  }
  ref(): void {}
  unref(): void {}
  close(): void {
    this.closeCalls++;
  }
}

function fakeBinding(info: NativeTimestampingInfo): NativeBinding {
  const unused = (): never => {
    throw new Error('not used by these tests');
  };
  return {
    monotonicRawNs: unused,
    realtimeNs: unused,
    sampleRealtimeAndMonotonicRaw: unused,
    timestampingInfo: () => info,
    PacketPort: FakePort,
    PhcClock: class {
      constructor() {
        unused();
      }
    } as unknown as NativeBinding['PhcClock'],
    UnixDatagramSocket: class {
      constructor() {
        unused();
      }
    } as unknown as NativeBinding['UnixDatagramSocket'],
    UnixDatagramSender: class {
      constructor() {
        unused();
      }
    } as unknown as NativeBinding['UnixDatagramSender'],
    TimePage: class {
      constructor() {
        unused();
      }
    } as unknown as NativeBinding['TimePage'],
    clockIdForFd: unused,
    isDynamicClockId: unused,
    splitStepNs: unused,
    bestSystemOffsetBracket: unused,
  };
}

const FRAME = new Uint8Array(68);

function openRecording(timeoutMs = 10): {
  socket: PacketSocket;
  port: FakePort;
  stamps: TxTimestamp[];
  timeouts: TxTimestampTimeout[];
} {
  const socket = PacketSocket.open({ interface: 'eth9', timestamping: 'software', txTimestampTimeoutMs: timeoutMs }, fakeBinding(SOFTWARE_ONLY));
  const port = FakePort.opened[FakePort.opened.length - 1];
  if (port === undefined) throw new Error('no port opened');
  const stamps: TxTimestamp[] = [];
  const timeouts: TxTimestampTimeout[] = [];
  socket.on('txTimestamp', (t) => stamps.push(t));
  socket.on('txTimestampTimeout', (t) => timeouts.push(t));
  return { socket, port, stamps, timeouts };
}

beforeEach(() => {
  FakePort.opened = [];
  FakePort.refuseHardware = false;
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('PacketSocket TX timestamp matching', () => {
  it('numbers every send and ties each kernel key to the event send that got it, in any order', () => {
    const { socket, port, stamps } = openRecording();
    expect(socket.send(FRAME, { event: false })).toBe(0); // general: no key
    expect(socket.send(FRAME, { event: true })).toBe(1); // key 0
    expect(socket.send(FRAME, { event: true })).toBe(2); // key 1
    port.callbacks.onTxTimestamp(1, 2_000n, false);
    port.callbacks.onTxTimestamp(0, 1_000n, false);
    expect(stamps).toEqual([
      { id: 2, timestampNs: localTime(2_000n), source: 'software' },
      { id: 1, timestampNs: localTime(1_000n), source: 'software' },
    ]);
    expect(socket.pendingTxTimestamps).toBe(0);
  });

  it('declares a send timed out once txTimestampTimeoutMs has passed without its timestamp', () => {
    const { socket, port, stamps, timeouts } = openRecording(10);
    const id = socket.send(FRAME, { event: true });
    vi.advanceTimersByTime(9);
    expect(timeouts).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(timeouts).toEqual([{ id, timeoutMs: 10 }]);
    // A timestamp that turns up afterwards is counted, not delivered.
    port.callbacks.onTxTimestamp(0, 5n, false);
    expect(stamps).toEqual([]);
    expect(socket.counters()).toMatchObject({ txTimestampTimeouts: 1, lateTxTimestamps: 1 });
  });

  it('times out only the sends whose deadline passed, and the later ones at their own deadline', () => {
    const { socket, timeouts } = openRecording(10);
    const first = socket.send(FRAME, { event: true }); // deadline 10 ms
    vi.advanceTimersByTime(4);
    const second = socket.send(FRAME, { event: true }); // deadline 14 ms
    vi.advanceTimersByTime(6);
    expect(timeouts.map((t) => t.id)).toEqual([first]);
    vi.advanceTimersByTime(4);
    expect(timeouts.map((t) => t.id)).toEqual([first, second]);
  });

  it('reads the error queue before declaring a timeout (a blocked event loop is not a lost timestamp)', () => {
    const { socket, port, stamps, timeouts } = openRecording(10);
    const id = socket.send(FRAME, { event: true });
    port.queued.push({ key: 0, ns: 77n }); // arrived, but the loop has not polled yet
    vi.advanceTimersByTime(50);
    expect(timeouts).toEqual([]);
    expect(stamps).toEqual([{ id, timestampNs: localTime(77n), source: 'software' }]);
  });

  it('after a key restart, gives up on the older send holding the same key and matches the newer one', () => {
    const { socket, port, stamps, timeouts } = openRecording(10);
    const older = socket.send(FRAME, { event: true }); // key 0
    port.nextKeys = [0]; // the addon restarted the kernel's counter after an ambiguous send failure
    const newer = socket.send(FRAME, { event: true });
    expect(timeouts).toEqual([{ id: older, timeoutMs: 10 }]);
    port.callbacks.onTxTimestamp(0, 9n, false);
    expect(stamps).toEqual([{ id: newer, timestampNs: localTime(9n), source: 'software' }]);
  });
});

describe('PacketSocket frames and errors', () => {
  it('labels each received frame with its timestamp source', () => {
    const { socket, port } = openRecording();
    const frames: ReceivedFrame[] = [];
    socket.on('frame', (f) => frames.push(f));
    const data = Buffer.from([1, 2, 3]);
    port.callbacks.onFrame(data, 123n, true);
    port.callbacks.onFrame(data, 456n, false);
    port.callbacks.onFrame(data, undefined, false);
    expect(frames).toEqual([
      { data, timestampNs: localTime(123n), timestampSource: 'hardware' },
      { data, timestampNs: localTime(456n), timestampSource: 'software' },
      { data, timestampNs: undefined, timestampSource: 'none' },
    ]);
  });

  it("reports ENETDOWN as 'linkDown' and keeps running; a fatal error as 'error' and closes", () => {
    const { socket, port } = openRecording();
    const seen: string[] = [];
    socket.on('linkDown', (e) => seen.push(`linkDown ${e.code}`));
    socket.on('error', (e) => seen.push(`error ${e.message}`));
    port.callbacks.onSocketError(nativeError('ENETDOWN', 'recvmsg', '"eth9" went down'), false);
    expect(socket.send(FRAME, { event: false })).toBe(0);
    port.callbacks.onSocketError(nativeError('EIO', 'poll', 'poll failed'), true);
    expect(seen).toEqual(['linkDown ENETDOWN', 'error poll failed']);
    expect(() => socket.send(FRAME, { event: false })).toThrow(expect.objectContaining({ code: 'EBADF' }));
  });

  it('closes once, forgetting pending sends without reporting them', () => {
    const { socket, port, timeouts } = openRecording(10);
    socket.send(FRAME, { event: true });
    socket.close();
    socket.close();
    vi.advanceTimersByTime(100);
    expect(port.closeCalls).toBe(1);
    expect(timeouts).toEqual([]);
    expect(() => socket.send(FRAME, { event: true })).toThrow(expect.objectContaining({ code: 'EBADF' }));
  });

  it('refuses frames shorter than an Ethernet header', () => {
    const { socket } = openRecording();
    expect(() => socket.send(new Uint8Array(13), { event: false })).toThrow(expect.objectContaining({ field: 'frame' }));
  });
});

describe('PacketSocket timestamping mode', () => {
  it("uses hardware for 'auto' on a NIC that offers it, with ptp4l's 10 ms TX timeout", () => {
    const socket = PacketSocket.open({ interface: 'eth9' }, fakeBinding(HARDWARE_NIC));
    expect(socket.timestampingMode).toBe('hardware');
    expect(socket.phcIndex).toBe(2);
    expect(socket.txTimestampTimeoutMs).toBe(10);
    expect(socket.fallbackReason).toBeUndefined();
  });

  it("falls back to software for 'auto' when the NIC refuses to enable hardware stamping, and says why", () => {
    FakePort.refuseHardware = true;
    const socket = PacketSocket.open({ interface: 'eth9', timestamping: 'auto' }, fakeBinding(HARDWARE_NIC));
    expect(socket.timestampingMode).toBe('software');
    expect(socket.txTimestampTimeoutMs).toBe(100);
    expect(socket.fallbackReason).toBe('enabling hardware timestamping needs CAP_NET_ADMIN');
  });

  it("does not fall back when 'hardware' was asked for", () => {
    FakePort.refuseHardware = true;
    expect(() => PacketSocket.open({ interface: 'eth9', timestamping: 'hardware' }, fakeBinding(HARDWARE_NIC))).toThrow(
      expect.objectContaining({ code: 'EPERM', syscall: 'ioctl(SIOCSHWTSTAMP)' }),
    );
  });

  it('gives the interface facts the addon reports', () => {
    const socket = PacketSocket.open({ interface: 'eth9', timestamping: 'software' }, fakeBinding(SOFTWARE_ONLY));
    expect(socket).toMatchObject({ interfaceName: 'eth9', ifIndex: 7, macAddress: 0x0200_0000_0001, phcIndex: undefined });
  });
});

describe('PacketSocket one-step Pdelay responder (HWTSTAMP_TX_ONESTEP_P2P)', () => {
  it('opens the addon port in hardware-p2p1step mode when asked, on hardware timestamping only', () => {
    const socket = PacketSocket.open({ interface: 'eth9', timestamping: 'hardware', oneStepP2p: true }, fakeBinding(HARDWARE_NIC));
    expect(FakePort.opened[0]?.mode).toBe('hardware-p2p1step');
    expect(socket.oneStepP2p).toBe(true);
    expect(() => PacketSocket.open({ interface: 'eth9', timestamping: 'software', oneStepP2p: true }, fakeBinding(SOFTWARE_ONLY))).toThrow(
      expect.objectContaining({ name: 'PacketSocketOptionError', field: 'oneStepP2p' }),
    );
    expect(() => PacketSocket.open({ interface: 'eth9', timestamping: 'auto', oneStepP2p: true }, fakeBinding(HARDWARE_NIC))).toThrow(
      /needs timestamping 'hardware'/,
    );
  });

  it('requests a TX timestamp for a one-step send but awaits none, and drops one that comes anyway', () => {
    const socket = PacketSocket.open({ interface: 'eth9', timestamping: 'hardware', oneStepP2p: true, txTimestampTimeoutMs: 10 }, fakeBinding(HARDWARE_NIC));
    const port = FakePort.opened[0] as FakePort;
    const stamps: TxTimestamp[] = [];
    const timeouts: TxTimestampTimeout[] = [];
    socket.on('txTimestamp', (t) => stamps.push(t));
    socket.on('txTimestampTimeout', (t) => timeouts.push(t));
    socket.send(FRAME, { event: true, oneStep: true }); // key 0: the Pdelay_Resp, stamped by the NIC
    const req = socket.send(FRAME, { event: true }); // key 1: a Pdelay_Req, stamped as usual
    expect(port.sends).toEqual([true, true]);
    expect(socket.pendingTxTimestamps).toBe(1);
    port.callbacks.onTxTimestamp(0, 5n, true);
    port.callbacks.onTxTimestamp(1, 7n, true);
    vi.advanceTimersByTime(50);
    expect(stamps).toEqual([{ id: req, timestampNs: localTime(7n), source: 'hardware' }]);
    expect(timeouts).toEqual([]);
    expect(socket.counters().lateTxTimestamps).toBe(0);
  });

  it('refuses a one-step send on a port that does not insert timestamps', () => {
    const { socket } = openRecording();
    expect(() => socket.send(FRAME, { event: true, oneStep: true })).toThrow(expect.objectContaining({ field: 'oneStep' }));
  });
});
