/**
 * The packet port on a real (virtual) wire: two network namespaces joined by a veth pair, one Node
 * process in each, software timestamps. All namespaces share CLOCK_REALTIME, so a TX timestamp taken
 * in one process and the RX timestamp of the same frame in the other are on one clock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LineChild } from '../support/nativeChildProcess.js';
import { compileForChild, type ChildTree } from '../support/nativeChildTree.js';
import { createVethPair, removeVethPair, vethPairNames, type VethPair } from '../support/packetSocketNetns.js';
import type { PeerReport } from '../support/packetSocketPeer.js';
import { needs } from '../support/peers.js';

const EVENT_FRAMES = 200;
const GENERAL_EVERY = 10; // one general frame after every 10th event frame: 20 in all
const INTERVAL_MS = 1;
const PDELAY_REQ = 0x2;
const PDELAY_RESP = 0x3;
const GENERAL = 0xa;
/** A software-timestamped veth hop takes ~1–2 µs (LAB-NOTES); 10 ms means something is broken. */
const MAX_ONE_WAY_NS = 10_000_000n;

const gate = needs('PacketSocket over veth', 'netns');

describe.skipIf(gate.skip)('PacketSocket over a veth pair between two namespaces', () => {
  let pair: VethPair = vethPairNames('v');
  let tree: ChildTree | undefined;
  const children: LineChild[] = [];
  let initiator: PeerReport;
  let echo: PeerReport;

  beforeAll(async () => {
    tree = compileForChild(['test/support/packetSocketPeer.ts']);
    pair = await createVethPair('v');
    const script = tree.script('test/support/packetSocketPeer.ts');
    const echoChild = new LineChild(script, ['echo', pair.interfaceB], { netns: pair.namespaceB });
    const initiatorChild = new LineChild(script, ['initiator', pair.interfaceA], { netns: pair.namespaceA });
    children.push(echoChild, initiatorChild);
    expect(await echoChild.nextJson()).toEqual({ ready: true });
    expect(await initiatorChild.nextJson()).toEqual({ ready: true });
    initiatorChild.send(`run ${EVENT_FRAMES} ${INTERVAL_MS} ${GENERAL_EVERY}`);
    initiator = await initiatorChild.nextJson<PeerReport>(30_000);
    echoChild.send('stop');
    echo = await echoChild.nextJson<PeerReport>();
  });

  afterAll(() => {
    for (const child of children) child.kill();
    removeVethPair(pair);
    tree?.remove();
  });

  it('delivers every frame the initiator sent, each with a software RX timestamp', () => {
    const requests = echo.received.filter((r) => r.messageType === PDELAY_REQ);
    const general = echo.received.filter((r) => r.messageType === GENERAL);
    expect(requests.map((r) => r.sequenceId)).toEqual([...Array(EVENT_FRAMES).keys()]);
    expect(general).toHaveLength(EVENT_FRAMES / GENERAL_EVERY);
    for (const r of echo.received) {
      expect(r.source).toBe('software');
      expect(r.timestampNs).toMatch(/^\d+$/);
    }
  });

  it('answers every request and the initiator receives every answer with an RX timestamp', () => {
    const answers = initiator.received.filter((r) => r.messageType === PDELAY_RESP);
    expect(answers.map((r) => r.sequenceId)).toEqual([...Array(EVENT_FRAMES).keys()]);
    expect(answers.every((r) => r.source === 'software' && r.timestampNs !== undefined)).toBe(true);
  });

  it('gives exactly one TX timestamp per event send, tied to its send id, and none for general frames', () => {
    for (const side of [initiator, echo]) {
      const eventIds = side.sent.filter((s) => s.event).map((s) => s.id);
      const stampedIds = side.txTimestamps.map((t) => t.id);
      expect(stampedIds.slice().sort((a, b) => a - b)).toEqual(eventIds);
      expect(side.txTimeouts).toEqual([]);
      expect(side.txTimestamps.every((t) => t.source === 'software')).toBe(true);
    }
    expect(initiator.sent.filter((s) => !s.event)).toHaveLength(EVENT_FRAMES / GENERAL_EVERY);
  });

  it('stamps each frame on egress before its ingress on the far side, within 10 ms', () => {
    const oneWay = (from: PeerReport, to: PeerReport, messageType: number): bigint[] => {
      const txById = new Map(from.txTimestamps.map((t) => [t.id, BigInt(t.timestampNs)]));
      const rxBySeq = new Map(to.received.filter((r) => r.messageType === messageType).map((r) => [r.sequenceId, BigInt(r.timestampNs ?? '0')]));
      return from.sent
        .filter((s) => s.messageType === messageType)
        .map((s) => {
          const tx = txById.get(s.id);
          const rx = rxBySeq.get(s.sequenceId);
          if (tx === undefined || rx === undefined) throw new Error(`sequenceId ${s.sequenceId}: missing timestamp`);
          return rx - tx;
        });
    };
    const delays = [...oneWay(initiator, echo, PDELAY_REQ), ...oneWay(echo, initiator, PDELAY_RESP)];
    expect(delays).toHaveLength(2 * EVENT_FRAMES);
    for (const d of delays) {
      expect(d).toBeGreaterThan(0n);
      expect(d).toBeLessThan(MAX_ONE_WAY_NS);
    }
  });
});
