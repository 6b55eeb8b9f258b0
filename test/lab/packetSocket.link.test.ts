/**
 * The interface going down and up under an open port (real kernel, veth in namespaces): the port says
 * so once ('linkDown', ENETDOWN), does not spin on the pending socket error, and receives again once
 * the link is back.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LineChild } from '../support/nativeChildProcess.js';
import { compileForChild, type ChildTree } from '../support/nativeChildTree.js';
import { createVethPair, removeVethPair, vethPairNames, waitForCarrier, type VethPair } from '../support/packetSocketNetns.js';
import { needs } from '../support/peers.js';

const gate = needs('PacketSocket across a link flap', 'netns');

describe.skipIf(gate.skip)('PacketSocket across a link flap', () => {
  let tree: ChildTree | undefined;
  let pair: VethPair = vethPairNames('l');
  const children: LineChild[] = [];

  beforeAll(async () => {
    tree = compileForChild(['test/support/packetSocketPeer.ts']);
    pair = await createVethPair('l');
  });

  afterAll(() => {
    for (const child of children) child.kill();
    removeVethPair(pair);
    tree?.remove();
  });

  it('reports linkDown once, stays quiet, and receives again after the link comes back', async () => {
    if (tree === undefined) throw new Error('child tree not compiled');
    const script = tree.script('test/support/packetSocketPeer.ts');
    const watcher = new LineChild(script, ['watch', pair.interfaceA], { netns: pair.namespaceA });
    children.push(watcher);
    expect(await watcher.nextJson()).toEqual({ ready: true });

    execFileSync('ip', ['-n', pair.namespaceA, 'link', 'set', pair.interfaceA, 'down']);
    expect(await watcher.nextJson()).toEqual({ linkDown: 'ENETDOWN' });

    execFileSync('ip', ['-n', pair.namespaceA, 'link', 'set', pair.interfaceA, 'up']);
    await waitForCarrier(pair.namespaceA, pair.interfaceA);
    const sender = new LineChild(script, ['open', pair.interfaceB, 'software'], { netns: pair.namespaceB });
    children.push(sender);
    expect(await sender.nextJson()).toMatchObject({ ok: true });
    expect(await sender.nextJson()).toEqual({ sent: true });
    expect(await watcher.nextJson()).toEqual({ frame: 0, source: 'software' });

    watcher.send('stop');
    const counters = await watcher.nextJson<{ framesReceived: number; pollWakeups: number }>();
    expect(counters.framesReceived).toBe(1);
    // One wake-up for the error, one for the frame; a pending error left unread would spin thousands.
    expect(counters.pollWakeups).toBeLessThanOrEqual(4);
  });
});
