/**
 * `syntonic run` refuses what it cannot do with one clear line and an exit code a service manager
 * can act on: 2 for a bad command line or configuration, 1 for the machine (interface, privilege).
 * And it stops cleanly with exit code 0 on SIGTERM, removing its time page.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { needs } from '../support/peers.js';
import { ensureCliBuilt } from '../support/builtCli.js';

const BIN = join(process.cwd(), 'bin', 'syntonic.js');
const dir = mkdtempSync(join(tmpdir(), 'syntonic-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  // The CLI runs from dist/: make sure it is built from the current sources.
  await ensureCliBuilt();
}, 240_000);

function run(args: string[], prefix: string[] = []): { code: number | null; stderr: string; stdout: string } {
  const command = prefix.length > 0 ? (prefix[0] as string) : process.execPath;
  const argv = prefix.length > 0 ? [...prefix.slice(1), process.execPath, BIN, 'run', ...args] : [BIN, 'run', ...args];
  const r = spawnSync(command, argv, { encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, stderr: r.stderr, stdout: r.stdout };
}

describe('syntonic run: refusals', () => {
  it('without -i: usage error, exit 2', () => {
    const r = run([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^syntonic run: -i IFACE is required/);
  });

  it('an unknown option in the configuration: FILE:LINE and a suggestion, exit 2, nothing opened', () => {
    const cfg = join(dir, 'bad.cfg');
    writeFileSync(cfg, '[global]\nneighborPropDelayThresh 800\nlogSyncIntervl -3\n');
    const r = run(['-i', 'lo', '-f', cfg, '--socket', join(dir, 'x.sock')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${cfg}:3`);
    expect(r.stderr).toMatch(/logSyncIntervl/);
    expect(r.stderr).toMatch(/logSyncInterval/);
  });

  it('an interface that does not exist: one line naming it, exit 1', () => {
    const r = run(['-i', 'nosuch0', '--socket', join(dir, 'y.sock')]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/nosuch0/);
  });

  it('without CAP_NET_RAW: says which capability is missing, exit 1', () => {
    const r = run(['-i', 'lo', '--socket', join(dir, 'z.sock')], ['setpriv', '--inh-caps=-net_raw,-sys_time', '--bounding-set=-net_raw,-sys_time']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/CAP_NET_RAW/);
  });

  it('--clock phc with software timestamps: a contradiction in the command line, explained, exit 2', () => {
    const r = run(['-i', 'lo', '--timestamping', 'software', '--clock', 'phc', '--socket', join(dir, 'w.sock')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/phc disciplines the interface's hardware clock, but software timestamps do not come from it/);
  });

  it('--timestamp-skew that is not PPM[:WANDER[:DRIFT]]: names the flag and its form, exit 2', () => {
    const r = run(['-i', 'lo', '--timestamp-skew', '100:1:fast', '--socket', join(dir, 'w.sock')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^syntonic run: --timestamp-skew: '100:1:fast' is not PPM\[:WANDER\[:DRIFT\]\]/);
  });
});

// Opening a packet socket on lo takes CAP_NET_RAW (root here); the daemon runs without CAP_SYS_TIME.
const stopGate = needs('syntonic run: clean stop', 'root', 'setpriv');

describe.skipIf(stopGate.skip)('syntonic run: clean stop', () => {
  it('stops on SIGTERM with exit code 0, even right after start-up', async () => {
    const socket = join(dir, 'stop.sock');
    const page = join(dir, 'stop', 'time.page');
    const child = spawn(
      'setpriv',
      [
        '--inh-caps=-sys_time',
        '--bounding-set=-sys_time',
        process.execPath,
        BIN,
        'run',
        '-i',
        'lo',
        '--timestamping',
        'software',
        '--socket',
        socket,
        '--time-page',
        page,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no provider line: ${out}`)), 15_000);
      child.stdout.on('data', () => {
        if (out.includes('time-base provider on')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    expect(statSync(page).mode & 0o777).toBe(0o644);
    expect(readFileSync(page).subarray(0, 8).toString('latin1')).toBe('SYNTPAGE');
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code).toBe(0);
    expect(out).toMatch(/stopping: received SIGTERM/);
    expect(out).toContain(`time page on ${page}`);
    expect(existsSync(page)).toBe(false);
  });

  it('refuses to start (exit 1) when the configured time page path holds something else, and leaves no socket', () => {
    const taken = join(dir, 'taken.txt');
    writeFileSync(taken, 'not a page\n');
    const socket = join(dir, 'taken.sock');
    const r = run(
      ['-i', 'lo', '--timestamping', 'software', '--socket', socket, '--time-page', taken],
      ['setpriv', '--inh-caps=-sys_time', '--bounding-set=-sys_time'],
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`syntonic run: time page: ${taken} exists and is not a syntonic time page; refusing to replace it\n`);
    expect(readFileSync(taken, 'utf8')).toBe('not a page\n');
    expect(existsSync(socket)).toBe(false);
  });
});

describe('syntonic --version', () => {
  it("prints the package's version and exits 0", () => {
    const { version } = JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8')) as { version: string };
    const r = spawnSync(process.execPath, [BIN, '--version'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`syntonic ${version}\n`);
  });
});
