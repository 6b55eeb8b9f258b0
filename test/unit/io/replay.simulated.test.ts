/**
 * A capture recorded at the simulated station (its RX timestamps, and its own TX timestamps as a
 * recorder in the daemon would write them) replays to the same Syncs the live engine accepted.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_MASTER, Simulation } from '../../../conformance/sim/simulation.js';
import { writePcap } from '../../../src/io/pcapWriter.js';
import { replayFile } from '../../../src/io/replay/replayFile.js';
import type { ReplaySyncRecord } from '../../../src/io/replay/replaySession.js';
import { encodeFrame } from '../../../src/protocol/ethernetFrame.js';
import type { SyncReceipt } from '../../../src/protocol/syncReceipt.js';

const dir = mkdtempSync(join(tmpdir(), 'syntonic-replay-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const START = 1_700_000_000_000_000_000n;

function recordSimulation(seconds: number, path: string): SyncReceipt[] {
  const frames: { timestampNs: bigint; data: Uint8Array }[] = [];
  const receipts: SyncReceipt[] = [];
  const sim = new Simulation(
    {
      seed: 3,
      startNs: START,
      link: { meanDelayNs: 800, jitterNs: 200 },
      master: DEFAULT_MASTER,
      station: {
        clock: { oscillator: { frequencyOffsetPpm: -20 }, timestampsFollowAdjustment: false, timestampGranularityNs: 1, timestampNoiseNs: 30 },
        config: { neighborPropDelayThresh: 10_000 },
      },
    },
    {
      onSyncReceipt: (r) => receipts.push(r),
      onStationFrame: (frame, t) => frames.push({ timestampNs: t, data: encodeFrame(frame) }),
    },
  );
  sim.runFor(seconds);
  // A capture is in time order; TX timestamps come back a little after the frame left.
  frames.sort((a, b) => (a.timestampNs < b.timestampNs ? -1 : a.timestampNs > b.timestampNs ? 1 : 0));
  writePcap(path, frames);
  return receipts;
}

describe('replay of a capture recorded at the station', () => {
  const path = join(dir, 'station.pcap');
  const live = recordSimulation(30, path);

  it('finds the station by its Pdelay_Req and accepts the same Syncs with the same grandmaster times', () => {
    const replayed: ReplaySyncRecord[] = [];
    const result = replayFile(path, { profile: 'gptp', config: { neighborPropDelayThresh: 10_000 } }, { sync: (r) => replayed.push(r) });
    expect(result.summary.station).toMatch(/^0a:0b:0c:0d:0e:0f .* sends Pdelay_Req and no Sync/);
    expect(replayed.length).toBe(live.length);
    for (let i = 0; i < live.length; i++) {
      const a = live[i];
      const b = replayed[i];
      expect(b?.sequenceId).toBe(a?.sequenceId);
      expect(b?.localTime).toBe(a?.ingressTime);
      // the same exchanges give the same meanLinkDelay, hence the same grandmaster time
      expect(b?.masterTime).toBe(a?.gmTime);
    }
    expect(result.summary.grandmasters).toEqual(['001122.fffe.334455']);
    expect(result.summary.linkDelay?.meanNs).toBeGreaterThan(800);
  });

  it('gives byte-identical output twice (determinism)', () => {
    const run = (): string => {
      const lines: string[] = [];
      const r = replayFile(
        path,
        { profile: 'gptp', config: { neighborPropDelayThresh: 10_000 } },
        { sync: (s) => lines.push(JSON.stringify(s, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))) },
      );
      return lines.join('\n') + JSON.stringify(r.summary, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    };
    expect(run()).toBe(run());
    expect(readFileSync(path).length).toBeGreaterThan(10_000);
  });
});
