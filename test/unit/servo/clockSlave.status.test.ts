/**
 * ClockSlave ties the status classifier to the engine: Sync loss is the engine's syncReceiptTimeout
 * (one timer, no polling), and a port that stops being asCapable is lost at that very instant
 * (802.1AS-2020 10.2.4: such a port takes no part in synchronization).
 */
import { describe, expect, it } from 'vitest';
import { localTime } from '../../../src/clock/timePoint.js';
import { synchronizedStation, T0 } from '../../support/clockSlaveStation.js';
import { announce } from '../../support/frames.js';

const MS = 1_000_000n;

describe('ClockSlave status timing', () => {
  it("is lost at the engine's syncReceiptTimeout, (3 + ½) Sync intervals after the last Sync, from nextTimerAt alone", () => {
    const s = synchronizedStation();
    const lastRx = T0 + 1200n * MS + 15n * 125n * MS + 500n;
    s.advance(lastRx + 2000n * MS);
    expect(s.statusAt('lost')).toBe(lastRx + 437_500_000n);
    expect(s.engineEvents.find((e) => e.type === 'syncReceiptTimeout')).toMatchObject({ at: lastRx + 437_500_000n });
  });

  it('is lost when the master is aged by announceReceiptTimeout while Syncs still come', () => {
    const s = synchronizedStation();
    // Announce stopped at 1.1 s; Syncs go on until the master is aged 3 s later
    for (let i = 16; i < 40; i++) s.syncAt(i, 1200n * MS + BigInt(i) * 125n * MS);
    const lost = s.status.find((e) => e.to === 'lost');
    expect(lost?.reason).toBe('No master: no Announce for 3 announce intervals (announceReceiptTimeout).');
    expect(lost?.atLocal).toBe(T0 + 4100n * MS);
  });

  it('is lost the moment asCapable turns false, not at the next Sync or timeout', () => {
    const s = synchronizedStation();
    // Our Pdelay_Req go unanswered while Syncs keep coming: after allowedLostResponses (3) the link is not capable.
    for (let k = 0; k < 5; k++) {
      s.pdelay(2 + k, 3200n * MS + BigInt(k) * 1000n * MS, false);
      s.advance(T0 + 3210n * MS + BigInt(k) * 1000n * MS);
      s.slave.receive(announce(1 + k), localTime(s.now));
      for (let i = 0; i < 8; i++) s.syncAt(16 + k * 8 + i, 3250n * MS + BigInt(k) * 1000n * MS + BigInt(i) * 125n * MS);
    }
    const notCapable = s.engineEvents.find((e) => e.type === 'asCapableChanged' && !e.asCapable);
    expect(notCapable?.type === 'asCapableChanged' ? notCapable.reason : '').toMatch(/^no complete Pdelay_Resp\/Pdelay_Resp_Follow_Up for 4 consecutive/);
    const lost = s.status.find((e) => e.to === 'lost');
    expect(lost?.reason).toBe('asCapable is false on the slave port.');
    expect(lost?.atLocal).toBe(notCapable?.type === 'asCapableChanged' ? notCapable.at : undefined);
  });
});
