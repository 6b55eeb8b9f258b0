/** A ClockSlave fed frames in time order, as a replay feeds them, for the servo-layer tests. */
import { localTime, type LocalTime } from '../../src/clock/timePoint.js';
import { VirtualClock } from '../../src/clock/virtualClock.js';
import type { EngineEvent } from '../../src/protocol/engineEvents.js';
import { GPTP_DEFAULTS } from '../../src/protocol/portConfig.js';
import { clockIdentityFromMac } from '../../src/protocol/portIdentity.js';
import type { ClockDisciplineOptions } from '../../src/servo/clockDiscipline.js';
import { ClockSlave } from '../../src/servo/clockSlave.js';
import type { StatusEvent } from '../../src/servo/syncStatus.js';
import { announce, followUp, frame, pdelayReq, pdelayResp, pdelayRespFollowUp, SLAVE_MAC, sync } from './frames.js';

const SLAVE_PORT = { clockIdentity: clockIdentityFromMac(SLAVE_MAC), portNumber: 1 };
/** Local time of the station's start, ns. */
export const T0 = 1_700_000_000_000_000_000n;

/** A slave fed frames in time order, as a replay does: timers run up to each frame's time first. */
export class Station {
  now = T0;
  readonly status: StatusEvent[] = [];
  readonly engineEvents: EngineEvent[] = [];
  readonly slave: ClockSlave;

  constructor(servo?: ClockDisciplineOptions) {
    this.slave = new ClockSlave(
      {
        engine: { config: { ...GPTP_DEFAULTS, neighborPropDelayThresh: 10_000 }, macAddress: SLAVE_MAC, transmit: false },
        clock: new VirtualClock(() => localTime(this.now)),
        ...(servo === undefined ? {} : { servo }),
      },
      { transmit: () => undefined, statusEvent: (e) => this.status.push(e), engineEvent: (e) => this.engineEvents.push(e) },
    );
    this.slave.start(localTime(T0));
  }

  advance(to: bigint): void {
    for (let next = this.slave.nextTimerAt(); next !== undefined && next <= to; next = this.slave.nextTimerAt()) {
      this.now = next;
      this.slave.tick(next);
    }
    this.now = to;
  }

  /** Our Pdelay_Req at t (ns after T0), answered over a link of linkNs (10 µs turnaround) unless `answered` is false. */
  pdelay(seq: number, t: bigint, answered = true, linkNs = 500n): void {
    this.advance(T0 + t);
    this.slave.ownFrame(frame(pdelayReq(seq, { source: SLAVE_PORT }).message, SLAVE_MAC), localTime(T0 + t));
    if (!answered) return;
    const t2 = T0 + t + linkNs;
    const t4 = t2 + 10_000n + linkNs;
    this.advance(t4);
    this.slave.receive(pdelayResp(seq, SLAVE_PORT, t2), localTime(t4));
    this.slave.receive(pdelayRespFollowUp(seq, SLAVE_PORT, t2 + 10_000n), localTime(t4 + 100n));
  }

  /** A two-step Sync sent at t (ns after T0) by a master whose clock is ours, arriving 500 ns later. */
  syncAt(seq: number, t: bigint): void {
    const rx = T0 + t + 500n;
    this.advance(rx);
    this.slave.receive(sync(seq), localTime(rx));
    this.slave.receive(followUp(seq, T0 + t), localTime(rx + 100_000n));
  }

  statusAt(to: StatusEvent['to']): LocalTime | undefined {
    return this.status.find((e) => e.to === to)?.atLocal;
  }
}

const MS = 1_000_000n;

/**
 * asCapable after two answered exchanges, slave after an Announce at 1.1 s, then synchronized by 2 s
 * of Syncs (the last sent at 3.075 s); throws if it is not.
 */
export function synchronizedStation(): Station {
  const s = new Station();
  s.pdelay(0, 0n);
  s.pdelay(1, 1000n * MS);
  s.advance(T0 + 1100n * MS);
  s.slave.receive(announce(0), localTime(T0 + 1100n * MS));
  for (let i = 0; i < 16; i++) s.syncAt(i, 1200n * MS + BigInt(i) * 125n * MS);
  if (s.slave.discipline.syncStatus() !== 'synchronized') throw new Error(`not synchronized after 2 s of Syncs: ${s.slave.discipline.syncStatus()}`);
  return s;
}
