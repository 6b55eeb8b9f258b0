/**
 * The timestamping mode is stated once, in the servo's options, and the engine follows it too: with
 * software timestamps the link-delay median spans a minute of exchanges (propagationDelayFilter.ts),
 * whoever builds the ClockSlave (the daemon, the replay, the simulator).
 */
import { describe, expect, it } from 'vitest';
import { localTime } from '../../../src/clock/timePoint.js';
import { VirtualClock } from '../../../src/clock/virtualClock.js';
import { GPTP_DEFAULTS, type TimestampingMode } from '../../../src/protocol/portConfig.js';
import { clockIdentityFromMac } from '../../../src/protocol/portIdentity.js';
import { ClockSlave } from '../../../src/servo/clockSlave.js';
import { frame, pdelayReq, pdelayResp, pdelayRespFollowUp, SLAVE_MAC } from '../../support/frames.js';

const SLAVE_PORT = { clockIdentity: clockIdentityFromMac(SLAVE_MAC), portNumber: 1 };
const T0 = 1_700_000_000_000_000_000n;
const S = 1_000_000_000n;

/** meanLinkDelay after 20 exchanges over a 500 ns link and 8 over 1000 ns, one a second, fed as a replay feeds them. */
function meanLinkDelayAfterWander(timestamping: TimestampingMode): number | undefined {
  let now = T0;
  const slave = new ClockSlave(
    {
      engine: { config: { ...GPTP_DEFAULTS, neighborPropDelayThresh: 10_000 }, macAddress: SLAVE_MAC, transmit: false },
      clock: new VirtualClock(() => localTime(now)),
      servo: { timestamping },
    },
    { transmit: () => undefined },
  );
  slave.start(localTime(T0));
  for (let seq = 0; seq < 28; seq++) {
    const t1 = T0 + BigInt(seq) * S;
    const linkNs = seq < 20 ? 500n : 1_000n;
    now = t1;
    slave.ownFrame(frame(pdelayReq(seq, { source: SLAVE_PORT }).message, SLAVE_MAC), localTime(t1));
    const t2 = t1 + linkNs;
    now = t2 + 10_000n + linkNs;
    slave.receive(pdelayResp(seq, SLAVE_PORT, t2), localTime(now));
    slave.receive(pdelayRespFollowUp(seq, SLAVE_PORT, t2 + 10_000n), localTime(now + 100n));
  }
  return slave.engine.meanLinkDelay;
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
