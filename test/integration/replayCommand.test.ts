/**
 * `syntonic replay` end to end: the built CLI on a committed capture (the scapy gPTP bridge link,
 * taken at the PC: 55 Sync/Follow_Up pairs from 11:22:33:44:55:66, 6 Pdelay exchanges of the PC's,
 * no Announce, so the automotive profile is what uses its Syncs; fixtures/pcaps/SOURCES.md).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readCapture } from '../../src/io/captureFile.js';
import { writePcapng } from '../../src/io/pcapngWriter.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/syntonic.js', import.meta.url));
const CAPTURE = 'fixtures/pcaps/gptp__bridge-anon_sync125ms_futlv_pdelay__scapy-gptp.pcapng';

/** Syncs the engine accepted: those the servo used plus those its filters set aside. */
function syncsHandedToServo(summary: Record<string, unknown>): number {
  const notUsed = Object.values(summary['servoRejected'] as Record<string, number>).reduce((a, b) => a + b, 0);
  return (summary['syncs'] as number) + notUsed;
}
const SYNC_FIELDS = [
  'captureTime',
  'sequenceId',
  'masterTime',
  'localTime',
  'offsetFromMaster',
  'meanLinkDelay',
  'neighborRateRatio',
  'rateRatio',
  'servoState',
  'frequencyAdjustment',
  'status',
];

const dir = mkdtempSync(join(tmpdir(), 'syntonic-replay-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function syntonic(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, 'replay', ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('syntonic replay', () => {
  it('prints one jsonl record per accepted Sync under the 802.1AS names, then the summary', () => {
    const run = syntonic(CAPTURE, '--format', 'jsonl', '--profile', 'automotive');
    expect(run.status).toBe(0);
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const syncs = lines.filter((l) => l['type'] === 'sync');
    // One record per Sync the servo used; the capture's 55 Syncs (tshark) are those plus the ones its
    // filters set aside (this capture's first offsets swing by milliseconds).
    const summary = lines[lines.length - 1] as Record<string, unknown>;
    expect(syncs).toHaveLength(summary['syncs'] as number);
    expect(syncsHandedToServo(summary)).toBe(55);
    for (const field of SYNC_FIELDS) expect(syncs[0]).toHaveProperty(field);
    expect(syncs[0]?.['sourcePortIdentity']).toBe('112233.fffe.445566-6');
    expect(summary['type']).toBe('summary');
    expect(summary['peerDelays']).toEqual([expect.stringMatching(/^8c1645\.fffe\.9b9e11-1 ↔ 112233\.fffe\.445566-\d+: 6 exchanges, meanLinkDelay /)]);
  });

  it('shows each offset the servo left out, with why, as the daemon logs it (jsonl and text)', () => {
    const run = syntonic(CAPTURE, '--format', 'jsonl', '--profile', 'automotive');
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const summary = lines[lines.length - 1] as Record<string, unknown>;
    const notUsed = lines.filter((l) => l['type'] === 'syncNotUsed');
    expect(notUsed.length).toBe(syncsHandedToServo(summary) - (summary['syncs'] as number));
    expect(notUsed.length).toBeGreaterThan(0);
    for (const record of notUsed) {
      for (const field of SYNC_FIELDS) expect(record).toHaveProperty(field);
      expect(Object.keys(summary['servoRejected'] as Record<string, number>)).toContain(record['notUsed']);
    }
    const text = syntonic(CAPTURE, '--profile', 'automotive').stdout.split('\n');
    const leftOut = text.filter((l) => / master offset +-?\d+ s\d .* not used: offset (outlier|spike)$/.test(l));
    expect(leftOut).toHaveLength(notUsed.length);
  });

  it('gives byte-identical output for the same file twice', () => {
    expect(syntonic(CAPTURE, '--format', 'jsonl', '--profile', 'automotive').stdout).toBe(
      syntonic(CAPTURE, '--format', 'jsonl', '--profile', 'automotive').stdout,
    );
  });

  it('writes csv with a header of the same names, and the summary to stderr', () => {
    const run = syntonic(CAPTURE, '--format', 'csv', '--profile', 'automotive');
    const rows = run.stdout.trim().split('\n');
    expect(rows[0]).toBe(SYNC_FIELDS.join(','));
    // A header, then one row per Sync used; the summary on stderr counts the same rows.
    const used = Number(/syncs accepted +(\d+)/.exec(run.stderr)?.[1]);
    expect(used).toBeGreaterThan(0);
    expect(rows).toHaveLength(used + 1);
    expect(run.stderr).toMatch(/syncs not used +(none|offset )/);
  });

  it('says why nothing is synchronized under the gPTP profile, and that --profile automotive would', () => {
    const run = syntonic(CAPTURE);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('syncs accepted         0');
    expect(run.stdout).toMatch(/hint\s+.*--profile automotive/);
    expect(run.stdout).toMatch(/pdelay per requester\s+8c1645\.fffe\.9b9e11-1/);
  });

  it('draws an SVG with --plot', () => {
    const svg = join(dir, 'out.svg');
    expect(syntonic(CAPTURE, '--profile', 'automotive', '--plot', svg).status).toBe(0);
    expect(readFileSync(svg, 'utf8')).toMatch(/^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  });

  it('replays a damaged file up to the damage and exits 1 naming the byte offset', () => {
    const bytes = readFileSync(join(ROOT, CAPTURE));
    const cut = join(dir, 'cut.pcapng');
    writeFileSync(cut, bytes.subarray(0, bytes.length - 10));
    const run = syntonic(cut, '--profile', 'automotive');
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/offset \d+/);
    expect(run.stdout).toContain('== summary ==');
  });

  it('refuses bad options with exit 2, naming the option', () => {
    expect(syntonic(CAPTURE, '--format', 'xml')).toMatchObject({ status: 2, stderr: expect.stringContaining('--format must be text, jsonl or csv') });
    expect(syntonic(CAPTURE, '--station', 'nope')).toMatchObject({ status: 2, stderr: expect.stringContaining('--station must be a MAC address') });
  });
});

describe("syntonic replay without -f: thresholds that fit the capture's times", () => {
  // tcpdump at a ptp4l slave on veth (SOURCES.md): its own Pdelay_Req times are taken before the
  // driver's, so single exchanges read up to ~1.2 µs, past 802.1AS's 800 ns.
  const TCPDUMP = 'fixtures/pcaps/gptp__ptp4l-gm-free-running-slave_veth-swts__syntonic.pcap';
  const summaryOf = (run: { stdout: string }): Record<string, unknown> => {
    const lines = run.stdout.trim().split('\n');
    return JSON.parse(lines[lines.length - 1] as string) as Record<string, unknown>;
  };

  it('replays a tcpdump capture with the software-timestamp settings, and says so and why', () => {
    const run = syntonic(TCPDUMP, '--format', 'jsonl');
    expect(run.status).toBe(0);
    const summary = summaryOf(run);
    expect(summary['settings']).toMatch(/^software timestamps \(configs\/gPTP-software\.cfg.*\): a pcap file holds the capturing host's software times/);
    // Every one of the capture's 173 Syncs (tshark) reaches the servo: used, or set aside by its filters.
    expect(syncsHandedToServo(summary)).toBe(173);
    expect(summary['rejected']).not.toHaveProperty('notAsCapable');
    expect(summary['timeToLockS']).toEqual(expect.any(Number));
    expect(syntonic(TCPDUMP).stdout).toMatch(/\nsettings\s+software timestamps/);
  });

  it("-f still wins: gPTP.cfg's 800 ns threshold drops the link on the same capture", () => {
    const summary = summaryOf(syntonic(TCPDUMP, '--format', 'jsonl', '-f', 'configs/gPTP.cfg'));
    expect(summary['settings']).toBe('-f configs/gPTP.cfg');
    expect((summary['rejected'] as Record<string, number>)['notAsCapable']).toBeGreaterThan(0);
    expect(syncsHandedToServo(summary)).toBeLessThan(173);
  });

  it('keeps the 802.1AS defaults for a pcapng whose interface states hardware timestamps', () => {
    const hardware = join(dir, 'hardware.pcapng');
    writePcapng(
      hardware,
      [...readCapture(join(ROOT, TCPDUMP))].map((f) => ({ timestampNs: f.timestampNs, data: f.data.slice() })),
      {
        interfaceDescription: 'enp1s0: hardware timestamps (PHC /dev/ptp0)',
      },
    );
    const summary = summaryOf(syntonic(hardware, '--format', 'jsonl'));
    expect(summary['settings']).toMatch(
      /^802\.1AS defaults \(as configs\/gPTP\.cfg.*\): hardware timestamps, interface 0 states hardware timestamps \("enp1s0: hardware timestamps/,
    );
    expect((summary['rejected'] as Record<string, number>)['notAsCapable']).toBeGreaterThan(0);
  });

  it('reads a pcapng without such a statement as software times', () => {
    const plain = join(dir, 'plain.pcapng');
    writePcapng(
      plain,
      [...readCapture(join(ROOT, TCPDUMP))].map((f) => ({ timestampNs: f.timestampNs, data: f.data.slice() })),
    );
    const summary = summaryOf(syntonic(plain, '--format', 'jsonl'));
    expect(summary['settings']).toMatch(/^software timestamps .*: its pcapng interface description states no hardware timestamps/);
    expect(syncsHandedToServo(summary)).toBe(173);
  });
});
