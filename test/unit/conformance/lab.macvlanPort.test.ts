import { describe, expect, it } from 'vitest';
import { fanOutRuleset } from '../../../conformance/lab/macvlanPort.js';

describe('the macvlan fan-out of one grandmaster port', () => {
  const syntonic = { mac: '02:00:00:00:00:01', identity: '020000fffe000001' };
  const reference = { mac: '02:00:00:00:00:02', identity: '020000fffe000002' };
  const rules = fanOutRuleset('fan0', { syntonic, reference })
    .split('\n')
    .map((l) => l.trim());
  // messageType nibble 3 (Pdelay_Resp) or 0xA (Pdelay_Resp_Follow_Up); requestingPortIdentity at PTP octet 44.
  const answers = 'ether type 0x88f7 @ll,116,4 { 0x3, 0xa }';

  it("addresses the grandmaster's answers to the slave that asked, so that macvlan hands them to it alone", () => {
    expect(rules).toContain('type filter hook ingress device "fan0" priority 0; policy accept;');
    expect(rules).toContain(`${answers} @ll,464,64 0x020000fffe000001 ether daddr set 02:00:00:00:00:01`);
    expect(rules).toContain(`${answers} @ll,464,64 0x020000fffe000002 ether daddr set 02:00:00:00:00:02`);
  });

  it("hides Syntonic's answers from the grandmaster by their EtherType (the veth still sends and stamps them), and drops nothing", () => {
    expect(rules).toContain('type filter hook egress device "fan0" priority 0; policy accept;');
    expect(rules).toContain(`ether saddr 02:00:00:00:00:01 ${answers} ether type set 0x88b5`);
    expect(rules.filter((l) => /\bdrop\b/.test(l))).toEqual([]);
  });

  it('with a control (a second ptp4l): answers its requests to it alone and hides its answers from the grandmaster too, so the grandmaster hears one responder', () => {
    const control = { mac: '02:00:00:00:00:03', identity: '020000fffe000003' };
    const withControl = fanOutRuleset('fan0', { syntonic, reference, control })
      .split('\n')
      .map((l) => l.trim());
    expect(withControl).toContain(`${answers} @ll,464,64 0x020000fffe000003 ether daddr set 02:00:00:00:00:03`);
    expect(withControl).toContain(`ether saddr { 02:00:00:00:00:01, 02:00:00:00:00:03 } ${answers} ether type set 0x88b5`);
    // The reference's answers stay: it is the one responder the grandmaster measures.
    expect(withControl.filter((l) => l.includes('ether saddr') && l.includes('02:00:00:00:00:02'))).toEqual([]);
  });
});
