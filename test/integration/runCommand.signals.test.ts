/**
 * Signals on the real `syntonic run` process: SIGHUP re-reads the configuration (the acceptable
 * lists and log settings take effect, other changes are named as needing a restart, a broken file is
 * refused and the daemon keeps running), SIGQUIT/SIGTERM stop it with exit 0, and the provider
 * socket and the time page are gone after every exit — the clean-up list also runs when the process dies of an error.
 */
import { spawn, spawnSync, type ChildProcessByStdio } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { needs } from '../support/peers.js';

const BIN = join(process.cwd(), 'bin', 'syntonic.js');
const dir = mkdtempSync(join(tmpdir(), 'syntonic-signals-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(() => {
  spawnSync('npx', ['tsc', '-p', 'tsconfig.json'], { stdio: 'ignore' });
}, 120_000);

const gate = needs('syntonic run: signals (a packet socket on lo)', 'root', 'setpriv');

class Daemon {
  out = '';
  err = '';
  readonly exited: Promise<number | null>;
  private constructor(readonly child: ChildProcessByStdio<null, Readable, Readable>) {
    child.stdout.on('data', (d: Buffer) => (this.out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (this.err += d.toString()));
    this.exited = new Promise((r) => child.on('exit', (code) => r(code)));
  }

  static start(args: string[]): Daemon {
    return new Daemon(
      spawn('setpriv', ['--inh-caps=-sys_time', '--bounding-set=-sys_time', process.execPath, BIN, 'run', '-i', 'lo', '--timestamping', 'software', ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
  }

  async waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!pattern.test(this.out + this.err)) {
      if (Date.now() > until) throw new Error(`no ${String(pattern)} in:\n${this.out}\n${this.err}`);
      if (this.child.exitCode !== null) throw new Error(`exited ${this.child.exitCode} before ${String(pattern)}:\n${this.out}\n${this.err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

describe.skipIf(gate.skip)('syntonic run: signals', () => {
  it('SIGHUP applies the acceptable lists and log settings, names what needs a restart, survives a broken file; SIGTERM then stops it and the socket is gone', async () => {
    const cfg = join(dir, 'hup.cfg');
    const socket = join(dir, 'hup.sock');
    const page = join(dir, 'hup.page');
    writeFileSync(cfg, '[global]\nlogging_level 6\ndomainNumber 0\n');
    const d = Daemon.start(['-f', cfg, '--socket', socket, '--time-page', page]);
    try {
      await d.waitFor(/time-base provider on/);
      expect(existsSync(socket)).toBe(true);
      expect(existsSync(page)).toBe(true);

      writeFileSync(
        cfg,
        '[global]\nlogging_level 5\ndomainNumber 3\nacceptable_grandmasters 001122.fffe.334455\n[lo]\nacceptable_masters 001122.fffe.334455-1\n',
      );
      d.child.kill('SIGHUP');
      await d.waitFor(/acceptable grandmasters: 001122\.fffe\.334455; acceptable masters: 001122\.fffe\.334455-1/);
      expect(d.out).toContain(`received SIGHUP: configuration ${cfg} reloaded, applied: acceptable_grandmasters, acceptable_masters, logging_level`);
      expect(d.err).toContain('configuration reloaded: domainNumber changed but needs a restart (not applied)');
      expect(d.child.exitCode).toBeNull();

      writeFileSync(cfg, '[global]\nlogging_level 5\nacceptable_grandmasters nonsense\n');
      d.child.kill('SIGHUP');
      await d.waitFor(/configuration not reloaded, still running with the previous one: .*hup\.cfg:3: acceptable_grandmasters: 'nonsense'/);
      expect(d.child.exitCode).toBeNull();

      d.child.kill('SIGTERM');
      expect(await d.exited).toBe(0);
      expect(existsSync(socket)).toBe(false);
      expect(existsSync(page)).toBe(false);
    } finally {
      d.child.kill('SIGKILL');
    }
  }, 40_000);

  it('SIGQUIT stops it like SIGTERM (as ptp4l), exit 0, socket removed', async () => {
    const socket = join(dir, 'quit.sock');
    const page = join(dir, 'quit.page');
    const d = Daemon.start(['--socket', socket, '--time-page', page]);
    try {
      await d.waitFor(/time-base provider on/);
      d.child.kill('SIGQUIT');
      expect(await d.exited).toBe(0);
      expect(d.out).toMatch(/stopping: received SIGQUIT/);
      expect(existsSync(socket)).toBe(false);
      expect(existsSync(page)).toBe(false);
    } finally {
      d.child.kill('SIGKILL');
    }
  }, 30_000);
});

describe('the exit clean-up list', () => {
  it('runs when a process dies of an uncaught error: the registered socket file is removed, a replaced one is left', () => {
    const ours = join(dir, 'ours.sock');
    const replaced = join(dir, 'replaced.sock');
    const script = `
      import { createServer } from 'node:net';
      import { unlinkSync, lstatSync } from 'node:fs';
      import { exitCleanup, installExitCleanup, removeOwnSocket } from ${JSON.stringify(join(process.cwd(), 'dist/src/cli/daemon/exitCleanup.js'))};
      installExitCleanup();
      const listen = (p) => new Promise((r) => { const s = createServer(); s.listen(p, () => r(s)); });
      const a = await listen(${JSON.stringify(ours)});
      const b = await listen(${JSON.stringify(replaced)});
      const inoA = lstatSync(${JSON.stringify(ours)}, { bigint: true }).ino;
      const inoB = lstatSync(${JSON.stringify(replaced)}, { bigint: true }).ino;
      exitCleanup.register('ours', () => removeOwnSocket(${JSON.stringify(ours)}, inoA));
      exitCleanup.register('replaced', () => removeOwnSocket(${JSON.stringify(replaced)}, inoB));
      // Another daemon took the second path since: its socket must survive our exit.
      unlinkSync(${JSON.stringify(replaced)});
      await listen(${JSON.stringify(replaced)});
      setTimeout(() => { throw new Error('boom'); }, 10);
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 15_000 });
    expect(r.stderr).toMatch(/Error: boom/);
    expect(r.status).toBe(1);
    expect(existsSync(ours)).toBe(false);
    expect(existsSync(replaced)).toBe(true);
  });
});
