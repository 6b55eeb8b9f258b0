import type { SharedPortFanOut } from '../starLab.js';
import type { LabScenario } from './labScenario.js';
import { endWindow, withStar } from './labScenario.js';
import { STEADY_RUN_S, STEADY_WINDOW_S, steadyRun } from './steadyState.js';

/**
 * issue 14's same-port comparison made paired: steady state with Syntonic and ptp4l's servo on the
 * grandmaster's one port at once, so both take the same Syncs in the same run and the link's
 * run-to-run wander drops out of each run's difference. Through the hub (sharedPortHub.ts) `--order`
 * 1 serves Syntonic first, 2 ptp4l first (the flood skew, captured, swaps sides); on macvlans
 * (macvlanPort.ts) both read one ingress timestamp per Sync and the order only names the run.
 */
function sharedPortScenario(name: string, fanOut: SharedPortFanOut, how: string): LabScenario {
  const scenario: LabScenario = {
    name,
    sharedPort: fanOut,
    description: `steady state with Syntonic and ptp4l's own servo (vclock.so) on the grandmaster's one port ${how}: the same Syncs to both; both true errors over the last ${STEADY_WINDOW_S} s of ${STEADY_RUN_S} s`,
    run: (options) =>
      withStar(
        { sharedPort: fanOut, syntonic: { logFormat: 'json' }, captureSyncs: true },
        async (star) => {
          const { runS, windowS } = steadyRun(options);
          return { steady: await endWindow(star, runS, windowS) };
        },
        scenario,
        options,
      ),
  };
  return scenario;
}

export const sharedPort = sharedPortScenario(
  'shared-port',
  'hub',
  "through a hub that copies the grandmaster's frames to both and keeps each slave's Pdelay point-to-point (nftables, netdev family)",
);

export const sharedPortMacvlan = sharedPortScenario(
  'shared-port-macvlan',
  'macvlan',
  "on two private macvlans over its link's far end: the kernel stamps each frame once and both slaves read that one timestamp (nftables keeps each Pdelay exchange point-to-point)",
);
