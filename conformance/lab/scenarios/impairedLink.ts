/**
 * Links through the userland relay (conformance/relay/): added delay and jitter, a path asymmetry
 * (uncorrected, then corrected with delayAsymmetry), and frame loss. The reference ptp4l slave sits
 * behind a relay with the same impairment (another seed), so both see the same kind of link.
 * The relay counts each delay from the frame's kernel receive timestamp and spins the last 300 µs, so
 * its delays are good to some µs while its wake-up (~70 µs, spikes of ms on these VMs) stays below the
 * delay, hence 2 ms: the figures show what the impairment does, not sub-µs accuracy. The relay's own
 * lateness statistics come with each result.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { Impairment } from '../../relay/relay.js';
import { withGlobalOptions } from '../ptp4l.js';
import { LAB_CONFIGS } from '../syntonicDaemon.js';
import type { LabScenario, LabScenarioOptions } from './labScenario.js';
import { steadyStretch, withStar } from './labScenario.js';

/** Longer than the VM's wake-up spikes (ms), which the relay absorbs only while they stay below the delay. */
const DELAY_NS = 2_000_000;
const JITTER_NS = 100_000;
const ASYMMETRY_NS = 50_000;
const LOSS = 0.05;

function impaired(
  name: string,
  description: string,
  impairment: Impairment,
  syntonicOptions: Readonly<Record<string, number>> = {},
  windowS = 30,
): LabScenario {
  const scenario: LabScenario = {
    name,
    description,
    run: async (options: LabScenarioOptions) => {
      // A config of Syntonic's own for this run (e.g. with delayAsymmetry), beside the lab's temp files.
      let configFile: string | undefined;
      if (Object.keys(syntonicOptions).length > 0) {
        configFile = join(tmpdir(), `syn-lab-${process.pid}-${name}.cfg`);
        writeFileSync(configFile, withGlobalOptions(readFileSync(join(LAB_CONFIGS, 'syntonic-gPTP-software.cfg'), 'utf8'), syntonicOptions));
      }
      try {
        return await withStar(
          { impairment: { ...impairment, seed: options.seed ?? 1 }, ...(configFile === undefined ? {} : { syntonic: { configFile } }) },
          async (star) => ({ steady: await steadyStretch(star, options.durationS ?? windowS, star.startMs, 'servoLocked') }),
          scenario,
          options,
        );
      } finally {
        if (configFile !== undefined) rmSync(configFile, { force: true });
      }
    },
  };
  return scenario;
}

export const relayDelay = impaired(
  'relay-delay',
  `relay adds ${DELAY_NS / 1000} µs each way plus U[0, ${JITTER_NS / 1000}] µs jitter: meanLinkDelay grows by it, the true error should not`,
  { delayNs: DELAY_NS, jitterNs: JITTER_NS },
);

export const relayAsymmetry = impaired(
  'relay-asymmetry',
  `relay delays grandmaster→slave ${ASYMMETRY_NS / 1000} µs more and slave→grandmaster ${ASYMMETRY_NS / 1000} µs less than ${DELAY_NS / 1000} µs: an uncorrected asymmetry shows as a true error of about −${ASYMMETRY_NS / 1000} µs (802.1AS-2020 8.3)`,
  { delayNs: DELAY_NS, asymmetryNs: ASYMMETRY_NS },
);

export const relayAsymmetryCorrected = impaired(
  'relay-asymmetry-corrected',
  `the same asymmetric link with Syntonic configured delayAsymmetry ${ASYMMETRY_NS}: the true error returns to about 0`,
  { delayNs: DELAY_NS, asymmetryNs: ASYMMETRY_NS },
  { delayAsymmetry: ASYMMETRY_NS },
);

export const relayLoss = impaired('relay-loss', `relay drops ${LOSS * 100} % of frames each way (every message type) on a ${DELAY_NS / 1000} µs link`, {
  delayNs: DELAY_NS,
  lossProbability: LOSS,
});

/**
 * 0.85 ms one way, as the relay-asymmetry run of session 50 queued; from 80 s, once the link delay's
 * first window of 60 exchanges is full (a window still filling is taken as it comes), to past the
 * window's end: the median jumps ~30 s in and has stayed ~30 exchanges more by ~140 s.
 */
const STALL_NS = 850_000;
const STALL_FROM_MS = 80_000;
const STALL_TO_MS = 200_000;

export const relayPdelayStall = impaired(
  'relay-pdelay-stall',
  `relay delays every slave→grandmaster frame ${STALL_NS / 1000} µs more from ${STALL_FROM_MS / 1000} s to ${STALL_TO_MS / 1000} s: the Pdelay exchanges read the link ${STALL_NS / 2000} µs longer, the Syncs do not; the link delay's median jumps once the stall fills half its window, and the jump must not be believed while the Syncs say the link is unchanged`,
  { delayNs: DELAY_NS, reverseShift: { extraNs: STALL_NS, fromMs: STALL_FROM_MS, toMs: STALL_TO_MS } },
  {},
  100,
);
