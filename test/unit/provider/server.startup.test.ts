/**
 * The provider between bind and ready: the socket accepts connections as soon as it is bound, but the
 * provider only exists once the file's mode and group are set. A client that connects in that window
 * (a TimeBaseClient reconnecting every 100 ms while the daemon restarts) must not be left on a socket
 * nobody reads: such a socket never ends, and close() would wait for it forever.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Server, Socket } from 'node:net';
import { join } from 'node:path';
import { sampleSnapshot, tempDir } from '../../support/providerFixtures.js';

const hooks = vi.hoisted(() => ({
  servers: [] as Server[],
  /** Runs where applySocketPermissions would: after bind, before the provider exists. */
  beforePermissions: undefined as ((path: string) => Promise<void>) | undefined,
}));

vi.mock('node:net', async (importOriginal) => {
  const net = await importOriginal<typeof import('node:net')>();
  const createServer = (...args: Parameters<typeof net.createServer>): Server => {
    const server = net.createServer(...args);
    hooks.servers.push(server);
    return server;
  };
  return { ...net, default: { ...net, createServer }, createServer };
});

vi.mock('../../../src/provider/socketFile.js', async (importOriginal) => {
  const socketFile = await importOriginal<typeof import('../../../src/provider/socketFile.js')>();
  return {
    ...socketFile,
    applySocketPermissions: async (...args: Parameters<typeof socketFile.applySocketPermissions>): Promise<void> => {
      await hooks.beforePermissions?.(args[0]);
      await socketFile.applySocketPermissions(...args);
    },
  };
});

const { connect } = await import('node:net');
const { TimeBaseProvider } = await import('../../../src/provider/server.js');

let tmp: { dir: string; remove: () => void };
const sockets: Socket[] = [];

beforeEach(() => {
  tmp = tempDir('syn-provider-startup-');
  hooks.servers.length = 0;
});

afterEach(() => {
  hooks.beforePermissions = undefined;
  for (const s of sockets.splice(0)) s.destroy();
  for (const s of hooks.servers) s.close();
  tmp.remove();
});

/** Connects to `path` and sends a subscribe request; resolves once the server has accepted it. */
function connectEarly(server: Server, path: string): Promise<{ closed: Promise<void> }> {
  return new Promise((resolve) => {
    const socket = connect(path);
    sockets.push(socket);
    socket.on('error', () => undefined);
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.write('{"op":"subscribe","id":1}\n');
    server.once('connection', () => resolve({ closed }));
  });
}

function serverConnections(server: Server): Promise<number> {
  return new Promise((resolve, reject) => server.getConnections((err, n) => (err ? reject(err) : resolve(n))));
}

describe('TimeBaseProvider start-up', () => {
  it('leaves no connection accepted before it was ready unserved, so that close() completes', async () => {
    const path = join(tmp.dir, 'syntonic.sock');
    let early: { closed: Promise<void> } | undefined;
    hooks.beforePermissions = async (p) => {
      early = await connectEarly(hooks.servers[0]!, p);
    };
    const provider = await TimeBaseProvider.listen(sampleSnapshot(), { socketPath: path });
    expect(early).toBeDefined();
    // Every connection the listening socket holds is one the provider serves (and will close).
    expect(await serverConnections(hooks.servers[0]!)).toBe(provider.stats().clientsConnected);
    await provider.close();
    await early!.closed;
    expect(await serverConnections(hooks.servers[0]!)).toBe(0);
  });
});
