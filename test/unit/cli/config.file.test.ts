import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../src/cli/config/configFile.js';
import { closestName, editDistance } from '../../../src/cli/config/suggest.js';

describe('linuxptp .cfg syntax', () => {
  it('keeps each setting with its section, file and line; skips comments and blank lines', () => {
    const text = ['# a comment', '', '[global]', '  priority1\t\t248', '   # indented comment', '[eth0]', 'logSyncInterval -3'].join('\n');
    const parsed = parseConfigText(text, 'x.cfg');
    expect(parsed.problems).toEqual([]);
    expect(parsed.entries).toEqual([
      { section: { kind: 'global' }, option: 'priority1', value: '248', at: { file: 'x.cfg', line: 4 } },
      { section: { kind: 'port', interfaceName: 'eth0' }, option: 'logSyncInterval', value: '-3', at: { file: 'x.cfg', line: 7 } },
    ]);
  });

  it('takes the whole rest of the line as the value, inner blanks and any # included', () => {
    const parsed = parseConfigText('[global]\nuserDescription  rack 4, slot 2  \nslaveOnly 1 # never master\r\n', 'x.cfg');
    expect(parsed.entries.map((e) => e.value)).toEqual(['rack 4, slot 2', '1 # never master']);
  });

  it('reads [GLOBAL] and [ eth0 ] as ptp4l does (case-insensitive keyword, blanks inside brackets)', () => {
    const parsed = parseConfigText('[GLOBAL]\na 1\n[ eth0 ]\nb 2\n', 'x.cfg');
    expect(parsed.entries.map((e) => e.section)).toEqual([{ kind: 'global' }, { kind: 'port', interfaceName: 'eth0' }]);
  });

  it('reports an option without a value, naming file and line', () => {
    expect(parseConfigText('[global]\n\nslaveOnly   \n', 'x.cfg').problems).toEqual([
      "x.cfg:3: option 'slaveOnly' has no value: write 'option value' on one line",
    ]);
  });

  it('reports settings before any section', () => {
    expect(parseConfigText('# header\npriority1 248\n[global]\n', 'x.cfg').problems).toEqual([
      "x.cfg:2: 'priority1 248' is not in a section: put options under [global] or [INTERFACE]",
    ]);
  });

  it('reports section headers that are no section kind, and skips their lines instead of cascading', () => {
    const text = ['[global] # main', 'a 1', '[eth0:1]', 'b 2', '[two words]', '[averyveryverylongname]', '[global]', 'c 3'].join('\n');
    const parsed = parseConfigText(text, 'x.cfg');
    expect(parsed.problems).toHaveLength(4);
    expect(parsed.problems[0]).toBe(
      "x.cfg:1: malformed section header '[global] # main': expected [global], [unicast_master_table] or [INTERFACE] (ptp4l has no inline comments: put the comment on a line of its own)",
    );
    expect(parsed.problems[1]).toMatch(/^x\.cfg:3: unknown section '\[eth0:1\]': 'eth0:1' is no network interface name/);
    expect(parsed.problems[2]).toMatch(/^x\.cfg:5: malformed section header '\[two words\]'/);
    // 21 characters: more than Linux's 15.
    expect(parsed.problems[3]).toMatch(/^x\.cfg:6: unknown section/);
    expect(parsed.entries.map((e) => e.option)).toEqual(['c']);
  });

  it('knows [unicast_master_table] but does not support it: a warning, and its lines are not options', () => {
    const parsed = parseConfigText('[unicast_master_table]\ntable_id 1\nUDPv4 192.0.2.1\n[global]\nslaveOnly 1\n', 'x.cfg');
    expect(parsed.problems).toEqual([]);
    expect(parsed.warnings).toEqual([expect.stringMatching(/^x\.cfg:1: \[unicast_master_table\] is a ptp4l section syntonic knows but does not support/)]);
    expect(parsed.entries.map((e) => e.option)).toEqual(['slaveOnly']);
  });
});

describe('did-you-mean suggestions', () => {
  it('counts insertions, deletions, substitutions and adjacent transpositions', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('delay_mechansim', 'delay_mechanism')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('suggests the closest name within a third of its length, ignoring case', () => {
    const names = ['neighborPropDelayThresh', 'domainNumber', 'priority1', 'priority2'];
    // British spelling: one inserted 'u'.
    expect(closestName('neighbourPropDelayThresh', names)).toBe('neighborPropDelayThresh');
    expect(closestName('domainnumber', names)).toBe('domainNumber');
    expect(closestName('frobnicate', names)).toBeUndefined();
  });
});
