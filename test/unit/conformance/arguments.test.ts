import { describe, expect, it } from 'vitest';
import { parseConformanceArguments } from '../../../conformance/arguments.js';

const KNOWN = { simulations: ['hardware-steady', 'software-startup'], lab: ['steady-state', 'sync-path-step'] };

describe('npm run conformance arguments', () => {
  it('runs what is named, with the lab options', () => {
    expect(parseConformanceArguments(['lab:sync-path-step', '--runs', '5', '--order', '2', '--reference', 'linreg'], KNOWN)).toEqual({
      kind: 'run',
      only: ['lab:sync-path-step'],
      lab: { runs: 5, orders: [2], reference: 'linreg', control: false },
    });
    expect(parseConformanceArguments([], KNOWN)).toMatchObject({ kind: 'run', only: [], lab: { runs: 1, orders: [1, 2], reference: 'pi' } });
  });

  it('puts a second ptp4l servo slave beside the reference on --control, and refuses it where the reference has no servo', () => {
    expect(parseConformanceArguments(['lab:steady-state', '--control'], KNOWN)).toMatchObject({ kind: 'run', lab: { reference: 'pi', control: true } });
    expect(parseConformanceArguments(['lab', '--control', '--reference', 'free-running'], KNOWN)).toMatchObject({
      kind: 'error',
      problem: expect.stringMatching(/^--control: .*free-running has no servo/),
    });
  });

  it('starts the reference later on --reference-delay-ms, and refuses it without a servo reference or with no delay', () => {
    expect(parseConformanceArguments(['lab:steady-state', '--reference-delay-ms', '380'], KNOWN)).toMatchObject({
      kind: 'run',
      lab: { referenceDelayMs: 380 },
    });
    expect(parseConformanceArguments(['lab:steady-state'], KNOWN)).not.toHaveProperty('lab.referenceDelayMs');
    expect(parseConformanceArguments(['lab', '--reference-delay-ms', '380', '--reference', 'free-running'], KNOWN)).toMatchObject({
      kind: 'error',
      problem: expect.stringMatching(/^--reference-delay-ms: .*free-running/),
    });
    expect(parseConformanceArguments(['lab', '--reference-delay-ms', '0'], KNOWN)).toMatchObject({
      kind: 'error',
      problem: "--reference-delay-ms: '0' is not a positive number",
    });
  });

  it('refuses a scenario name that selects nothing, naming it, rather than running nothing', () => {
    const parsed = parseConformanceArguments(['sim', 'lab:steady-sate', 'hardware'], KNOWN);
    expect(parsed).toMatchObject({ kind: 'error', problem: "unknown 'lab:steady-sate', 'hardware': not an option, a simulation or a lab scenario" });
  });

  it('refuses a misspelt option and a bad value, naming the option', () => {
    expect(parseConformanceArguments(['lab', '--run', '5'], KNOWN)).toMatchObject({ kind: 'error', problem: expect.stringContaining("'--run'") });
    expect(parseConformanceArguments(['lab', '--order', '3'], KNOWN)).toMatchObject({ kind: 'error', problem: "--order: '3' is not 1, 2 or both" });
  });

  it('answers --help with a usage that lists every scenario', () => {
    const parsed = parseConformanceArguments(['lab:steady-state', '--help'], KNOWN);
    expect(parsed.kind).toBe('help');
    expect(parsed.kind === 'help' && parsed.usage).toMatch(/hardware-steady, software-startup[\s\S]*lab:steady-state, lab:sync-path-step/);
  });
});
