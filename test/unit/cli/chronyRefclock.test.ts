/**
 * chronyd's SOCK refclock feed: the datagram chrony reads (struct sock_sample, refclock_sock.c) and
 * when a sample is sent. The layout is checked against Python's struct module with native alignment
 * ('@', the C compiler's rules), through the addon's real AF_UNIX datagram socket.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ptpTime } from '../../../src/clock/timePoint.js';
import { nativeError, type NativeUnixDatagramSender } from '../../../src/native/binding.js';
import { ChronyRefclock, encodeSockSample, SOCK_MAGIC, SOCK_SAMPLE_BYTES } from '../../../src/provider/chronyRefclock.js';
import type { Timescale } from '../../../src/provider/snapshot.js';
import { tempDir } from '../../support/providerFixtures.js';
import { needs } from '../../support/peers.js';

const S = 1_000_000_000n;
const T = 1_732_000_037_000_000_000n; // gPTP (TAI) time of the measurements
const TAI_37: Timescale = { tai: true, utc: { offset: 37, source: 'grandmaster', leap: null }, utcUnknownReason: null };

describe('struct sock_sample', () => {
  it('is 40 bytes: timeval, offset, pulse, leap, pad, magic', () => {
    const bytes = encodeSockSample({ systemTimeNs: 1_700_000_000_123_456_789n, offsetS: -1.5e-6, leap: 'insert' }, true);
    const v = new DataView(bytes.buffer);
    expect(bytes.length).toBe(SOCK_SAMPLE_BYTES);
    expect(v.getBigInt64(0, true)).toBe(1_700_000_000n); // tv_sec
    expect(v.getBigInt64(8, true)).toBe(123_456n); // tv_usec (truncated)
    expect(v.getFloat64(16, true)).toBe(-1.5e-6);
    expect([v.getInt32(24, true), v.getInt32(28, true), v.getInt32(32, true), v.getInt32(36, true)]).toEqual([0, 1, 0, SOCK_MAGIC]);
    expect(new DataView(encodeSockSample({ systemTimeNs: 0n, offsetS: 0, leap: 'delete' }, true).buffer).getInt32(28, true)).toBe(2);
  });
});

const pythonGate = needs('chrony refclock datagram against a Python receiver', 'python3');

describe.skipIf(pythonGate.skip)('the datagram on a real AF_UNIX socket', () => {
  let cleanup: (() => void) | undefined;
  afterEach(() => cleanup?.());

  it("reads back, with the C compiler's layout, what ChronyRefclock sent", async () => {
    const dir = tempDir('syn-refclock-');
    cleanup = dir.remove;
    const path = join(dir.dir, 'chrony.sock');
    const script = [
      'import json, socket, struct, sys',
      's = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)',
      's.bind(sys.argv[1])',
      'print("ready", flush=True)',
      'data = s.recv(100)',
      'sec, usec, offset, pulse, leap, pad, magic = struct.unpack("@qqdiiii", data)',
      'print(json.dumps({"size": len(data), "calcsize": struct.calcsize("@qqdiiii"), "sec": sec, "usec": usec, "offset": offset, "pulse": pulse, "leap": leap, "magic": magic}), flush=True)',
    ].join('\n');
    const child = spawn('python3', ['-c', script, path], { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines: string[] = [];
    const got = new Promise<string>((resolve) => {
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        lines.push(...chunk.split('\n').filter((l) => l !== ''));
        const last = lines[lines.length - 1];
        if (last?.startsWith('{') === true) resolve(last);
      });
    });
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    const logs: string[] = [];
    const refclock = new ChronyRefclock({ address: path, log: (_, m) => logs.push(m) });
    // CLOCK_REALTIME 2 µs behind UTC: chrony must be told offset +2e-6.
    refclock.offer({ realtime: T - 37n * S - 2_000n, ptpTime: ptpTime(T), status: 'synchronized', timescale: TAI_37 });
    const r = JSON.parse(await got) as Record<string, number>;
    refclock.close();
    expect(r).toEqual({ size: 40, calcsize: 40, sec: 1_731_999_999, usec: 999_998, offset: 2e-6, pulse: 0, leap: 0, magic: SOCK_MAGIC });
    expect(refclock.counters().samplesSent).toBe(1);
    expect(logs).toEqual([`chrony refclock: sending samples to ${path} (UTC = gPTP time − 37 s, the grandmaster's currentUtcOffset)`]);
  });

  it('is refused with the errno when nobody listens, and says so once', () => {
    const dir = tempDir('syn-refclock-');
    cleanup = dir.remove;
    const logs: string[] = [];
    const refclock = new ChronyRefclock({ address: join(dir.dir, 'absent.sock'), log: (level, m) => logs.push(`${level} ${m}`), retryMs: 0 });
    for (let i = 0; i < 3; i++) refclock.offer({ realtime: T - 37n * S, ptpTime: ptpTime(T), status: 'synchronized', timescale: TAI_37 });
    expect(refclock.counters()).toEqual({ samplesSent: 0, samplesNotSent: { chronydUnreachable: 3 } });
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/^warning chrony refclock: chronyd is not listening on .*absent\.sock \(ENOENT: .*\); samples resume when it does$/);
  });
});

/** A fake socket recording datagrams; `fail` makes the next send throw that errno. */
class FakeSender implements NativeUnixDatagramSender {
  readonly sent: Uint8Array[] = [];
  closed = false;
  fail: 'ECONNREFUSED' | 'EAGAIN' | undefined;
  send(bytes: Uint8Array): number {
    if (this.fail !== undefined) {
      const code = this.fail;
      this.fail = undefined;
      throw nativeError(code, 'send', `send: ${code}`);
    }
    this.sent.push(bytes);
    return bytes.length;
  }
  close(): void {
    this.closed = true;
  }
}

function harness(): { refclock: ChronyRefclock; senders: FakeSender[]; logs: string[]; clock: { ms: number } } {
  const senders: FakeSender[] = [];
  const logs: string[] = [];
  const clock = { ms: 0 };
  const refclock = new ChronyRefclock({
    address: '/run/chrony/syntonic.sock',
    log: (level, m) => logs.push(`${level} ${m}`),
    open: () => {
      const s = new FakeSender();
      senders.push(s);
      return s;
    },
    nowMs: () => clock.ms,
  });
  return { refclock, senders, logs, clock };
}

const offsetOf = (bytes: Uint8Array | undefined): number => new DataView((bytes as Uint8Array).buffer).getFloat64(16, true);
const leapOf = (bytes: Uint8Array | undefined): number => new DataView((bytes as Uint8Array).buffer).getInt32(28, true);

describe('when chrony gets a sample', () => {
  const at = { realtime: T - 37n * S + 1_500n, ptpTime: ptpTime(T), status: 'synchronized' as const, timescale: TAI_37 };

  it('sends the offset of CLOCK_REALTIME against the synchronized time in UTC while synchronized', () => {
    const { refclock, senders } = harness();
    refclock.offer(at);
    expect(offsetOf(senders[0]?.sent[0])).toBeCloseTo(-1.5e-6, 12); // system time 1.5 µs ahead of UTC
  });

  it('sends nothing while unstable or lost, and logs that once', () => {
    const { refclock, senders, logs } = harness();
    refclock.offer({ ...at, status: 'unstable' });
    refclock.offer({ ...at, status: 'unstable' });
    refclock.offer({ ...at, status: 'lost' });
    expect(senders).toEqual([]);
    expect(refclock.counters().samplesNotSent).toEqual({ notSynchronized: 3 });
    expect(logs).toEqual(['notice chrony refclock: no samples while the status is unstable', 'notice chrony refclock: no samples while the status is lost']);
  });

  it('sends nothing when UTC is unknown, with one line saying why', () => {
    const { refclock, senders, logs } = harness();
    const unknown: Timescale = {
      tai: false,
      utc: null,
      utcUnknownReason: "UTC unknown: the grandmaster's timescale is arbitrary (ptpTimescale 0); set assume_utc_offset",
    };
    for (let i = 0; i < 5; i++) refclock.offer({ ...at, timescale: unknown });
    // The status going unstable and back does not repeat it.
    refclock.offer({ ...at, status: 'unstable', timescale: unknown });
    refclock.offer({ ...at, timescale: unknown });
    expect(senders).toEqual([]);
    expect(logs.filter((l) => l.startsWith('warning'))).toEqual([`warning chrony refclock: no samples: ${unknown.utcUnknownReason}`]);
    expect(refclock.counters().samplesNotSent).toEqual({ utcUnknown: 6, notSynchronized: 1 });
  });

  it("uses the configuration's offset when that is what UTC comes from (assume_utc_offset 0)", () => {
    const { refclock, senders, logs } = harness();
    const assumed: Timescale = { tai: false, utc: { offset: 0, source: 'configuration', leap: null }, utcUnknownReason: null };
    refclock.offer({ ...at, realtime: T - 800n, timescale: assumed });
    expect(offsetOf(senders[0]?.sent[0])).toBeCloseTo(8e-7, 12);
    expect(logs).toEqual(['notice chrony refclock: sending samples to /run/chrony/syntonic.sock (UTC = gPTP time − 0 s, assume_utc_offset)']);
  });

  it('tells chrony of a pending leap second, and sends nothing from the second before it to its end', () => {
    const { refclock, senders } = harness();
    const leapAt = T + 10n * S;
    const leap: Timescale = {
      tai: true,
      utc: { offset: 37, source: 'grandmaster', leap: { kind: 'insert', atPtpNs: leapAt, offsetAfter: 38 } },
      utcUnknownReason: null,
    };
    refclock.offer({ ...at, timescale: leap });
    expect(leapOf(senders[0]?.sent[0])).toBe(1);
    refclock.offer({ ...at, ptpTime: ptpTime(leapAt - S / 2n), realtime: leapAt - S / 2n - 37n * S, timescale: leap });
    refclock.offer({ ...at, ptpTime: ptpTime(leapAt + S / 2n), realtime: leapAt + S / 2n - 38n * S, timescale: leap });
    expect(senders[0]?.sent).toHaveLength(1);
    expect(refclock.counters().samplesNotSent).toEqual({ nearLeapSecond: 2 });
    // After it: UTC − 38 s, nothing pending.
    refclock.offer({ ...at, ptpTime: ptpTime(leapAt + 2n * S), realtime: leapAt + 2n * S - 38n * S, timescale: leap });
    expect(leapOf(senders[0]?.sent[1])).toBe(0);
    expect(offsetOf(senders[0]?.sent[1])).toBe(0);
  });

  it('reconnects after chronyd restarts (ECONNREFUSED), not more than once per retry interval', () => {
    const { refclock, senders, logs, clock } = harness();
    refclock.offer(at);
    (senders[0] as FakeSender).fail = 'ECONNREFUSED';
    refclock.offer(at);
    expect(senders[0]?.closed).toBe(true);
    refclock.offer(at); // within the retry interval: no new socket
    expect(senders).toHaveLength(1);
    clock.ms = 1_000;
    refclock.offer(at);
    expect(senders).toHaveLength(2);
    expect(senders[1]?.sent).toHaveLength(1);
    expect(refclock.counters()).toEqual({ samplesSent: 2, samplesNotSent: { chronydUnreachable: 2 } });
    expect(logs.filter((l) => l.startsWith('warning'))).toHaveLength(1);
  });

  it('drops a sample when chronyd is behind (EAGAIN) but keeps the socket', () => {
    const { refclock, senders } = harness();
    refclock.offer(at);
    (senders[0] as FakeSender).fail = 'EAGAIN';
    refclock.offer(at);
    refclock.offer(at);
    expect(senders).toHaveLength(1);
    expect(refclock.counters()).toEqual({ samplesSent: 2, samplesNotSent: { sendFailed: 1 } });
  });
});
