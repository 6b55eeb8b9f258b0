/**
 * How opening a packet port fails, through the real kernel: each refusal carries the errno name as
 * `code` and a sentence that says what to do.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PacketSocket, PacketSocketOptionError } from '../../../src/io/packetSocket.js';
import { LineChild, type ChildOptions } from '../../support/nativeChildProcess.js';
import { compileForChild, type ChildTree } from '../../support/nativeChildTree.js';
import { createVethPair, removeVethPair, vethPairNames, type VethPair } from '../../support/packetSocketNetns.js';
import { needs } from '../../support/peers.js';

interface OpenOutcome {
  ok: boolean;
  code?: string;
  errno?: number;
  syscall?: string;
  message?: string;
  mode?: string;
  up?: boolean;
  phcIndex?: number | null;
}

interface SendOutcome {
  sent: boolean;
  code?: string;
  message?: string;
}

const gate = needs('PacketSocket.open refusals on veth', 'netns', 'setpriv');

describe.skipIf(gate.skip)('PacketSocket.open refusals', () => {
  let tree: ChildTree | undefined;
  let upPair: VethPair = vethPairNames('e');
  let downPair: VethPair = vethPairNames('d');

  beforeAll(async () => {
    tree = compileForChild(['test/support/packetSocketPeer.ts']);
    upPair = await createVethPair('e');
    downPair = await createVethPair('d', false);
  });

  afterAll(() => {
    removeVethPair(upPair);
    removeVethPair(downPair);
    tree?.remove();
  });

  async function openInChild(ifname: string, mode: string, options: ChildOptions): Promise<{ open: OpenOutcome; send?: SendOutcome }> {
    if (tree === undefined) throw new Error('child tree not compiled');
    const child = new LineChild(tree.script('test/support/packetSocketPeer.ts'), ['open', ifname, mode], options);
    try {
      const open = await child.nextJson<OpenOutcome>();
      const send = open.ok ? await child.nextJson<SendOutcome>() : undefined;
      return send === undefined ? { open } : { open, send };
    } finally {
      child.kill();
    }
  }

  it('names a missing interface (ENODEV)', () => {
    expect(() => PacketSocket.open({ interface: 'syn-nope0' })).toThrow(
      expect.objectContaining({ code: 'ENODEV', errno: -19, message: expect.stringContaining('no network interface named "syn-nope0"') }),
    );
  });

  it('rejects bad options naming the field', () => {
    const fieldOf = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (e) {
        return e instanceof PacketSocketOptionError ? e.field : `not an option error: ${String(e)}`;
      }
      return undefined;
    };
    expect(fieldOf(() => PacketSocket.open({ interface: '' }))).toBe('interface');
    expect(fieldOf(() => PacketSocket.open({ interface: 'a-name-of-16-oct' }))).toBe('interface');
    expect(fieldOf(() => PacketSocket.open({ interface: 'lo', timestamping: 'fast' as 'auto' }))).toBe('timestamping');
    expect(fieldOf(() => PacketSocket.open({ interface: 'lo', txTimestampTimeoutMs: 0 }))).toBe('txTimestampTimeoutMs');
  });

  it('says CAP_NET_RAW is missing when it is dropped (EPERM)', async () => {
    const { open } = await openInChild(upPair.interfaceA, 'software', {
      netns: upPair.namespaceA,
      setpriv: ['--inh-caps=-net_raw', '--bounding-set=-net_raw'],
    });
    expect(open).toMatchObject({ ok: false, code: 'EPERM', syscall: 'socket' });
    expect(open.message).toContain('needs CAP_NET_RAW (run as root or setcap cap_net_raw+ep');
  });

  it('refuses hardware timestamping on veth, saying what it offers', async () => {
    const { open } = await openInChild(upPair.interfaceA, 'hardware', { netns: upPair.namespaceA });
    expect(open).toMatchObject({ ok: false, code: 'EOPNOTSUPP' });
    expect(open.message).toBe(
      `"${upPair.interfaceA}" offers no hardware timestamping (it offers: software-transmit, software-receive, ` +
        'software-system-clock; PTP Hardware Clock: none); use --timestamping software',
    );
  });

  it('settles for software timestamping on veth when asked for auto', async () => {
    const { open, send } = await openInChild(upPair.interfaceA, 'auto', { netns: upPair.namespaceA });
    expect(open).toEqual({ ok: true, mode: 'software', up: true, phcIndex: null });
    expect(send).toEqual({ sent: true });
  });

  it('opens on a down interface (as ptp4l does) but refuses to send on it (ENETDOWN)', async () => {
    const { open, send } = await openInChild(downPair.interfaceA, 'software', { netns: downPair.namespaceA });
    expect(open).toEqual({ ok: true, mode: 'software', up: false, phcIndex: null });
    expect(send).toEqual({ sent: false, code: 'ENETDOWN', message: `cannot send on "${downPair.interfaceA}": the interface is down` });
  });
});
