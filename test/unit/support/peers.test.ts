/**
 * test/support/peers.ts itself: a suite whose peer is missing is skipped with one line naming what to
 * install, and the run ends with the list; under SYNTONIC_REQUIRE_PEERS=1 (CI) a missing peer fails.
 * needs() runs in a child with a PATH made for the case, so the answer does not depend on this machine.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import setupSkippedSummary from '../../support/skippedSummary.js';

// npm test builds dist/ before vitest runs; the child imports the built module.
const PEERS = fileURLToPath(new URL('../../../dist/test/support/peers.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'syntonic-peers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A PATH directory holding `sh` and, if asked, a stand-in `tshark`. */
function pathDir(name: string, withTshark: boolean): string {
  const bin = join(dir, name);
  mkdirSync(bin);
  symlinkSync('/bin/sh', join(bin, 'sh'));
  if (withTshark) {
    writeFileSync(join(bin, 'tshark'), '#!/bin/sh\nexit 0\n');
    chmodSync(join(bin, 'tshark'), 0o755);
  }
  return bin;
}

function needsInChild(bin: string, env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const script = `import(${JSON.stringify(PEERS)}).then((m) => { const g = m.needs('codec cross-check', 'tshark'); console.log(JSON.stringify(g)); }).catch((e) => { console.log(JSON.stringify({ thrown: e.message })); });`;
  const childEnv: Record<string, string> = { PATH: bin, ...env };
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: childEnv });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('needs(): a suite and the peers it needs', () => {
  it("skips with one line naming the missing peer and its package, and adds it to the run's list", () => {
    expect(existsSync(PEERS)).toBe(true);
    const list = join(dir, 'skipped.txt');
    const r = needsInChild(pathDir('bare', false), { SYNTONIC_SKIPPED_FILE: list });
    const line = 'codec cross-check: skipped, needs tshark (apt-get install tshark)';
    expect(JSON.parse(r.stdout)).toEqual({ skip: true, reason: line });
    expect(r.stderr.trim()).toBe(line);
    expect(readFileSync(list, 'utf8')).toBe(`${line}\n`);
  });

  it('runs the suite, silently, when the peer is there', () => {
    const r = needsInChild(pathDir('full', true), {});
    expect(JSON.parse(r.stdout)).toEqual({ skip: false, reason: '' });
    expect(r.stderr).toBe('');
  });

  it('throws instead under SYNTONIC_REQUIRE_PEERS=1, so CI cannot pass without running the suite', () => {
    const r = needsInChild(pathDir('ci', false), { SYNTONIC_REQUIRE_PEERS: '1' });
    expect(JSON.parse(r.stdout)).toEqual({ thrown: 'SYNTONIC_REQUIRE_PEERS=1 and codec cross-check needs tshark (apt-get install tshark)' });
  });
});

describe('the end-of-run list of skipped suites', () => {
  it('prints each skipped suite once, after the run, and removes its file', () => {
    const saved = process.env['SYNTONIC_SKIPPED_FILE'];
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      const teardown = setupSkippedSummary();
      const list = process.env['SYNTONIC_SKIPPED_FILE'] as string;
      writeFileSync(
        list,
        'a: skipped, needs tshark (apt-get install tshark)\na: skipped, needs tshark (apt-get install tshark)\nb: skipped, needs root (run as root (sudo npm test))\n',
      );
      teardown();
      const printed = log.mock.calls.map((c) => String(c[0])).join('\n');
      expect(printed).toBe(
        '\n2 suite(s) skipped for missing peers (SYNTONIC_REQUIRE_PEERS=1 makes this an error):\n' +
          '  - a: skipped, needs tshark (apt-get install tshark)\n' +
          '  - b: skipped, needs root (run as root (sudo npm test))',
      );
      expect(existsSync(list)).toBe(false);
    } finally {
      log.mockRestore();
      if (saved === undefined) delete process.env['SYNTONIC_SKIPPED_FILE'];
      else process.env['SYNTONIC_SKIPPED_FILE'] = saved;
    }
  });

  it('prints nothing when nothing was skipped', () => {
    const saved = process.env['SYNTONIC_SKIPPED_FILE'];
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      setupSkippedSummary()();
      expect(log).not.toHaveBeenCalled();
    } finally {
      log.mockRestore();
      if (saved === undefined) delete process.env['SYNTONIC_SKIPPED_FILE'];
      else process.env['SYNTONIC_SKIPPED_FILE'] = saved;
    }
  });
});
