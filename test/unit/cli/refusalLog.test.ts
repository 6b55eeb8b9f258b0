/** Refusals by the acceptable lists are logged at a limited rate, naming the identity. */
import { describe, expect, it } from 'vitest';
import type { Refusal } from '../../../src/protocol/acceptableMasters.js';
import { RefusalLog } from '../../../src/cli/daemon/refusalLog.js';

const rogue: Refusal = {
  reason: 'grandmasterNotAcceptable',
  source: { clockIdentity: 0x00a0b0fffec0d0e0n, portNumber: 1 },
  grandmasterIdentity: 0x00a0b0fffec0d0e0n,
  why: 'grandmaster 00a0b0.fffe.c0d0e0 (via 00a0b0.fffe.c0d0e0-1) is not in acceptable_grandmasters',
};
const other: Refusal = {
  reason: 'masterNotAcceptable',
  source: { clockIdentity: 1n, portNumber: 2 },
  grandmasterIdentity: undefined,
  why: 'master 000000.0000.000001-2 is not in acceptable_masters',
};

describe('RefusalLog', () => {
  it('logs the first refusal of each identity at once, then one line per minute with the count not shown', () => {
    const lines: string[] = [];
    const log = new RefusalLog({ write: (level, message) => lines.push(`${level} ${message}`) }, 'port 1 (eth0)');
    for (let ms = 0; ms < 60_000; ms += 125) log.refused(rogue, ms);
    log.refused(other, 30_000);
    log.refused(rogue, 60_000);
    expect(lines).toEqual([
      'warning port 1 (eth0): refused Announce/Sync: grandmaster 00a0b0.fffe.c0d0e0 (via 00a0b0.fffe.c0d0e0-1) is not in acceptable_grandmasters',
      'warning port 1 (eth0): refused Announce/Sync: master 000000.0000.000001-2 is not in acceptable_masters',
      'warning port 1 (eth0): refused Announce/Sync: grandmaster 00a0b0.fffe.c0d0e0 (via 00a0b0.fffe.c0d0e0-1) is not in acceptable_grandmasters (479 more refused since the last line)',
    ]);
  });
});
