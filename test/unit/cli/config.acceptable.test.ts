/** acceptable_grandmasters / acceptable_masters in the .cfg and on the command line. */
import { describe, expect, it } from 'vitest';
import { loadDaemonConfig } from '../../../src/cli/config/daemonConfig.js';
import type { CommandLineOverrides } from '../../../src/cli/config/commandLine.js';

const load = (lines: string[], overrides: Partial<CommandLineOverrides> = {}): ReturnType<typeof loadDaemonConfig> =>
  loadDaemonConfig({ file: 'acc.cfg', text: lines.join('\n'), interfaceName: 'eth0', overrides });

const problems = (lines: string[], overrides: Partial<CommandLineOverrides> = {}): readonly string[] => {
  try {
    load(lines, overrides);
  } catch (err) {
    return (err as { problems: readonly string[] }).problems;
  }
  return [];
};

describe('acceptable lists in the configuration', () => {
  it('reads clock identities in [global] and port identities for the interface, in ptp4l/pmc form', () => {
    const { config, warnings } = load([
      '[global]',
      'acceptable_grandmasters 001122.fffe.334455  0A0B0C.FFFE.0D0E0F',
      '[eth0]',
      'acceptable_masters 001122.fffe.334455-1',
      '[eth1]',
      'acceptable_masters 001122.fffe.334455-2',
    ]);
    expect(config.port.acceptableGrandmasters).toEqual([0x001122fffe334455n, 0x0a0b0cfffe0d0e0fn]);
    expect(config.port.acceptableMasters).toEqual([{ clockIdentity: 0x001122fffe334455n, portNumber: 1 }]);
    expect(warnings).toEqual([]);
  });

  it('without the options, or with empty flags, any master is acceptable', () => {
    expect(load(['[global]', 'domainNumber 0']).config.port.acceptableGrandmasters).toBeUndefined();
    const cleared = load(['[global]', 'acceptable_grandmasters 001122.fffe.334455'], { acceptableGrandmasters: '' });
    expect(cleared.config.port.acceptableGrandmasters).toBeUndefined();
  });

  it('flags replace the file and take commas', () => {
    const { config } = load(['[global]', 'acceptable_grandmasters 001122.fffe.334455'], {
      acceptableGrandmasters: '0a0b0c.fffe.0d0e0f,aabbcc.fffe.ddeeff',
      acceptableMasters: '0a0b0c.fffe.0d0e0f-1',
    });
    expect(config.port.acceptableGrandmasters).toEqual([0x0a0b0cfffe0d0e0fn, 0xaabbccfffeddeeffn]);
    expect(config.port.acceptableMasters).toEqual([{ clockIdentity: 0x0a0b0cfffe0d0e0fn, portNumber: 1 }]);
  });

  it('a bad identity is refused naming file, line, option and the token', () => {
    expect(problems(['[global]', 'acceptable_grandmasters 001122.fffe.334455 001122.fffe.3344'])).toEqual([
      "acc.cfg:2: acceptable_grandmasters: '001122.fffe.3344' is not a clock identity such as 001122.fffe.334455: expected clock identities such as 001122.fffe.334455, separated by blanks",
    ]);
    expect(problems(['[eth0]', 'acceptable_masters 001122.fffe.334455'])).toEqual([
      "acc.cfg:2: acceptable_masters: '001122.fffe.334455' is not a port identity such as 001122.fffe.334455-1: expected port identities such as 001122.fffe.334455-1, separated by blanks",
    ]);
    expect(problems(['[eth0]', 'acceptable_masters 001122.fffe.334455-65535'])[0]).toMatch(
      /^acc\.cfg:2: acceptable_masters: '001122\.fffe\.334455-65535': portNumber must be from 1 to 65534/,
    );
    expect(problems(['[eth0]', 'acceptable_grandmasters 001122.fffe.334455'])[0]).toMatch(/^acc\.cfg:2: option acceptable_grandmasters belongs in \[global\]/);
    expect(problems([], { acceptableMasters: 'x' })).toEqual(["--acceptable-masters: 'x' is not a port identity such as 001122.fffe.334455-1"]);
    expect(problems([], { acceptableGrandmasters: '1-2' })).toEqual(["--acceptable-grandmasters: '1-2' is not a clock identity such as 001122.fffe.334455"]);
  });

  it('automotive profile: acceptable_grandmasters has no effect (no Announce), and a warning says to pin the master', () => {
    const { warnings } = load(['[global]', 'acceptable_grandmasters 001122.fffe.334455'], { profile: 'automotive' });
    expect(warnings).toEqual([
      'acc.cfg:2: acceptable_grandmasters has no effect in the automotive profile: no Announce names the grandmaster; pin the master with acceptable_masters',
    ]);
    expect(load(['[eth0]', 'acceptable_masters 001122.fffe.334455-1'], { profile: 'automotive' }).warnings).toEqual([]);
  });
});
