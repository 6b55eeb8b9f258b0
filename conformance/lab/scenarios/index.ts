/**
 * The interop lab's scenarios for `npm run conformance`: real ptp4l peers in network namespaces, real
 * `syntonic run`, measured against CLOCK_REALTIME (which every namespace shares). Each run creates and
 * removes its own namespaces and processes; they need root, ptp4l (linuxptp), gcc, setpriv, python3
 * (for the relay) and a built tree (npx tsc -p tsconfig.json).
 */
import { cleanupStale } from '../netns.js';
import type { LabResult } from '../labResult.js';
import { automotive } from './automotive.js';
import { betterGrandmaster } from './betterGrandmaster.js';
import { cpuLoad } from './cpuLoad.js';
import { grandmasterEarlyLoss, grandmasterLoss20s, grandmasterLoss90s, grandmasterLoss90sWarming } from './grandmasterEarlyLoss.js';
import { grandmasterRestart } from './grandmasterRestart.js';
import { grandmasterTimeStep } from './grandmasterTimeStep.js';
import { relayAsymmetry, relayAsymmetryCorrected, relayDelay, relayLoss, relayPdelayStall } from './impairedLink.js';
import type { LabScenario, LabScenarioOptions } from './labScenario.js';
import { linkDownUp } from './linkDownUp.js';
import { oscillatorOffset } from './oscillatorOffset.js';
import { rogueGrandmasterFollowed, rogueGrandmasterRefused } from './rogueGrandmaster.js';
import { sharedPort, sharedPortMacvlan } from './sharedPort.js';
import { steadyState } from './steadyState.js';
import { grandmasterPhaseStep, syncPathSmallStep, syncPathStep } from './syncPathStep.js';

export type { LabScenario, LabScenarioOptions } from './labScenario.js';
export type { LabResult } from '../labResult.js';

export const LAB_SCENARIOS: readonly LabScenario[] = [
  steadyState,
  sharedPort,
  sharedPortMacvlan,
  cpuLoad,
  grandmasterRestart,
  grandmasterTimeStep,
  grandmasterEarlyLoss,
  grandmasterLoss20s,
  grandmasterLoss90s,
  grandmasterLoss90sWarming,
  betterGrandmaster,
  rogueGrandmasterFollowed,
  rogueGrandmasterRefused,
  linkDownUp,
  automotive,
  oscillatorOffset,
  relayDelay,
  relayAsymmetry,
  relayAsymmetryCorrected,
  relayLoss,
  relayPdelayStall,
  syncPathStep,
  syncPathSmallStep,
  grandmasterPhaseStep,
];

export const LAB_SCENARIO_NAMES: readonly string[] = LAB_SCENARIOS.map((s) => s.name);

export class UnknownLabScenario extends Error {
  constructor(readonly scenario: string) {
    super(`no lab scenario named '${scenario}' (known: ${LAB_SCENARIO_NAMES.join(', ')})`);
    this.name = 'UnknownLabScenario';
  }
}

/** Runs one scenario by name; leftovers of crashed earlier runs are removed first. */
export async function runLabScenario(name: string, options: LabScenarioOptions = {}): Promise<LabResult> {
  const scenario = LAB_SCENARIOS.find((s) => s.name === name);
  if (scenario === undefined) throw new UnknownLabScenario(name);
  cleanupStale();
  return scenario.run(options);
}
