/**
 * Child program for the veth tests and nothing else: runs one PacketSocket inside a network namespace.
 *
 *   node packetSocketPeer.js initiator IFNAME   then on stdin: "run COUNT INTERVAL_MS GENERAL_EVERY"
 *   node packetSocketPeer.js echo IFNAME        then on stdin: "stop"
 *   node packetSocketPeer.js open IFNAME MODE   opens, prints the outcome, sends one Pdelay_Req, exits
 *   node packetSocketPeer.js watch IFNAME       prints each 'linkDown' and frame; on stdin "stop": counters
 *
 * The initiator sends COUNT Pdelay_Req-shaped event frames (54-octet PTP message, sequenceId 0…COUNT−1)
 * and, after every GENERAL_EVERY-th, a Pdelay_Resp_Follow_Up-shaped general frame (no TX timestamp
 * asked). The echo answers each Pdelay_Req with a Pdelay_Resp-shaped event frame of the same
 * sequenceId. Each prints "ready" facts first and a JSON report of everything it saw at the end.
 */
import { createInterface } from 'node:readline';
import { PacketSocket, type TimestampingRequest } from '../../src/io/packetSocket.js';

const PTP_MESSAGE_OCTETS = 54;
const ETHERNET_HEADER_OCTETS = 14;
const GPTP_MULTICAST = [0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e];

export interface PeerReport {
  received: { messageType: number; sequenceId: number; timestampNs: string | undefined; source: string }[];
  sent: { id: number; messageType: number; sequenceId: number; event: boolean }[];
  txTimestamps: { id: number; timestampNs: string; source: string }[];
  txTimeouts: number[];
}

function line(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}\n`);
}

/** A gPTP frame: 01:80:C2:00:00:0E ← source, 0x88F7, a 54-octet PTP message of `messageType`. */
function ptpFrame(source: number, messageType: number, sequenceId: number): Uint8Array {
  const frame = new Uint8Array(ETHERNET_HEADER_OCTETS + PTP_MESSAGE_OCTETS);
  const view = new DataView(frame.buffer);
  frame.set(GPTP_MULTICAST, 0);
  for (let i = 0; i < 6; i++) frame[6 + i] = Math.floor(source / 2 ** (8 * (5 - i))) % 256;
  view.setUint16(12, 0x88f7);
  frame[14] = 0x10 | messageType; // majorSdoId 1 (gPTP), messageType
  frame[15] = 0x12; // minorVersionPTP 1, versionPTP 2
  view.setUint16(16, PTP_MESSAGE_OCTETS);
  view.setUint16(14 + 30, sequenceId);
  frame[14 + 33] = 0x7f; // logMessageInterval
  return frame;
}

function open(ifname: string, timestamping: TimestampingRequest): { socket: PacketSocket; report: PeerReport } {
  const socket = PacketSocket.open({ interface: ifname, timestamping });
  const report: PeerReport = { received: [], sent: [], txTimestamps: [], txTimeouts: [] };
  socket.on('frame', (f) => {
    const view = new DataView(f.data.buffer, f.data.byteOffset, f.data.byteLength);
    report.received.push({
      messageType: (f.data[14] ?? 0) & 0x0f,
      sequenceId: view.getUint16(14 + 30),
      timestampNs: f.timestampNs?.toString(),
      source: f.timestampSource,
    });
  });
  socket.on('txTimestamp', (t) => report.txTimestamps.push({ id: t.id, timestampNs: t.timestampNs.toString(), source: t.source }));
  socket.on('txTimestampTimeout', (t) => report.txTimeouts.push(t.id));
  return { socket, report };
}

function send(socket: PacketSocket, report: PeerReport, messageType: number, sequenceId: number, event: boolean): void {
  const id = socket.send(ptpFrame(socket.macAddress, messageType, sequenceId), { event });
  report.sent.push({ id, messageType, sequenceId, event });
}

async function initiator(ifname: string, command: string): Promise<void> {
  const [, countText, intervalText, generalText] = command.split(' ');
  const count = Number(countText);
  const intervalMs = Number(intervalText);
  const generalEvery = Number(generalText);
  const { socket, report } = open(ifname, 'software');
  for (let seq = 0; seq < count; seq++) {
    send(socket, report, 0x2, seq, true);
    if (seq % generalEvery === generalEvery - 1) send(socket, report, 0xa, seq, false);
    await new Promise((wake) => setTimeout(wake, intervalMs));
  }
  // Wait for the answers (and the last TX timestamps), at most 2 s.
  const deadline = Date.now() + 2_000;
  while ((report.received.length < count || socket.pendingTxTimestamps > 0) && Date.now() < deadline) {
    await new Promise((wake) => setTimeout(wake, 5));
  }
  socket.close();
  line(report);
}

const [role, ifname = '', mode = 'software'] = process.argv.slice(2);
const input = createInterface({ input: process.stdin });

if (role === 'open') {
  try {
    const socket = PacketSocket.open({ interface: ifname, timestamping: mode as TimestampingRequest });
    line({ ok: true, mode: socket.timestampingMode, up: socket.interfaceUpAtOpen, phcIndex: socket.phcIndex ?? null });
    try {
      socket.send(ptpFrame(socket.macAddress, 0x2, 0), { event: true });
      line({ sent: true });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      line({ sent: false, code: err.code, message: err.message });
    }
    socket.close();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    line({ ok: false, code: err.code, errno: err.errno, syscall: err.syscall, message: err.message });
  }
  process.exit(0);
} else if (role === 'initiator') {
  line({ ready: true });
  input.once('line', (command) => {
    initiator(ifname, command).then(
      () => process.exit(0),
      (e: unknown) => {
        process.stderr.write(`${String(e)}\n`);
        process.exit(1);
      },
    );
  });
} else if (role === 'echo') {
  const { socket, report } = open(ifname, 'software');
  socket.on('frame', (f) => {
    if (((f.data[14] ?? 0) & 0x0f) !== 0x2) return;
    const sequenceId = new DataView(f.data.buffer, f.data.byteOffset).getUint16(14 + 30);
    send(socket, report, 0x3, sequenceId, true);
  });
  line({ ready: true });
  input.once('line', () => {
    socket.close();
    line(report);
    process.exit(0);
  });
} else if (role === 'watch') {
  const socket = PacketSocket.open({ interface: ifname, timestamping: 'software' });
  socket.on('linkDown', (e) => line({ linkDown: e.code }));
  socket.on('frame', (f) => line({ frame: new DataView(f.data.buffer, f.data.byteOffset).getUint16(14 + 30), source: f.timestampSource }));
  line({ ready: true });
  input.once('line', () => {
    line(socket.counters());
    socket.close();
    process.exit(0);
  });
} else {
  process.stderr.write(`unknown role ${String(role)}\n`);
  process.exit(2);
}
