/**
 * Bad input at the edges: 10^5 configurations and command lines — random lines built from option
 * names, plausible and hostile values, section headers, comments and noise; and mutations of real
 * linuxptp and Syntonic configuration files — go through loadDaemonConfig. Nothing but a
 * ConfigError is ever thrown; every refusal and every warning names FILE:LINE (a line the input has)
 * or the flag; an accepted configuration is one the engine takes.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CommandLineOverrides } from '../../../src/cli/config/commandLine.js';
import { ConfigError } from '../../../src/cli/config/configError.js';
import { loadDaemonConfig } from '../../../src/cli/config/daemonConfig.js';
import { OPTION_NAMES } from '../../../src/cli/config/options.js';
import { validatePortConfig } from '../../../src/protocol/portConfig.js';

const FILE = 'fuzz.cfg';
const SEED = 0x0c0f_16;
const RUNS = 100_000;
const CHUNKS = 100;
const FLAG_NAMES = [
  '--profile',
  '--timestamping',
  '--clock',
  '--socket',
  '--log-level',
  '--log-format',
  '--metrics',
  '--acceptable-grandmasters',
  '--acceptable-masters',
  '--refclock-sock',
  '--time-page',
];

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
const REAL_FILES = [
  here('../../data/linuxptp-3.1.1/gPTP.cfg'),
  here('../../data/linuxptp-3.1.1/automotive-slave.cfg'),
  here('../../data/linuxptp-4.4/gPTP.cfg'),
  here('../../data/linuxptp-4.4/automotive-slave.cfg'),
  here('../../../configs/gPTP.cfg'),
  here('../../../configs/gPTP-software.cfg'),
  here('../../../configs/automotive-slave.cfg'),
].map((p) => readFileSync(p, 'utf8'));

/** Values that hit every parser's edges: C integer forms, floats, enumerations, identities, paths, noise. */
const VALUE_POOL = [
  '0',
  '1',
  '-1',
  '2',
  '3',
  '127',
  '128',
  '255',
  '256',
  '-128',
  '-129',
  '0x10',
  '0X7f',
  '010',
  '08',
  '0x',
  '+5',
  '--5',
  '2147483647',
  '2147483648',
  '-2147483648',
  '-2147483649',
  '99999999999999999999',
  '1e3',
  '0.00002',
  '2e-5',
  '.5',
  '5.',
  'inf',
  'nan',
  '-0',
  '1 # comment',
  '1#',
  'L2',
  'UDPv4',
  'P2P',
  'E2E',
  'COMMON_P2P',
  'NONE',
  'OC',
  'BC',
  'pi',
  'linreg',
  'ntpshm',
  'refclock_sock',
  'hardware',
  'software',
  'p2p1step',
  'onestep',
  'ptp',
  'noop',
  'true',
  'auto',
  'false',
  'text',
  'json',
  'phc',
  'virtual',
  'ASAP',
  'asap',
  'ieee1588',
  'moving_median',
  '01:80:C2:00:00:0E',
  '1:80:c2:0:0:e',
  '01-80-C2-00-00-0E',
  '01:80:C2:00:00',
  '001122.fffe.334455',
  '001122.fffe.334455-1',
  '001122.fffe.334455-0',
  '001122.fffe.334455-65535',
  '001122.fffe.334455-99999',
  '00:11:22:ff:fe:33:44:55',
  '001122fffe334455',
  '001122.fffe.33445',
  'zz1122.fffe.334455',
  '001122.fffe.334455 0a0b0c.fffe.0d0e0f',
  '001122.fffe.334455,0a0b0c.fffe.0d0e0f',
  '/run/syntonic/x.sock',
  'relative.sock',
  `/${'a'.repeat(120)}`,
  '/with space',
  '0660',
  '0777',
  '01000',
  'root',
  '0',
  '',
  ' ',
  '\t',
  '[',
  ']',
  '[global]',
  '\u0000',
  '\u00e9t\u00e9',
  '\ud83d\udd70',
  '%s%n',
];

const SECTION_POOL = [
  '[global]',
  '[GLOBAL]',
  '[ global ]',
  '[eth0]',
  '[lo]',
  '[unicast_master_table]',
  '[eth0 # x]',
  '[]',
  '[a/b]',
  '[0123456789abcdef]',
  '[[x]]',
  '[eth0',
  'eth0]',
];
const INTERFACES = ['eth0', 'lo', 'veth0', 'replay', 'a:b', '', 'x'.repeat(16), '../../..', 'eth0 '];

const noise = fc.string({ unit: 'binary', maxLength: 24 });
const value = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...VALUE_POOL) }, { weight: 1, arbitrary: noise });
const optionName = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.constantFrom(...OPTION_NAMES, 'clientOnly', 'serverOnly', 'pi_offset_const', 'slaveonly', '__proto__', 'constructor', 'toString'),
  },
  { weight: 1, arbitrary: noise },
);
const blank = fc.constantFrom(' ', '\t', '  ', ' \t ');
const line = fc.oneof(
  { weight: 10, arbitrary: fc.tuple(fc.constantFrom('', ' ', '\t'), optionName, blank, value).map(([lead, n, b, v]) => `${lead}${n}${b}${v}`) },
  { weight: 2, arbitrary: fc.constantFrom(...SECTION_POOL) },
  { weight: 1, arbitrary: fc.constantFrom('', '# comment', '   # indented comment', ';semicolon') },
  { weight: 1, arbitrary: optionName },
  { weight: 1, arbitrary: noise },
);
const generatedFile = fc
  .tuple(fc.boolean(), fc.array(line, { maxLength: 14 }), fc.constantFrom('\n', '\r\n'))
  .map(([global, lines, eol]) => (global ? ['[global]', ...lines] : lines).join(eol));

/** A real configuration, mutated: characters replaced, inserted or deleted, lines swapped or cut. */
const mutatedFile = fc
  .tuple(
    fc.constantFrom(...REAL_FILES),
    fc.array(fc.tuple(fc.nat(), fc.nat({ max: 4 }), fc.string({ unit: 'binary-ascii', maxLength: 6 })), { minLength: 1, maxLength: 6 }),
  )
  .map(([text, edits]) => {
    let t = text;
    for (const [at, kind, s] of edits) {
      const i = t.length === 0 ? 0 : at % t.length;
      if (kind === 0) t = t.slice(0, i) + s + t.slice(i + 1);
      else if (kind === 1) t = t.slice(0, i) + s + t.slice(i);
      else if (kind === 2) t = t.slice(0, i) + t.slice(i + s.length + 1);
      else if (kind === 3) {
        const lines = t.split('\n');
        const a = at % lines.length;
        const b = (at >> 3) % lines.length;
        [lines[a], lines[b]] = [lines[b] ?? '', lines[a] ?? ''];
        t = lines.join('\n');
      } else
        t = t
          .split('\n')
          .slice(0, at % (t.split('\n').length + 1))
          .join('\n');
    }
    return t;
  });

const FLAG_VALUES: Record<keyof CommandLineOverrides, readonly string[]> = {
  profile: ['gptp', 'automotive', 'AUTOMOTIVE', 'avnu', ''],
  timestamping: ['auto', 'hardware', 'software', 'p2p1step', 'HW'],
  clock: ['phc', 'virtual', 'system', ''],
  socketPath: ['/tmp/x.sock', '', ' ', 'rel.sock'],
  logLevel: ['0', '7', '8', 'debug', 'warn', 'loud', '-1', '__proto__', 'constructor'],
  logFormat: ['text', 'json', 'xml'],
  metrics: ['9100', ':9100', '127.0.0.1:9100', '[::1]:9100', '0', '65536', 'host:', 'a:b:c'],
  acceptableGrandmasters: ['', '001122.fffe.334455', '001122.fffe.334455,0a0b0c.fffe.0d0e0f', 'x', '001122.fffe.334455-1'],
  refclockSock: ['/var/run/refclock.ptp.sock', '', ' ', 'relative.sock'],
  timePage: ['/run/syntonic/time.page', 'none', 'NONE', '', 'relative.page'],
  acceptableMasters: ['', '001122.fffe.334455-1', '001122.fffe.334455-1 0a0b0c.fffe.0d0e0f-2', '001122.fffe.334455', '-1'],
};
const overrides = fc.record(
  Object.fromEntries(
    Object.entries(FLAG_VALUES).map(([k, pool]) => [k, fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...pool) }, { weight: 1, arbitrary: noise })]),
  ) as {
    [K in keyof CommandLineOverrides]: fc.Arbitrary<string>;
  },
  { requiredKeys: [] },
);

const input = fc.record({
  text: fc.oneof(generatedFile, mutatedFile),
  interfaceName: fc.oneof({ weight: 6, arbitrary: fc.constant('eth0') }, { weight: 1, arbitrary: fc.constantFrom(...INTERFACES) }),
  overrides: fc.oneof({ weight: 3, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: overrides }),
});

/** Where a message says it comes from: FILE:LINE (a line of the input), or a flag. */
function placed(message: string, lineCount: number): boolean {
  const m = /^fuzz\.cfg:(\d+): /.exec(message);
  if (m !== null) return Number(m[1]) >= 1 && Number(m[1]) <= lineCount;
  return FLAG_NAMES.some((f) => message.startsWith(`${f}: `)) || message.startsWith('-i: ');
}

describe('configuration fuzz', () => {
  it('10^5 generated and mutated configurations: only ConfigError, every message placed, accepted ones valid', async () => {
    let accepted = 0;
    let refused = 0;
    const property = fc.property(input, ({ text, interfaceName, overrides: o }) => {
      const lines = text.split(/\r?\n/).length;
      try {
        const { config, warnings } = loadDaemonConfig({ file: FILE, text, interfaceName, overrides: o });
        accepted += 1;
        for (const w of warnings) if (!placed(w, lines)) throw new Error(`unplaced warning: ${w}`);
        expect(validatePortConfig(config.port)).toEqual([]);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        refused += 1;
        expect(err.problems.length).toBeGreaterThan(0);
        for (const p of err.problems) if (!placed(p, lines)) throw new Error(`unplaced problem: ${JSON.stringify(p)}`);
      }
    });
    // In chunks, yielding between them, so that the test runner stays responsive.
    for (let chunk = 0; chunk < CHUNKS; chunk++) {
      fc.assert(property, { numRuns: RUNS / CHUNKS, seed: SEED + chunk });
      await new Promise((r) => setImmediate(r));
    }
    // Both outcomes are exercised in bulk, or the generator is not doing its job.
    expect(accepted).toBeGreaterThan(5_000);
    expect(refused).toBeGreaterThan(5_000);
  }, 300_000);

  it('a 1 MB garbage option name and 5,000 unknown options are refused line by line, without a suggestion for the garbage', () => {
    const garbage = 'x'.repeat(1 << 20);
    expect(() => loadDaemonConfig({ file: FILE, text: `[global]\n${garbage} 1`, interfaceName: 'eth0', overrides: {} })).toThrow(
      /^fuzz\.cfg:2: unknown option 'x{100,}' in \[global\]$/,
    );
    const many = ['[global]', ...Array.from({ length: 5_000 }, (_, i) => `domainNumbr${i % 10} 1`)].join('\n');
    let problems: readonly string[] = [];
    try {
      loadDaemonConfig({ file: FILE, text: many, interfaceName: 'eth0', overrides: {} });
    } catch (err) {
      problems = (err as ConfigError).problems;
    }
    expect(problems).toHaveLength(5_000);
    expect(problems[4_999]).toBe("fuzz.cfg:5001: unknown option 'domainNumbr9' in [global] (did you mean 'domainNumber'?)");
  }, 60_000);
});
