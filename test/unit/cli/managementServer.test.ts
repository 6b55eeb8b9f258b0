/**
 * The daemon's management socket around the responder: answers go back to the sender's path, a
 * failure to build the data sets is logged and counted and never escapes, and a subscriber whose
 * socket has gone is forgotten.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ManagementServer } from '../../../src/cli/daemon/managementServer.js';
import { UnixDatagramSocket } from '../../../src/io/unixDatagramSocket.js';
import { ManagementAction, ManagementId, NotifyEvent } from '../../../src/protocol/management.js';
import type { ManagementDataSets } from '../../../src/protocol/managementDataSets.js';
import { STATION, parseReply, request, sampleDataSets } from '../../support/management.js';
import { tempDir } from '../../support/providerFixtures.js';

const tmp = tempDir('syntonic-mgmt-server-');
afterAll(() => tmp.remove());

async function until(check: () => boolean, timeoutMs = 2_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) return;
    await new Promise((wake) => setTimeout(wake, 5));
  }
}

function serve(name: string, dataSets: () => ManagementDataSets, warnings: string[]): ManagementServer {
  return ManagementServer.start({
    path: join(tmp.dir, name),
    clockIdentity: STATION,
    portNumber: 1,
    majorSdoId: 1,
    domainNumber: 0,
    dataSets,
    warn: (m) => warnings.push(m),
  });
}

describe('ManagementServer', () => {
  it('logs and counts a data set failure instead of throwing, and answers again once it is over', async () => {
    const warnings: string[] = [];
    let broken = true;
    const server = serve(
      'broken.sock',
      () => {
        if (broken) throw new Error('snapshot not ready');
        return sampleDataSets();
      },
      warnings,
    );
    const inbox: Buffer[] = [];
    const client = UnixDatagramSocket.bind(join(tmp.dir, 'client-a'), { message: (d) => inbox.push(d), error: () => undefined });
    try {
      client.sendTo(request({ id: ManagementId.TIME_STATUS_NP }), join(tmp.dir, 'broken.sock'));
      await until(() => warnings.length > 0);
      expect(warnings).toEqual([`management socket: request from ${client.path} failed: snapshot not ready`]);
      expect(server.answers()['internalError']).toBe(1);
      broken = false;
      client.sendTo(request({ id: ManagementId.TIME_STATUS_NP, sequenceId: 2 }), join(tmp.dir, 'broken.sock'));
      await until(() => inbox.length > 0);
      expect(inbox.map((b) => parseReply(b).message.header.sequenceId)).toEqual([2]);
    } finally {
      client.close();
      server.close();
    }
  });

  it('forgets a subscriber whose socket is gone, without a warning', async () => {
    const warnings: string[] = [];
    const server = serve('sub.sock', () => sampleDataSets(), warnings);
    const inbox: Buffer[] = [];
    const client = UnixDatagramSocket.bind(join(tmp.dir, 'client-b'), { message: (d) => inbox.push(d), error: () => undefined });
    const data = new Uint8Array(66);
    new DataView(data.buffer).setUint16(0, 60);
    data[2] = 1 << NotifyEvent.TIME_SYNC;
    client.sendTo(request({ action: ManagementAction.SET, id: ManagementId.SUBSCRIBE_EVENTS_NP, data }), join(tmp.dir, 'sub.sock'));
    await until(() => inbox.length === 1);
    server.timeSynchronized();
    await until(() => inbox.length === 2);
    expect(parseReply(inbox[1] as Buffer).managementId).toBe(ManagementId.TIME_STATUS_NP);
    client.close();
    server.timeSynchronized();
    server.timeSynchronized();
    expect(server.answers()['sendFailed']).toBe(1);
    expect(warnings).toEqual([]);
    server.close();
  });
});
