/**
 * `npm run conformance` and `npm run bench` with a name that selects nothing: before, a typo ran
 * nothing, printed nothing and (on a fresh clone) crashed writing the summary. Needs the build
 * (`npm test` compiles first).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REPOSITORY } from '../support/builtCli.js';

function runBuilt(script: string, args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(REPOSITORY, 'dist', script), ...args], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the conformance and bench runners refuse names that select nothing', () => {
  it('npm run conformance -- lab:steady-sate: exit status 2, the name, and the scenarios there are', () => {
    const r = runBuilt('conformance/run.js', ['lab:steady-sate']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("unknown 'lab:steady-sate'");
    expect(r.stderr).toContain('lab:steady-state');
    expect(r.stdout).toBe('');
  });

  it('npm run conformance -- --help: the usage, exit status 0', () => {
    const r = runBuilt('conformance/run.js', ['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: npm run conformance/);
  });

  it('npm run bench -- servos: exit status 2 with the benches there are', () => {
    const r = runBuilt('bench/run.js', ['servos']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown 'servos'[\s\S]*servo/);
    expect(r.stdout).toBe('');
  });
});

describe('npm run bench -- native finds the peer it runs in the namespaces', () => {
  // The peer moved to test/support/ and the bench went on looking in test/: `npm run bench` stopped
  // at the native figures, and nothing but a bench run (not part of npm test: it needs root) said so.
  it('the built bench names a peer script the build produced', async () => {
    const bench = (await import(pathToFileURL(join(REPOSITORY, 'dist', 'bench', 'native.bench.js')).href)) as { peerScriptPath(): string };
    const script = bench.peerScriptPath();
    expect(script.startsWith(join(REPOSITORY, 'dist'))).toBe(true);
    expect(existsSync(script)).toBe(true);
  });
});
