import { describe, expect, it } from 'vitest';
import { clockIdentityHexFromMac, sharedPortRuleset } from '../../../conformance/lab/sharedPortHub.js';

describe('the shared-port hub', () => {
  it('derives a clock identity from a MAC address as both stacks do (EUI-48 → EUI-64 with ff:fe)', () => {
    expect(clockIdentityHexFromMac('02:AA:bb:00:00:01')).toBe('02aabbfffe000001');
    expect(() => clockIdentityHexFromMac('02:aa:bb:00:00')).toThrow(/not a MAC address/);
  });

  it("keeps each slave's peer delay point-to-point: no slave-to-slave frames, no Syntonic answers to the grandmaster, only one's own answers", () => {
    const rules = sharedPortRuleset({ gmPort: 'g', synPort: 's', refPort: 'r' }, { syntonic: '0000000000000001', reference: '0000000000000002' })
      .split('\n')
      .map((l) => l.trim());
    expect(rules).toContain('iifname "s" oifname "r" drop');
    expect(rules).toContain('iifname "r" oifname "s" drop');
    // messageType nibble 3 (Pdelay_Resp) or 0xA (Pdelay_Resp_Follow_Up); requestingPortIdentity at PTP octet 44.
    expect(rules).toContain('ether type 0x88f7 iifname "s" oifname "g" @ll,116,4 { 0x3, 0xa } drop');
    expect(rules).toContain('ether type 0x88f7 oifname "s" @ll,116,4 { 0x3, 0xa } @ll,464,64 != 0x0000000000000001 drop');
    expect(rules).toContain('ether type 0x88f7 oifname "r" @ll,116,4 { 0x3, 0xa } @ll,464,64 != 0x0000000000000002 drop');
    // Nothing else is dropped: the grandmaster's Sync, Follow_Up and Announce reach both.
    expect(rules.filter((l) => l.endsWith('drop'))).toHaveLength(5);
  });
});
