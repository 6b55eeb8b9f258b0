/**
 * The engine's outputs are delivered when the call that made them is done (issue 13): a sink that
 * reads or calls the engine while an output is delivered can never see it half-way through a call.
 */
import { describe, expect, it } from 'vitest';
import type { EngineEvent, Transmission } from '../../../src/protocol/engineEvents.js';
import { AUTOMOTIVE_DEFAULTS } from '../../../src/protocol/portConfig.js';
import { PortEngine } from '../../../src/protocol/portEngine.js';
import { at } from '../../support/engineHarness.js';
import { followUp, followUpInfo, SLAVE_MAC, sync } from '../../support/frames.js';

const T0 = 1_000_000_000_000n;
const MS = 1_000_000n;

type Seen = { readonly kind: 'transmit'; readonly messageType: number } | { readonly kind: 'event'; readonly type: EngineEvent['type'] };

describe('engine outputs are delivered after the call', () => {
  it('a sink reading the engine while an event is delivered sees the state the whole call left', () => {
    const seen: number[] = [];
    let engine: PortEngine | undefined;
    engine = new PortEngine(
      { config: { ...AUTOMOTIVE_DEFAULTS, messageIntervalRequest: false }, macAddress: SLAVE_MAC, transmit: false },
      {
        transmit: () => undefined,
        // gmTimeBaseChanged is emitted before the new receipt is stored: read now, it must be stored already
        event: (e) => {
          if (e.type === 'gmTimeBaseChanged') seen.push(engine?.lastSyncReceipt?.gmTimeBaseIndicator ?? -1);
        },
      },
    );
    engine.start(at(T0));
    engine.receive(sync(0), at(T0 + 125n * MS));
    engine.receive(followUp(0, 5_000_000_000_000n, { tlvs: [followUpInfo(0, 0)] }), at(T0 + 126n * MS));
    engine.receive(sync(1), at(T0 + 250n * MS));
    engine.receive(followUp(1, 5_000_125_000_000n, { tlvs: [followUpInfo(0, 7)] }), at(T0 + 251n * MS));
    expect(seen).toEqual([7]);
  });

  it('a call the sink makes while a Sync is delivered runs after it: its outputs follow, in order', () => {
    const seen: Seen[] = [];
    let inSyncReceipt = false;
    let nestedRanInside = false;
    let engine: PortEngine | undefined;
    engine = new PortEngine(
      { config: AUTOMOTIVE_DEFAULTS, macAddress: SLAVE_MAC, transmit: true },
      {
        transmit: (t: Transmission) => {
          if (inSyncReceipt) nestedRanInside = true;
          seen.push({ kind: 'transmit', messageType: t.frame.message.header.messageType });
        },
        event: (e) => {
          seen.push({ kind: 'event', type: e.type });
          if (e.type !== 'syncReceipt') return;
          // as ClockSlave does when the servo becomes stable
          inSyncReceipt = true;
          engine?.setServoStable(true, e.receipt.ingressTime);
          inSyncReceipt = false;
        },
      },
    );
    engine.start(at(T0));
    seen.length = 0;
    engine.receive(sync(0), at(T0 + 125n * MS));
    engine.receive(followUp(0, 5_000_000_000_000n), at(T0 + 126n * MS));
    // the nested call's Signaling and interval change came after the Sync, not inside its delivery
    expect(nestedRanInside).toBe(false);
    expect(seen).toEqual([
      { kind: 'event', type: 'syncReceipt' },
      { kind: 'transmit', messageType: 0xc },
      { kind: 'event', type: 'pdelayIntervalChanged' },
    ]);
    expect(engine.currentLogPdelayReqInterval).toBe(AUTOMOTIVE_DEFAULTS.operLogPdelayReqInterval);
  });
});
