/**
 * `syntonic run` in its first minutes on a real link (veth between two namespaces): it says in one
 * line when the interface has no carrier, and when no gPTP peer has answered after 10 s.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildClockGuard } from '../../conformance/lab/clockGuard.js';
import { Lab, type VethLink } from '../../conformance/lab/netns.js';
import { SyntonicDaemon } from '../../conformance/lab/syntonicDaemon.js';
import { ensureCliBuilt } from '../support/builtCli.js';
import { needs } from '../support/peers.js';

const gate = needs('syntonic run: no carrier, no peer', 'netns', 'setpriv', 'gcc');

describe.skipIf(gate.skip)('syntonic run on a link where nothing answers', () => {
  const lab = new Lab();
  let guard = '';
  let link: VethLink;

  beforeAll(async () => {
    await ensureCliBuilt();
    guard = buildClockGuard(lab.tempDir('guard'));
    link = await lab.veth(lab.namespace('far'), lab.namespace('syn'));
  }, 240_000);

  afterAll(async () => {
    await lab.cleanup();
  });

  it('warns of no carrier at start, then of no gPTP peer 10 s after the link came up', async () => {
    lab.setLink(link.a, 'down');
    const syntonic = SyntonicDaemon.start(lab, guard, { namespace: link.b.namespace, interfaceName: link.b.name });
    const noCarrier = await syntonic.process.waitForLine(/no carrier/, 10_000);
    expect(noCarrier.text).toContain(
      `port 1 (${link.b.name}): no carrier: the cable is unplugged or the other end of the link is down (ip link show ${link.b.name}); waiting for a link`,
    );
    lab.setLink(link.a, 'up');
    const noPeer = await syntonic.process.waitForLine(/no gPTP frame from any peer in 10 s/, 20_000);
    expect(noPeer.text).toMatch(/start a grandmaster or gPTP bridge on it, e\.g\. ptp4l -f gPTP\.cfg -i IFACE$/);
    expect(syntonic.process.running).toBe(true);
    await syntonic.stop();
  }, 40_000);
});
