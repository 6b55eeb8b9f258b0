/**
 * Four defects that came from a rule with two owners (issue 13), each as a scenario that failed
 * before the fix:
 *  1. the status classifier timed syncReceiptTimeout with its own default (3), not the configured value;
 *  2. one pi_* option replaced the whole PI tuning (Syntonic's gains, acquisition, slew threshold);
 *  3. a one-step Pdelay responder never gave a Syntonic requester a neighborRateRatio (never asCapable);
 *  4. a bad TX timestamp that completed an exchange was not counted, and every Announce
 *     disqualification was counted as announceLoop.
 */
import { describe, expect, it } from 'vitest';
import { localTime } from '../../src/clock/timePoint.js';
import { VirtualClock } from '../../src/clock/virtualClock.js';
import { loadDaemonConfig } from '../../src/cli/config/daemonConfig.js';
import type { PtpFrame, PtpMessage } from '../../src/protocol/messages.js';
import { GPTP_DEFAULTS } from '../../src/protocol/portConfig.js';
import { clockIdentityFromMac } from '../../src/protocol/portIdentity.js';
import { ClockDiscipline } from '../../src/servo/clockDiscipline.js';
import { resolvePiTuning, SYNTONIC_PI_TUNING, SYNTONIC_PI_TUNING_SOFTWARE } from '../../src/servo/clockServo.js';
import { ClockSlave } from '../../src/servo/clockSlave.js';
import { simulate, standardScenario } from '../../src/servo/servoSimulation.js';
import type { StatusEvent } from '../../src/servo/syncStatus.js';
import { at, EngineHarness } from '../support/engineHarness.js';
import { announce, followUp, frame, MASTER_CLOCK, pdelayReq, pdelayResp, pdelayRespFollowUp, SLAVE_MAC, sync } from '../support/frames.js';

const MS = 1_000_000n;
const SECOND = 1_000_000_000n;
const SCALED = 65_536n;

describe('defect 1: the configured syncReceiptTimeout times the status too', () => {
  const T0 = 1_700_000_000_000_000_000n;
  const SLAVE_PORT = { clockIdentity: clockIdentityFromMac(SLAVE_MAC), portNumber: 1 };

  function station(syncReceiptTimeout: number): { slave: ClockSlave; status: StatusEvent[]; advance: (to: bigint) => void; now: () => bigint } {
    let now = T0;
    const status: StatusEvent[] = [];
    const slave = new ClockSlave(
      {
        engine: { config: { ...GPTP_DEFAULTS, neighborPropDelayThresh: 10_000, syncReceiptTimeout }, macAddress: SLAVE_MAC, transmit: false },
        clock: new VirtualClock(() => localTime(now)),
      },
      { transmit: () => undefined, statusEvent: (e) => status.push(e) },
    );
    const advance = (to: bigint): void => {
      for (let next = slave.nextTimerAt(); next !== undefined && next <= to; next = slave.nextTimerAt()) {
        now = next;
        slave.tick(next);
      }
      now = to;
    };
    slave.start(localTime(T0));
    for (let seq = 0; seq < 2; seq++) {
      const t1 = T0 + BigInt(seq) * SECOND;
      advance(t1);
      slave.ownFrame(frame(pdelayReq(seq, { source: SLAVE_PORT }).message, SLAVE_MAC), localTime(t1));
      slave.receive(pdelayResp(seq, SLAVE_PORT, t1 + 500n), localTime(t1 + 11_000n));
      slave.receive(pdelayRespFollowUp(seq, SLAVE_PORT, t1 + 10_500n), localTime(t1 + 11_100n));
    }
    slave.receive(announce(0), localTime(T0 + 1100n * MS));
    for (let i = 0; i < 16; i++) {
      const t = T0 + 1200n * MS + BigInt(i) * 125n * MS;
      advance(t + 500n);
      slave.receive(sync(i), localTime(t + 500n));
      slave.receive(followUp(i, t), localTime(t + 100_500n));
    }
    return { slave, status, advance, now: () => now };
  }

  it('stays synchronized past 3 silent intervals when syncReceiptTimeout is 6, and is lost when the engine ages the master', () => {
    const s = station(6);
    expect(s.slave.discipline.syncStatus()).toBe('synchronized');
    const lastRx = T0 + 1200n * MS + 15n * 125n * MS + 500n;
    s.advance(lastRx + 5n * 125n * MS);
    expect(s.slave.discipline.syncStatus()).toBe('synchronized');
    s.advance(lastRx + 2000n * MS);
    const lost = s.status.find((e) => e.to === 'lost');
    // the engine ages the master (6 + ½) intervals after the last Sync: the status goes with it
    expect(lost?.atLocal).toBe(lastRx + 812_500_000n);
    expect(lost?.reason).toBe('No Sync for 0.813 s (syncReceiptTimeout 6 × 125 ms).');
  });
});

describe('defect 2: pi_* options lay over the chosen tuning', () => {
  /** Syncs of a 20 s simulated run with the servo options a configuration file gives. */
  function run(cfg: string, timestamping: 'hardware' | 'software'): number[] {
    const { config } = loadDaemonConfig({ text: cfg, interfaceName: 'eth0', overrides: {} });
    const result = simulate(standardScenario(3, { durationS: 20 }), (clock) => new ClockDiscipline(clock, { ...config.servo, timestamping }));
    return result.syncs.map((s) => s.trueErrorNs);
  }

  it("setting pi_proportional_scale to Syntonic's own hardware value changes nothing", () => {
    expect(run('[global]\npi_proportional_scale 0.3\n', 'hardware')).toEqual(run('', 'hardware'));
  });

  it("setting pi_integral_scale to Syntonic's own software value changes nothing", () => {
    expect(run('[global]\npi_integral_scale 0.003\n', 'software')).toEqual(run('', 'software'));
  });

  it('one option changes one field of the tuning; fixed gains also drop the acquisition gains', () => {
    expect(resolvePiTuning({ timestamping: 'software', piOverrides: { kiScale: 0.01 } })).toEqual({ ...SYNTONIC_PI_TUNING_SOFTWARE, kiScale: 0.01 });
    const fixed = resolvePiTuning({ piOverrides: { kpConst: 0.5, kiConst: 0.1 } });
    expect(fixed.acquisitionGains).toBeUndefined();
    expect(fixed).toMatchObject({ kpConst: 0.5, kiConst: 0.1, acquisitionThresholdNs: SYNTONIC_PI_TUNING.acquisitionThresholdNs });
  });

  it('a different pi_proportional_scale does change the run (the option is not ignored)', () => {
    expect(run('[global]\npi_proportional_scale 0.5\n', 'hardware')).not.toEqual(run('', 'hardware'));
  });
});

describe('defect 3: a one-step Pdelay responder', () => {
  const T0 = 1_000_000_000_000n;

  /** The frame with another correctionField, as a NIC that rewrites it on the wire leaves it. */
  function withCorrection(f: PtpFrame, correctionField: bigint): PtpFrame {
    return { ...f, message: { ...f.message, header: { ...f.message.header, correctionField } } as PtpMessage };
  }

  it('gives a Syntonic requester a neighborRateRatio over successive exchanges: asCapable', () => {
    const responder = new EngineHarness({}, true, { macAddress: 0x02_0000_0000_02, oneStepResponder: true });
    const requester = new EngineHarness();
    requester.engine.start(at(T0));
    // The responder's clock runs +50 ppm against the requester's; 700 ns each way, 10 µs turnaround.
    const responderTime = (local: bigint): bigint => 5_000_000_000_000n + ((local - T0) * 1_000_050n) / 1_000_000n;
    for (let seq = 0; seq < 4; seq++) {
      const t1 = T0 + BigInt(seq) * SECOND;
      requester.runUntil(at(t1));
      const req = requester.lastSent();
      expect(req.frame.message.type).toBe('pdelayReq');
      requester.engine.txTimestamp(req.txHandle as number, at(t1));
      const t2 = responderTime(t1 + 700n);
      // the responder's NIC (HWTSTAMP_TX_ONESTEP_P2P) subtracts t2 from correctionField on receipt ...
      responder.engine.receive(withCorrection(req.frame, req.frame.message.header.correctionField - t2 * SCALED), at(t2));
      const resp = responder.lastSent();
      const t3 = t2 + 10_000n;
      // ... and adds t3 as the response leaves.
      requester.engine.receive(withCorrection(resp.frame, resp.frame.message.header.correctionField + t3 * SCALED), at(t1 + 700n + 10_000n + 700n));
    }
    expect(requester.engine.neighborRateRatio).toBeCloseTo(1.00005, 7);
    expect(requester.engine.meanLinkDelay).toBeCloseTo(700, 0);
    expect(requester.engine.asCapable.asCapable).toBe(true);
    expect(requester.eventsOf('asCapableChanged').map((e) => e.asCapable)).toEqual([true]);
  });
});

describe('defect 4: every rejection counted under its own reason', () => {
  const T0 = 1_000_000_000_000n;

  it('counts and reports a TX timestamp that makes the completed exchange unusable (t4 before t1)', () => {
    const h = new EngineHarness();
    h.engine.start(at(T0));
    h.engine.tick(at(T0));
    const req = h.lastSent();
    h.engine.receive(pdelayResp(0, h.engine.port, 5_000_000_001_000n), at(T0 + 11_400n));
    h.engine.receive(pdelayRespFollowUp(0, h.engine.port, 5_000_000_011_000n), at(T0 + 11_500n));
    // the driver's TX timestamp comes last, and is later than the response's arrival
    h.engine.txTimestamp(req.txHandle as number, at(T0 + 50_000n));
    expect(h.engine.statistics().rejected).toEqual({ badTimestamp: 1 });
    expect(h.eventsOf('rejected')).toMatchObject([{ reason: 'badTimestamp', sequenceId: 0, source: h.engine.port }]);
  });

  it('counts an Announce with stepsRemoved 255 as announceStepsRemoved, a PATH_TRACE loop as announceLoop', () => {
    const h = new EngineHarness({ asCapableAlways: true });
    h.engine.start(at(T0));
    h.engine.receive(announce(1, { stepsRemoved: 255 }), at(T0 + 1n));
    h.engine.receive(announce(2, { pathTrace: [MASTER_CLOCK, h.engine.port.clockIdentity] }), at(T0 + 2n));
    expect(h.engine.statistics().rejected).toEqual({ announceStepsRemoved: 1, announceLoop: 1 });
  });
});
