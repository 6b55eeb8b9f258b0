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

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = fileURLToPath(new URL('../bin/syntonic.js', import.meta.url));
const CAPTURE = 'fixtures/pcaps/gptp__bridge-anon_sync125ms_futlv_pdelay__scapy-gptp.pcapng';
const SYNC_FIELDS = ['captureTime', 'sequenceId', 'masterTime', 'localTime', 'offsetFromMaster', 'meanLinkDelay', 'neighborRateRatio', 'rateRatio', 'servoState', 'frequencyAdjustment', 'status'];

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
    const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const syncs = lines.filter((l) => l['type'] === 'sync');
    expect(syncs).toHaveLength(55);
    for (const field of SYNC_FIELDS) expect(syncs[0]).toHaveProperty(field);
    expect(syncs[0]?.['sourcePortIdentity']).toBe('112233.fffe.445566-6');
    const summary = lines[lines.length - 1] as Record<string, unknown>;
    expect(summary['type']).toBe('summary');
    expect(summary['syncs']).toBe(55);
    expect(summary['peerDelays']).toEqual([expect.stringMatching(/^8c1645\.fffe\.9b9e11-1 ↔ 112233\.fffe\.445566-\d+: 6 exchanges, meanLinkDelay /)]);
  });

  it('gives byte-identical output for the same file twice', () => {
    expect(syntonic(CAPTURE, '--format', 'jsonl', '--profile', 'automotive').stdout).toBe(syntonic(CAPTURE, '--format', 'jsonl', '--profile', 'automotive').stdout);
  });

  it('writes csv with a header of the same names, and the summary to stderr', () => {
    const run = syntonic(CAPTURE, '--format', 'csv', '--profile', 'automotive');
    const rows = run.stdout.trim().split('\n');
    expect(rows[0]).toBe(SYNC_FIELDS.join(','));
    expect(rows).toHaveLength(56);
    expect(run.stderr).toContain('syncs accepted         55');
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
