import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { TimeBaseProvider } from '../../../src/provider/server.js';
import { resolveGroupId, SocketFileError } from '../../../src/provider/socketFile.js';
import { RawClient, sampleSnapshot, snapshotOf, tempDir } from '../../support/providerFixtures.js';
import { needs } from '../../support/peers.js';

let tmp: { dir: string; remove: () => void };
let provider: TimeBaseProvider | undefined;
let child: ChildProcess | undefined;

beforeEach(() => {
  tmp = tempDir('syn-provider-sock-');
});

afterEach(async () => {
  await provider?.close();
  provider = undefined;
  child?.kill('SIGKILL');
  child = undefined;
  tmp.remove();
});

/** A separate process listening on `path` (prints "ready" once bound). */
async function childListeningOn(path: string): Promise<ChildProcess> {
  const script = `require('net').createServer((s) => s.end()).listen(${JSON.stringify(path)}, () => console.log('ready'));`;
  const proc = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    proc.stdout?.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    proc.once('exit', (code) => reject(new Error(`listener exited with ${code}`)));
  });
  return proc;
}

function canConnect(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

describe('the provider socket file', () => {
  it('replaces a stale socket left by a killed process, and serves on it', async () => {
    const path = join(tmp.dir, 'syntonic.sock');
    const dead = await childListeningOn(path);
    dead.kill('SIGKILL');
    await new Promise((r) => dead.once('exit', r));
    expect(statSync(path).isSocket()).toBe(true); // left behind: nobody unlinked it
    expect(await canConnect(path)).toBe(false);

    provider = await TimeBaseProvider.listen(sampleSnapshot(), { socketPath: path });
    const c = await RawClient.open(path);
    c.send('{"op":"status"}\n');
    expect(snapshotOf(await c.nth(1))['status']).toBe('synchronized');
    c.close();
  });

  it('does not steal a live socket: refuses with a clear error and leaves the other server serving', async () => {
    const path = join(tmp.dir, 'syntonic.sock');
    child = await childListeningOn(path);
    const attempt = TimeBaseProvider.listen(sampleSnapshot(), { socketPath: path });
    await expect(attempt).rejects.toThrow(SocketFileError);
    await expect(attempt).rejects.toThrow(`another syntonic is serving on ${path}`);
    expect(await canConnect(path)).toBe(true);
  });

  it('refuses a path that is not a socket and leaves the file alone', async () => {
    const path = join(tmp.dir, 'important.txt');
    writeFileSync(path, 'keep me');
    await expect(TimeBaseProvider.listen(sampleSnapshot(), { socketPath: path })).rejects.toThrow(`${path} exists and is not a socket; refusing to replace it`);
    expect(readFileSync(path, 'utf8')).toBe('keep me');
  });

  it('creates the directory, sets mode 0660 by default and removes the file on close', async () => {
    const path = join(tmp.dir, 'run', 'syntonic', 'syntonic.sock');
    provider = await TimeBaseProvider.listen(sampleSnapshot(), { socketPath: path });
    expect(statSync(path).mode & 0o777).toBe(0o660);
    await provider.close();
    provider = undefined;
    expect(existsSync(path)).toBe(false);
  });

  // Giving a file to a group one is not a member of takes root (CAP_CHOWN).
  const chownGate = needs('provider socket group ownership', 'root');

  it.skipIf(chownGate.skip)('sets a configured mode and a group given by gid', async () => {
    const path = join(tmp.dir, 'syntonic.sock');
    provider = await TimeBaseProvider.listen(sampleSnapshot(), { socketPath: path, mode: 0o600, group: 4321 });
    const st = statSync(path);
    expect(st.mode & 0o777).toBe(0o600);
    expect(st.gid).toBe(4321);
  });

  it.skipIf(chownGate.skip)('sets a group given by name, as getent resolves it', async () => {
    const gid = Number(execFileSync('getent', ['group', 'daemon'], { encoding: 'utf8' }).split(':')[2]);
    const path = join(tmp.dir, 'syntonic.sock');
    provider = await TimeBaseProvider.listen(sampleSnapshot(), { socketPath: path, group: 'daemon' });
    expect(statSync(path).gid).toBe(gid);
  });

  it('refuses an unknown group by name and does not leave a socket behind', async () => {
    const path = join(tmp.dir, 'syntonic.sock');
    await expect(TimeBaseProvider.listen(sampleSnapshot(), { socketPath: path, group: 'no-such-group-syn' })).rejects.toThrow(
      "unknown group 'no-such-group-syn'",
    );
    expect(existsSync(path)).toBe(false);
  });

  it('reads group names from a group file', async () => {
    const file = join(tmp.dir, 'group');
    writeFileSync(file, 'root:x:0:\nptp:x:977:alice,bob\n');
    expect(await resolveGroupId('ptp', file)).toBe(977);
    expect(await resolveGroupId('55', file)).toBe(55);
  });
});
