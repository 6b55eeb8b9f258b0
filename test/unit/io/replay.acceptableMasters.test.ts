/**
 * A capture in which a rogue, better grandmaster appears on the station's link for 16 s with its time
 * 1 ms ahead (fixtures/pcaps/gptp__sim-rogue-better-gm_at-slave__syntonic.pcap, made by the simulator:
 * conformance/sim/recordCapture.ts ROGUE_GM_SCENARIO). Replayed without a list the station follows it
 * and its offsets jump by 1 ms; with acceptable_grandmasters it never leaves its grandmaster.
 */
import { describe, expect, it } from 'vitest';
import { replayFile } from '../../../src/io/replay/replayFile.js';
import type { ReplaySyncRecord } from '../../../src/io/replay/replaySession.js';
import { parsePortIdentity } from '../../../src/protocol/format.js';
import { fixture } from '../../support/codecFixtures.js';

const FILE = fixture('gptp__sim-rogue-better-gm_at-slave__syntonic.pcap');
const GOOD_GM = 0x001122fffe334455n;
const START_S = 1_700_000_000;
/** The rogue sends from 12 s to 28 s. */
const ROGUE_FROM_S = 12;

function replay(config: Parameters<typeof replayFile>[1]['config']) {
  const syncs: ReplaySyncRecord[] = [];
  const result = replayFile(FILE, { profile: 'gptp', ...(config === undefined ? {} : { config }) }, { sync: (r) => syncs.push(r) });
  const seconds = (r: ReplaySyncRecord): number => Number(r.captureTime / 1_000_000_000n) - START_S;
  // From 6 s (locked) to the end.
  const steady = syncs.filter((r) => seconds(r) >= 6);
  return { summary: result.summary, syncs, seconds, steady };
}

describe('replay of a rogue better grandmaster, with and without acceptable_grandmasters', () => {
  it('without a list: the station follows the rogue and its 1 ms', () => {
    const { summary, steady, seconds } = replay(undefined);
    expect(summary.grandmasters).toEqual(['001122.fffe.334455', '00a0b0.fffe.c0d0e0']);
    expect(summary.masters).toEqual(['001122.fffe.334455-1', '00a0b0.fffe.c0d0e0-1']);
    const during = steady.filter((r) => seconds(r) >= ROGUE_FROM_S && seconds(r) < ROGUE_FROM_S + 2);
    expect(Math.max(...during.map((r) => Math.abs(r.offsetFromMaster)))).toBeGreaterThan(900_000);
    expect(summary.notAcceptable).toEqual({});
  });

  it("with acceptable_grandmasters: every Sync used is the good master's, the offsets never move, the rogue is counted by name", () => {
    const { summary, syncs, steady } = replay({ acceptableGrandmasters: [GOOD_GM] });
    expect(summary.grandmasters).toEqual(['001122.fffe.334455']);
    expect(new Set(syncs.map((r) => `${r.sourcePortIdentity.clockIdentity}-${r.sourcePortIdentity.portNumber}`))).toEqual(new Set([`${GOOD_GM}-1`]));
    expect(Math.max(...steady.map((r) => Math.abs(r.offsetFromMaster)))).toBeLessThan(2_000);
    // 16 Announce, 125 Sync and 125 Follow_Up of the rogue: the 3 Syncs it sends before its first
    // Announce are only syncNotFromMaster (nothing yet says which grandmaster it serves)
    expect(summary.rejected['grandmasterNotAcceptable']).toBe(266);
    expect(summary.notAcceptable).toEqual({ 'grandmaster 00a0b0.fffe.c0d0e0 (via 00a0b0.fffe.c0d0e0-1) is not in acceptable_grandmasters': 266 });
    expect(
      summary.timeline.some((e) => e.what === 'refused: grandmaster 00a0b0.fffe.c0d0e0 (via 00a0b0.fffe.c0d0e0-1) is not in acceptable_grandmasters'),
    ).toBe(true);
    expect(summary.timeToLockS).toBeLessThan(ROGUE_FROM_S);
  });

  it('with acceptable_masters naming the good port: the same, refused as masterNotAcceptable', () => {
    const master = parsePortIdentity('001122.fffe.334455-1');
    const { summary, steady } = replay({ acceptableMasters: master === undefined ? [] : [master] });
    expect(summary.grandmasters).toEqual(['001122.fffe.334455']);
    expect(Math.max(...steady.map((r) => Math.abs(r.offsetFromMaster)))).toBeLessThan(2_000);
    // every frame of the rogue port: 16 Announce, 128 Sync, 128 Follow_Up (one every 125 ms for 16 s)
    expect(summary.rejected['masterNotAcceptable']).toBe(16 + 2 * 128);
    expect(summary.masters).toEqual(['001122.fffe.334455-1']);
  });
});
