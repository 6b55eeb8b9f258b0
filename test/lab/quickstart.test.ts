/**
 * docs/quickstart.md, run as written: every ```sh block (not the ```sh setup one, which installs what
 * CI's .ci/run has installed) in order, in one bash, as root. It runs in a private mount namespace
 * with its own /run, so the page's fixed names (namespaces gptp-gm/gptp-node, /run/syntonic…) meet
 * no one else's, without CAP_SYS_TIME and with clockguard preloaded like every lab process.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BLOCKED_MARK, buildClockGuard } from '../../conformance/lab/clockGuard.js';
import { Lab } from '../../conformance/lab/netns.js';
import { ensureCliBuilt, REPOSITORY } from '../support/builtCli.js';
import { needs, sbinPath } from '../support/peers.js';

/** The page's runnable blocks, in order. */
export function shellBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1] as string);
}

const PAGE = readFileSync(join(REPOSITORY, 'docs', 'quickstart.md'), 'utf8');
const gate = needs('quickstart (docs/quickstart.md)', 'root', 'netns', 'setpriv', 'ptp4l', 'gcc');

function run(script: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    // A private /run: `ip netns` names, ptp4l's /run/ptp4l and syntonic's default socket stay ours.
    const inner = `mount -t tmpfs syntonic-quickstart /run && exec setpriv --bounding-set=-sys_time --inh-caps=-sys_time bash -c "$QUICKSTART"`;
    const child = spawn('unshare', ['--mount', '--propagation', 'private', 'bash', '-c', inner], { cwd: REPOSITORY, env: { ...env, QUICKSTART: script } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

describe('the quickstart page', () => {
  it('has the blocks the walk-through needs, the install one marked as set-up', () => {
    const blocks = shellBlocks(PAGE);
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    expect(PAGE).toMatch(/^```sh setup\n.*npm install/ms);
    expect(blocks.join('\n')).not.toMatch(/\bsudo\b/);
    // npx would install the directory into npm's cache first, running node-gyp in place: the addon
    // vanished under the other test files for the length of the build (seen under stress-ng).
    expect(blocks.join('\n')).not.toMatch(/\bnpx\b/);
  });
});

describe.skipIf(gate.skip)('the quickstart, run as written', () => {
  const lab = new Lab();
  let guard = '';

  beforeAll(async () => {
    await ensureCliBuilt();
    guard = buildClockGuard(lab.tempDir('guard'));
  }, 240_000);

  afterAll(async () => {
    await lab.cleanup();
  });

  it('ends with syntonic status saying synchronized, having touched no clock, and leaves nothing behind', async () => {
    const blocks = shellBlocks(PAGE);
    const cleanUp = blocks[blocks.length - 1] as string;
    const script = [
      'set -e',
      // Whatever happens, nothing started here outlives the run.
      `trap 'for ns in $(ip netns list | cut -d" " -f1); do ip netns pids $ns | xargs -r kill -9; ip netns del $ns; done' EXIT`,
      ...blocks.slice(0, -1),
      `if grep -h '${BLOCKED_MARK}' /run/syntonic-quickstart/*.log; then exit 3; fi`,
      cleanUp,
      'test -z "$(ip netns list)"',
    ].join('\n');
    const { code, out } = await run(script, { ...process.env, PATH: sbinPath(), LD_PRELOAD: guard }, 150_000);
    expect(out).toMatch(/^syntonic \d+\.\d+\.\d+$/m);
    expect(out).toMatch(/^\tstatus +synchronized \(s2\)$/m);
    expect(out).toMatch(/^\tportState +SLAVE$/m);
    expect(out, out).not.toContain(BLOCKED_MARK);
    expect(code, out).toBe(0);
  }, 180_000);
});
