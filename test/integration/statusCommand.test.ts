/**
 * `syntonic status` end to end: the built CLI (bin/syntonic.js → dist/) in a child process against
 * a provider served by this test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TimeBaseProvider } from '../../src/provider/server.js';
import { sampleSnapshot, snapshotAt, tempDir } from '../support/providerFixtures.js';
import { ensureCliBuilt } from '../support/builtCli.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(repo, 'bin', 'syntonic.js');
let tmp: { dir: string; remove: () => void };
let socketPath: string;
let provider: TimeBaseProvider;

function syntonic(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: repo, timeout: 20_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  await ensureCliBuilt();
  tmp = tempDir('syn-status-');
  socketPath = join(tmp.dir, 'syntonic.sock');
  provider = await TimeBaseProvider.listen(sampleSnapshot(), { socketPath, minUpdateIntervalMs: 0 });
}, 240_000);

afterAll(async () => {
  await provider?.close();
  tmp?.remove();
});

describe('syntonic status', () => {
  it('--json prints the snapshot in the protocol form', async () => {
    const r = await syntonic(['status', '--socket', socketPath, '--json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(s['status']).toBe('synchronized');
    expect(s['mapping']).toEqual({ monotonicRawNs: '10000000000', ptpTimeNs: '1732000000000000000', rateRatio: 1.000000012 });
    expect(s['grandmaster']).toMatchObject({ identity: '001122.fffe.334455', priority1: 246 });
    expect(s['port']).toEqual({ portIdentity: 'aabbcc.fffe.ddeeff-1', portState: 'slavePort', asCapable: true });
    expect(s['rejectedFrames']).toEqual({ wrongDomain: 3 });
    expect(typeof s['timeSinceLastSyncNs']).toBe('number');
  });

  it('prints pmc-style fields for people', async () => {
    const r = await syntonic(['status', '--socket', socketPath]);
    expect(r.code).toBe(0);
    const rows = new Map(
      r.stdout
        .split('\n')
        .filter((l) => l.startsWith('\t'))
        .map((l) => [l.trim().split(/\s+/)[0], l.trim().replace(/^\S+\s+/, '')]),
    );
    expect(rows.get('master_offset')).toBe('-12 ns');
    expect(rows.get('gmPresent')).toBe('true');
    expect(rows.get('gmIdentity')).toBe('001122.fffe.334455');
    expect(rows.get('portState')).toBe('SLAVE');
    expect(rows.get('asCapable')).toBe('true');
    expect(rows.get('neighborRateRatio')).toBe('1.000000004000');
    expect(rows.get('gm.ClockAccuracy')).toBe('0xfe');
    expect(rows.get('currentUtcOffset')).toBe('37 s');
    expect(rows.get('status')).toBe('synchronized (s2)');
    expect(r.stdout).toMatch(/^TIME_STATUS_NP\n/);
  });

  it('says in one line that syntonic cannot be reached, and exits 1', async () => {
    const absent = join(tmp.dir, 'absent.sock');
    const r = await syntonic(['status', '--socket', absent]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `cannot reach syntonic at ${absent}: ENOENT (no such socket); no syntonic is serving there: ` +
        `start one with \`sudo syntonic run -i IFACE -f configs/gPTP-software.cfg --socket ${absent}\` (docs/quickstart.md), or give --socket PATH\n`,
    );
  });

  it('rejects an unknown option with usage and exit code 2', async () => {
    const r = await syntonic(['status', '--bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Usage: syntonic status');
  });

  it('--watch --json follows changes until SIGINT', async () => {
    const child = spawn(process.execPath, [bin, 'status', '--socket', socketPath, '--watch', '--json'], { cwd: repo });
    const lines: string[] = [];
    let buffered = '';
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      lines.push(...parts);
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const waitLines = async (n: number): Promise<void> => {
      for (let t = 0; lines.length < n; t += 20) {
        if (t > 15_000) throw new Error(`only ${lines.length} lines`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    await waitLines(1);
    provider.publish(snapshotAt(1_732_000_000_125_000_000n));
    await waitLines(2);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    const ptpTimes = lines.map((l) => (JSON.parse(l) as { mapping: { ptpTimeNs: string } }).mapping.ptpTimeNs);
    expect(ptpTimes).toEqual(['1732000000000000000', '1732000000125000000']);
  });
});
