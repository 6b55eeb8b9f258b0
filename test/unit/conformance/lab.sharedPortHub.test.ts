import { describe, expect, it } from 'vitest';
import { clockIdentityHexFromMac, sharedPortRuleset } from '../../../conformance/lab/sharedPortHub.js';

describe('the shared-port hub', () => {
  it('derives a clock identity from a MAC address as both stacks do (EUI-48 → EUI-64 with ff:fe)', () => {
    expect(clockIdentityHexFromMac('02:AA:bb:00:00:01')).toBe('02aabbfffe000001');
    expect(() => clockIdentityHexFromMac('02:aa:bb:00:00')).toThrow(/not a MAC address/);
  });

  const ruleset = (first: 'syntonic' | 'reference'): string[] =>
    sharedPortRuleset({ gmPort: 'g', synPort: 's', refPort: 'r' }, { syntonic: '0000000000000001', reference: '0000000000000002' }, first)
      .split('\n')
      .map((l) => l.trim());
  // messageType nibble 3 (Pdelay_Resp) or 0xA (Pdelay_Resp_Follow_Up); requestingPortIdentity at PTP octet 44.
  const answers = 'ether type 0x88f7 @ll,116,4 { 0x3, 0xa }';

  it("routes the grandmaster's Pdelay answers to the slave that asked, and copies everything else to both, in the order asked", () => {
    const rules = ruleset('syntonic');
    expect(rules).toContain(`${answers} @ll,464,64 0x0000000000000001 dup to "s" drop`);
    expect(rules).toContain(`${answers} @ll,464,64 0x0000000000000002 dup to "r" drop`);
    expect(rules).toContain('dup to "s" dup to "r" drop');
    expect(ruleset('reference')).toContain('dup to "r" dup to "s" drop');
  });

  it("keeps Syntonic's answers from the grandmaster and the slaves from each other: each slave's frames go to the grandmaster only", () => {
    const rules = ruleset('syntonic');
    expect(rules).toContain(`${answers} drop`);
    expect(rules.filter((l) => l.startsWith('dup to') || l.includes(' dup to '))).toEqual([
      `${answers} @ll,464,64 0x0000000000000001 dup to "s" drop`,
      `${answers} @ll,464,64 0x0000000000000002 dup to "r" drop`,
      'dup to "s" dup to "r" drop',
      'dup to "g" drop',
      'dup to "g" drop',
    ]);
    // Every chain drops what no rule copies: nothing is forwarded as it is.
    expect(rules.filter((l) => l.startsWith('type filter hook ingress')).every((l) => l.endsWith('policy drop;'))).toBe(true);
  });
});
