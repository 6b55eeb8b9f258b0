import { describe, expect, it } from 'vitest';
import { LineReader, type LineEvent } from '../../../src/provider/lineReader.js';
import { errorReply, parseRequest, PROTOCOL_VERSION, snapshotReply } from '../../../src/provider/protocol.js';
import { UpdateRateLimiter, type RateLimiterTimers } from '../../../src/provider/updateRateLimiter.js';

function drain(r: LineReader): LineEvent[] {
  const out: LineEvent[] = [];
  for (let e = r.next(); e !== undefined; e = r.next()) out.push(e);
  return out;
}

describe('request lines', () => {
  it('joins a line split across chunks and accepts CR LF', () => {
    const r = new LineReader(4096);
    r.push(Buffer.from('{"op":"st'));
    expect(drain(r)).toEqual([]);
    r.push(Buffer.from('atus"}\r\n{"op":"version"}\n'));
    expect(drain(r)).toEqual([
      { kind: 'line', text: '{"op":"status"}' },
      { kind: 'line', text: '{"op":"version"}' },
    ]);
  });

  it('skips blank lines', () => {
    const r = new LineReader(4096);
    r.push(Buffer.from('\n\r\n  \n{"op":"status"}\n'));
    expect(drain(r)).toEqual([{ kind: 'line', text: '{"op":"status"}' }]);
  });

  it('reports an oversized line once, discards it to its newline, and reads the next line', () => {
    const r = new LineReader(10);
    r.push(Buffer.from('x'.repeat(8)));
    expect(drain(r)).toEqual([]);
    r.push(Buffer.from('x'.repeat(8)));
    expect(drain(r)).toEqual([{ kind: 'tooLong', bytes: 16 }]);
    r.push(Buffer.from('x'.repeat(100)));
    expect(drain(r)).toEqual([]);
    expect(r.bufferedBytes).toBe(0);
    r.push(Buffer.from('xx\n{"op":1}\n'));
    expect(drain(r)).toEqual([{ kind: 'line', text: '{"op":1}' }]);
  });

  it('reports a complete line over the limit that arrived in one chunk', () => {
    const r = new LineReader(10);
    r.push(Buffer.from(`${'y'.repeat(11)}\nok\n`));
    expect(drain(r)).toEqual([
      { kind: 'tooLong', bytes: 11 },
      { kind: 'line', text: 'ok' },
    ]);
  });
});

describe('request parsing', () => {
  it('reads op and id', () => {
    expect(parseRequest('{"op":"status","id":"a1"}')).toEqual({ ok: true, request: { op: 'status', id: 'a1' } });
    expect(parseRequest('{"op":"subscribe"}')).toEqual({ ok: true, request: { op: 'subscribe' } });
  });

  it('names each kind of bad request', () => {
    const cases: Array<[string, string]> = [
      ['status', 'badJson'],
      ['{"op":"status"', 'badJson'],
      ['[1,2]', 'badRequest'],
      ['{"id":3}', 'badRequest'],
      ['{"op":"status","id":{"x":1}}', 'badRequest'],
      ['{"op":"reboot","id":9}', 'unknownOp'],
    ];
    for (const [line, code] of cases) {
      const p = parseRequest(line);
      expect(p.ok ? 'ok' : p.error.code, line).toBe(code);
    }
  });

  it('echoes the id of an unknown op in its error', () => {
    const p = parseRequest('{"op":"reboot","id":9}');
    expect(p.ok ? undefined : JSON.parse(errorReply(p.error))).toEqual({
      v: 2,
      id: 9,
      error: { code: 'unknownOp', message: 'unknown op "reboot"; protocol 2 knows status, subscribe, unsubscribe, version' },
    });
  });

  it("puts the error bound at the reply's instant after the age, rounded up to the ns", () => {
    const line = snapshotReply('status', 'q', '{"status":"synchronized"}', 250_000_000, 1_580.2);
    expect(JSON.parse(line)).toEqual({
      v: PROTOCOL_VERSION,
      id: 'q',
      op: 'status',
      snapshot: { status: 'synchronized', timeSinceLastSyncNs: 250_000_000, errorBoundNs: 1_581 },
    });
  });

  it('puts the snapshot age inside the snapshot object of a reply', () => {
    const line = snapshotReply('status', 'q', '{"status":"lost"}', 1500);
    expect(line.endsWith('\n')).toBe(true);
    expect(JSON.parse(line)).toEqual({ v: 2, id: 'q', op: 'status', snapshot: { status: 'lost', timeSinceLastSyncNs: 1500 } });
  });
});

/** Timers driven by hand: `advance` runs what is due. */
function manualTimers(): RateLimiterTimers & { advance(ms: number): void } {
  let now = 1000;
  let pending: { at: number; fn: () => void } | undefined;
  return {
    now: () => now,
    setTimeout: (fn, ms) => {
      pending = { at: now + ms, fn };
      return pending;
    },
    clearTimeout: () => {
      pending = undefined;
    },
    advance(ms: number) {
      now += ms;
      if (pending !== undefined && pending.at <= now) {
        const p = pending;
        pending = undefined;
        p.fn();
      }
    },
  };
}

describe('update rate limiting (minimum interval 100 ms)', () => {
  it('sends the first change at once, coalesces the changes inside the interval into one at its end', () => {
    const timers = manualTimers();
    const sentAt: number[] = [];
    const limiter = new UpdateRateLimiter(100, () => sentAt.push(timers.now()), timers);
    limiter.changed(); // t=1000: immediate
    timers.advance(10);
    limiter.changed(); // t=1010: due at 1100
    timers.advance(30);
    limiter.changed(); // t=1040: coalesced
    timers.advance(59); // t=1099
    expect(sentAt).toEqual([1000]);
    timers.advance(1); // t=1100
    expect(sentAt).toEqual([1000, 1100]);
    timers.advance(250); // t=1350, quiet since 1100
    limiter.changed();
    expect(sentAt).toEqual([1000, 1100, 1350]);
  });

  it('sends nothing after cancel()', () => {
    const timers = manualTimers();
    let sent = 0;
    const limiter = new UpdateRateLimiter(100, () => sent++, timers);
    limiter.changed();
    limiter.changed();
    limiter.cancel();
    timers.advance(500);
    expect(sent).toBe(1);
  });
});
