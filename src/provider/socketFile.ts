/**
 * The provider's socket file: its directory, a stale file left by a crashed run, its mode and group.
 * A file is only ever removed when it is a socket nobody listens on; anything else is refused with a
 * sentence naming the path, so that two daemons never steal each other's socket.
 */
import { chmod, chown, lstat, mkdir, readFile, unlink } from 'node:fs/promises';
import { connect } from 'node:net';
import { dirname } from 'node:path';

export class SocketFileError extends Error {
  override readonly name = 'SocketFileError';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

/** Creates the socket's directory and removes a stale socket; throws SocketFileError when the path is taken. */
export async function prepareSocketPath(path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o755 });
  const existing = await lstat(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw new SocketFileError(path, `cannot inspect ${path}: ${err.message}`);
  });
  if (existing === undefined) return;
  if (!existing.isSocket()) throw new SocketFileError(path, `${path} exists and is not a socket; refusing to replace it`);
  const probe = await probeSocket(path);
  if (probe === 'live') throw new SocketFileError(path, `another syntonic is serving on ${path}`);
  if (probe !== 'stale') throw new SocketFileError(path, `cannot tell whether ${path} is in use (${probe}); refusing to replace it`);
  // Stale: a socket file whose server is gone (connect gives ECONNREFUSED).
  await unlink(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw new SocketFileError(path, `cannot remove stale socket ${path}: ${err.message}`);
  });
}

/** How long a probe connect may take before the path counts as in use by something unresponsive, ms. */
const PROBE_TIMEOUT_MS = 1000;

/** 'live' if something accepts connections, 'stale' on ECONNREFUSED, else the error code. */
function probeSocket(path: string): Promise<'live' | 'stale' | string> {
  return new Promise((resolve) => {
    const socket = connect(path);
    const done = (result: string): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done('no answer to connect'), PROBE_TIMEOUT_MS);
    socket.once('connect', () => done('live'));
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code === 'ECONNREFUSED' ? 'stale' : (err.code ?? err.message)));
  });
}

/** Sets the socket file's mode and (optionally) group. */
export async function applySocketPermissions(path: string, mode: number, group: string | number | undefined): Promise<void> {
  const fail = (what: string) => (err: NodeJS.ErrnoException) => {
    throw new SocketFileError(path, `cannot set the ${what} of ${path}: ${err.code ?? err.message}`);
  };
  await chmod(path, mode).catch(fail(`mode ${mode.toString(8).padStart(4, '0')}`));
  if (group === undefined) return;
  const gid = typeof group === 'number' ? group : await resolveGroupId(group);
  // uid −1 leaves the owner as it is (chown(2)).
  await chown(path, -1, gid).catch(fail(`group ${gid}`));
}

/** A group name (or decimal gid) to its gid via /etc/group; throws SocketFileError when unknown. */
export async function resolveGroupId(group: string, groupFile = '/etc/group'): Promise<number> {
  if (/^[0-9]+$/.test(group)) return Number(group);
  const text = await readFile(groupFile, 'utf8').catch(() => '');
  for (const line of text.split('\n')) {
    // name:password:gid:members
    const [name, , gid] = line.split(':');
    if (name === group && gid !== undefined && /^[0-9]+$/.test(gid)) return Number(gid);
  }
  throw new SocketFileError(groupFile, `unknown group '${group}' (not in ${groupFile})`);
}
