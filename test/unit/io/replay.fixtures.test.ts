/**
 * Replay of every capture in fixtures/pcaps, against summaries worked out from the frames themselves
 * (tshark counts and fixtures/pcaps/SOURCES.md), not from the program's own output.
 */
import { describe, expect, it } from 'vitest';
import { replayFile, type ReplayFileOptions } from '../../../src/io/replay/replayFile.js';
import type { ReplaySummaryData } from '../../../src/io/replay/replaySummary.js';

const F = 'fixtures/pcaps/';
function replay(file: string, options: Partial<ReplayFileOptions> = {}): ReplaySummaryData {
  const r = replayFile(F + file, { profile: 'gptp', ...options });
  expect(r.captureError).toBeUndefined();
  return r.summary;
}

describe('replay of the fixture captures', () => {
  it('scapy gPTP bridge link, taken at the PC with its own Pdelay_Req: the PC is the station', () => {
    // tshark: bridge 11:22:33:44:55:66 sends Sync 55, Follow_Up 55, Pdelay_Resp 6, Resp_Follow_Up 6; the PC sends Pdelay_Req 6
    const s = replay('gptp__bridge-anon_sync125ms_futlv_pdelay__scapy-gptp.pcapng');
    expect(s.station).toMatch(/^8c:16:45:9b:9e:11 \(8c1645\.fffe\.9b9e11-1\) sends Pdelay_Req and no Sync/);
    expect(s.counts).toMatchObject({ frames: 128, ptpFrames: 128, decodeErrors: 0 });
    expect(s.received).toEqual({ Sync: 55, Follow_Up: 55, Pdelay_Resp: 6, Pdelay_Resp_Follow_Up: 6 });
    expect(s.sent).toEqual({ Pdelay_Req: 6 });
    expect(s.linkDelay?.count).toBe(6);
    // No Announce in the capture: under the gPTP profile no master is ever selected…
    expect(s.syncs).toBe(0);
    expect(s.hints.join('\n')).toMatch(/--profile automotive/);
  });

  it('the same capture under the automotive profile: every Sync/Follow_Up pair is used', () => {
    const s = replay('gptp__bridge-anon_sync125ms_futlv_pdelay__scapy-gptp.pcapng', { profile: 'automotive' });
    // Follow_Ups trail their Sync by 5.5–6.2 ms, well inside one 125 ms sync interval (SOURCES.md)
    expect(s.syncs).toBe(55);
    expect(s.followUpsLost).toBe(0);
    expect(s.masters).toEqual(['112233.fffe.445566-6']);
  });

  it('ptp4l grandmaster and free-running slave on veth, taken at the slave', () => {
    // tshark: GM aa:d0:10:8a:05:a1 sends Sync 173, Follow_Up 173, Announce 22, Pdelay_Req/Resp/Resp_FU 24 each;
    // the slave f2:d1:86:bd:9a:d8 was master for a moment (Sync 15, Announce 2) before the GM won
    const s = replay('gptp__ptp4l-gm-free-running-slave_veth-swts__syntonic.pcap', { config: { neighborPropDelayThresh: 10_000_000 } });
    expect(s.station).toMatch(/^f2:d1:86:bd:9a:d8 .* the fewest Syncs \(15\)/);
    expect(s.received).toEqual({ Sync: 173, Follow_Up: 173, Announce: 22, Pdelay_Req: 24, Pdelay_Resp: 24, Pdelay_Resp_Follow_Up: 24 });
    expect(s.sent).toEqual({ Sync: 15, Follow_Up: 15, Announce: 2, Pdelay_Req: 24, Pdelay_Resp: 24, Pdelay_Resp_Follow_Up: 24 });
    expect(s.grandmasters).toEqual(['aad010.fffe.8a05a1']);
    expect(s.syncs).toBe(173);
    // software timestamps on veth: the link delay is about a microsecond (LAB-NOTES: 1.26–1.43 µs path delay)
    expect(s.linkDelay?.meanNs).toBeGreaterThan(300);
    expect(s.linkDelay?.meanNs).toBeLessThan(3_000);
    expect(s.offsetAfterLock?.rmsNs).toBeLessThan(1_000);
  });

  it('non-conformant embedded master: bad Follow_Ups are decode errors, its one-step Syncs with origin 0 are refused', () => {
    // SOURCES.md: 2820 frames, 110 not PTP; 867 Announce, 867 Sync, 867 Follow_Up, 109 Pdelay_Req;
    // 659 Follow_Ups have nanoseconds ≥ 10^9 when read big-endian
    const s = replay('gptp__embedded-buggy_broadcast_le-timestamps__daichenghe-scapy-gptp.pcapng');
    expect(s.counts).toMatchObject({ frames: 2820, nonPtpFrames: 110, decodeErrors: 659, ptpFrames: 2710 - 659 });
    expect(s.decodeErrors[0]?.error).toMatchObject({ kind: 'badNanoseconds', field: 'preciseOriginTimestamp.nanoseconds' });
    expect(s.rejected).toMatchObject({ badTimestamp: 867, followUpWithoutSync: 867 - 659 });
    expect(s.syncs).toBe(0);
  });

  it('AVB traffic with Pdelay_Req only: 111 PTP frames among 6833, nothing to synchronize to', () => {
    const s = replay('gptp__pdelayreq-only_avb-mixed-traffic__zarfld-openavnu.pcapng');
    expect(s.counts).toMatchObject({ frames: 6833, ptpFrames: 111, nonPtpFrames: 6722 });
    expect(s.received).toEqual({ Pdelay_Req: 111 });
    expect(s.syncs).toBe(0);
  });

  it('a grandmaster change behind a bridge (simulated capture at the slave): both grandmasters, re-lock after', () => {
    // recordCapture.ts GM_CHANGE_SCENARIO: 40 s, 8 Sync/s from one master port; the grandmaster behind
    // it changes at 20 s from 001122.fffe.334455 to 00a0b0.fffe.c0d0e0 with a +2 ms new time base
    const s = replay('gptp__sim-gm-change_at-slave__syntonic.pcap');
    expect(s.grandmasters).toEqual(['001122.fffe.334455', '00a0b0.fffe.c0d0e0']);
    expect(s.masters).toEqual(['001122.fffe.334455-1']);
    expect(s.received['Sync']).toBe(320);
    expect(s.syncs).toBeGreaterThan(300);
    expect(s.timeline.some((e) => /grandmaster 001122\.fffe\.334455 → 00a0b0\.fffe\.c0d0e0/.test(e.what))).toBe(true);
    expect(s.timeline.some((e) => /status unstable → synchronized/.test(e.what) && Number(e.time) > 1_700_000_020_000_000_000)).toBe(true);
  });

  it('IEEE 1588 (majorSdoId 0) captures are refused frame by frame, never half-used', () => {
    // tshark: Sync 70, Follow_Up 70, Announce 35, Delay_Resp 15, Delay_Req 15 — all transportSpecific 0
    const e2e = replay('ptp1588-l2__e2e_bc-gm-change__tcpdump.pcap');
    expect(e2e.rejected).toEqual({ wrongMajorSdoId: 205 });
    expect(e2e.syncs).toBe(0);
    const p2p = replay('ptp1588-l2__v2.1_pdelayreq-0180c2_linuxptp__tcpdump.pcap');
    expect(p2p.counts.ptpFrames).toBe(38);
    expect(p2p.syncs).toBe(0);
    const mgmt = replay('ptp1588-l2__management-tlvs__tcpdump.pcap');
    expect(mgmt.counts.ptpFrames).toBe(10);
  });

  it('hand-made edge cases: broken frames are counted as decode errors, the rest replays', () => {
    const s = replay('codec-edge-cases__syntonic.pcap');
    expect(s.counts.frames).toBe(20);
    expect(s.counts.decodeErrors).toBe(9);
  });
});

describe('replay of a damaged capture', () => {
  it('replays every frame before the damage, as the same station, and reports the offset', async () => {
    const { mkdtempSync, readFileSync, rmSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'syntonic-damaged-'));
    try {
      const whole = readFileSync(F + 'gptp__ptp4l-gm-free-running-slave_veth-swts__syntonic.pcap');
      // cut inside a record: the 24-octet file header, then records of 16 + 54..90 octets
      const path = join(dir, 'cut.pcap');
      writeFileSync(path, whole.subarray(0, 30_000));
      const r = replayFile(path, { profile: 'gptp', config: { neighborPropDelayThresh: 10_000_000 } });
      expect(r.summary.station).toMatch(/^f2:d1:86:bd:9a:d8/);
      expect(r.captureError?.reason).toBe('truncated');
      expect(r.captureError?.framesRead).toBe(r.summary.counts.frames);
      expect(r.captureError?.offset).toBeLessThan(30_000);
      expect(r.summary.syncs).toBeGreaterThan(50);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
