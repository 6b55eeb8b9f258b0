/**
 * The timestamping mode is stated once, in the servo's options, and the engine follows it too: with
 * software timestamps the link-delay median spans a minute of exchanges (propagationDelayFilter.ts),
 * whoever builds the ClockSlave (the daemon, the replay, the simulator).
 */
import { describe, expect, it } from 'vitest';
import type { TimestampingMode } from '../../../src/protocol/portConfig.js';
import { Station } from '../../support/clockSlaveStation.js';

const S = 1_000_000_000n;

/** meanLinkDelay (ns) after 20 exchanges over a 500 ns link and 8 over 1000 ns, one a second. */
function meanLinkDelayAfterWander(timestamping: TimestampingMode): number | undefined {
  const station = new Station({ timestamping });
  for (let seq = 0; seq < 28; seq++) station.pdelay(seq, BigInt(seq) * S, true, seq < 20 ? 500n : 1_000n);
  return station.slave.engine.meanLinkDelay;
}

describe("ClockSlave: the servo's timestamping mode sets the engine's link-delay window", () => {
  it('software: the eight longer exchanges are a minority of the window', () => {
    expect(meanLinkDelayAfterWander('software')).toBeCloseTo(500, 0);
  });

  it("hardware: ptp4l's ten, and the eight longer exchanges carry the median", () => {
    // (not exactly 1000: the longer exchanges also move neighborRateRatio by under a ppm)
    expect(meanLinkDelayAfterWander('hardware')).toBeCloseTo(1_000, 0);
  });
});
