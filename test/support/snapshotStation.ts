/** A ClockSlave with the daemon's SnapshotBuilder over it, on a settable local time, for the status and metrics specs. */
import { localTime, monotonicRawTime, type LocalTime } from '../../src/clock/timePoint.js';
import { VirtualClock } from '../../src/clock/virtualClock.js';
import { SnapshotBuilder } from '../../src/cli/daemon/snapshotBuilder.js';
import type { Transmission } from '../../src/protocol/engineEvents.js';
import type { PortConfig } from '../../src/protocol/portConfig.js';
import { ClockSlave } from '../../src/servo/clockSlave.js';
import { SLAVE_MAC } from './frames.js';

export interface SnapshotStation {
  readonly slave: ClockSlave;
  readonly builder: SnapshotBuilder;
  /** Everything the station sent, in order. */
  readonly sent: Transmission[];
  /** Makes `ns` the local time (of the timestamp clock and of CLOCK_MONOTONIC_RAW alike) and returns it. */
  at(ns: bigint): LocalTime;
}

/** A station that transmits, with the builder's clock pair read at the current local time; started at `startNs`. */
export function snapshotStation(config: PortConfig, startNs: bigint): SnapshotStation {
  let now = localTime(startNs);
  const sent: Transmission[] = [];
  const clock = new VirtualClock(() => now);
  const slave = new ClockSlave({ engine: { config, macAddress: SLAVE_MAC, transmit: true }, clock }, { transmit: (t) => sent.push(t) });
  slave.start(now);
  const builder = new SnapshotBuilder({
    engine: slave.engine,
    discipline: slave.discipline,
    clock,
    timestamping: 'software',
    samplePair: () => ({ timestampClock: now, monotonicRaw: monotonicRawTime(BigInt(now)) }),
  });
  const at = (ns: bigint): LocalTime => {
    now = localTime(ns);
    return now;
  };
  return { slave, builder, sent, at };
}
