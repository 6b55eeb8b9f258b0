/**
 * The shape of a lab scenario and the steps they share: start the star topology, wait until the
 * provider reports synchronized, let it run, and turn the run into a LabResult.
 */
import { collectResult, type LabResult, type ResultInput, type Window } from '../labResult.js';
import { sleep, StarLab, type PortOrder, type ReferenceKind, type SharedPortFanOut, type StarOptions } from '../starLab.js';

export interface LabScenarioOptions {
  /** Length of the measured steady stretch, s (each scenario has its default). */
  readonly durationS?: number;
  /** Seed of the relay's impairments. */
  readonly seed?: number;
  /** Syntonic's log format; default text (both are parsed). */
  readonly logFormat?: 'text' | 'json';
  /** Syntonic's grandmaster port (1: the grandmaster's first -i); the reference gets the other. Default 1. */
  readonly order?: PortOrder;
  /** The reference on the other port; default 'pi' (ptp4l's own servo on a virtual clock). */
  readonly reference?: ReferenceKind;
  /** steady-state: length of the whole run, s (default 120). */
  readonly runS?: number;
  /** steady-state: the measured window at the end of the run, s (default 50). */
  readonly windowS?: number;
  /** Extra `syntonic run` arguments (experiments). */
  readonly syntonicArgs?: readonly string[];
  /** A second ptp4l servo slave like the reference, the control (StarOptions.control). Default false. */
  readonly control?: boolean;
  /** Start the reference and the control this long after the grandmaster and Syntonic (StarOptions.referenceDelayMs), ms. */
  readonly referenceDelayMs?: number;
}

export interface LabScenario {
  readonly name: string;
  readonly description: string;
  /**
   * Both slaves on one grandmaster port: through the hub (sharedPortHub.ts), where `order` says which
   * one it serves first, or on macvlans (macvlanPort.ts), where both read one timestamp per frame.
   */
  readonly sharedPort?: SharedPortFanOut;
  run(options: LabScenarioOptions): Promise<LabResult>;
}

/** The grandmaster takes its role ~3 s after start (LAB-NOTES); 30 s means something is wrong. */
export const SYNCHRONIZED_TIMEOUT_MS = 30_000;
/** Let the servo settle after the first synchronized report before steady figures are taken. */
export const SETTLE_MS = 2_000;
/** After the servo's first s2 on a jittery link: its PI loop needs several time constants. */
export const SERVO_SETTLE_MS = 10_000;
/**
 * ptp4l's software PI takes its first frequency estimate only after 0.016/ki s and reaches s2 at
 * ~42 s (LAB-NOTES); measured windows of a run with a servo reference start no earlier than this
 * after start, as issue 14's runs did (last 50 s of 120 s).
 */
export const REFERENCE_SETTLED_MS = 70_000;

/** Where a scenario's figures are taken (labResult.ts ResultInput): steady, and a disruption or a change in it. */
export type ScenarioWindows = Pick<ResultInput, 'steady' | 'disruption' | 'change'>;

/** A scenario that failed, with every process's output of the run for the post-mortem. */
export class LabScenarioFailure extends Error {
  constructor(
    readonly scenario: string,
    override readonly cause: unknown,
    /** Per process ('ptp4l gm', 'syntonic', …): its lines, each as "s-since-start stream text". */
    readonly logs: readonly { readonly process: string; readonly lines: readonly string[] }[],
  ) {
    super(`lab scenario ${scenario} failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'LabScenarioFailure';
  }
}

/** Starts the star, runs `body`, collects the result and always cleans up; a failure keeps the logs. */
export async function withStar(
  options: StarOptions,
  body: (star: StarLab) => Promise<ScenarioWindows>,
  describe: { name: string; description: string },
  scenarioOptions: LabScenarioOptions = {},
): Promise<LabResult> {
  const extraArgs = [...(options.syntonic?.extraArgs ?? []), ...(scenarioOptions.syntonicArgs ?? [])];
  const star = await StarLab.start({
    ...options,
    ...(scenarioOptions.order === undefined ? {} : { order: scenarioOptions.order }),
    ...(scenarioOptions.reference === undefined ? {} : { referenceKind: scenarioOptions.reference }),
    ...(scenarioOptions.control === undefined ? {} : { control: scenarioOptions.control }),
    ...(scenarioOptions.referenceDelayMs === undefined ? {} : { referenceDelayMs: scenarioOptions.referenceDelayMs }),
    syntonic: { ...options.syntonic, ...(scenarioOptions.logFormat === undefined ? {} : { logFormat: scenarioOptions.logFormat }), extraArgs },
  });
  let windows: ScenarioWindows;
  let endMs: number;
  let logs: ReturnType<StarLab['processLogs']>;
  try {
    windows = await body(star);
    endMs = Date.now();
    star.assertClocksUntouched();
    logs = star.processLogs();
  } catch (err) {
    throw new LabScenarioFailure(describe.name, err, star.processLogs());
  } finally {
    await star.close();
  }
  const result = collectResult({
    ...describe,
    startMs: star.startMs,
    endMs,
    syntonic: star.syntonic,
    probe: star.probe,
    reference: star.reference,
    ...windows,
    // A stepped grandmaster's clock is its time, as its Syncs carry it, for the change's window.
    ...(options.grandmasterStepNs === undefined || windows.change === undefined
      ? {}
      : { grandmasterMove: { ...windows.change, offsetNs: options.grandmasterStepNs } }),
    events: star.events,
    relays: star.relayStatistics,
    grandmasterPathDelays: star.grandmasterPathDelays,
    syntonicPort: star.syntonicPort,
    ...(star.floodFirst === undefined ? {} : { floodFirst: star.floodFirst }),
    ...(star.referenceKind === undefined ? {} : { referenceKind: star.referenceKind }),
    referenceErrors: star.referenceErrors,
    ...(star.control === undefined ? {} : { control: { ...star.control, errors: star.controlErrors } }),
    ...(star.syncLatencies === undefined ? {} : { syncLatencies: star.syncLatencies }),
    ...(star.pdelayPaths === undefined ? {} : { pdelayPaths: star.pdelayPaths }),
  });
  return { ...result, logs };
}

/**
 * The side-by-side window: the run lasts `runS` from start and the last `windowS` are measured, for
 * Syntonic and the reference alike, whether or not either has locked by then (the figures show it).
 */
export async function endWindow(star: StarLab, runS: number, windowS: number): Promise<Window> {
  if (!(windowS > 0 && windowS < runS)) throw new RangeError(`windowS must be in (0, runS): ${windowS} of ${runS}`);
  void star.probe
    .statusBecomes('synchronized', runS * 1000)
    .then(() => star.mark('provider synchronized'))
    .catch(() => undefined);
  const fromMs = star.startMs + (runS - windowS) * 1000;
  await sleep(fromMs - Date.now());
  await sleep(windowS * 1000);
  return { fromMs, toMs: Date.now() };
}

/**
 * Waits until the station is locked, settles, runs `seconds` and returns that window. Locked means the
 * provider reports synchronized, or — on impaired links whose jitter keeps the offset RMS above the
 * provider's threshold — that Syntonic's servo is in s2 (then settled for longer).
 */
export async function steadyStretch(
  star: StarLab,
  seconds: number,
  sinceMs = star.startMs,
  lockedBy: 'synchronized' | 'servoLocked' = 'synchronized',
): Promise<Window> {
  let lockedMs: number;
  if (lockedBy === 'synchronized') {
    lockedMs = (await star.probe.statusBecomes('synchronized', SYNCHRONIZED_TIMEOUT_MS, sinceMs)).atMs;
    star.mark('provider synchronized');
  } else {
    lockedMs = (await star.syntonic.process.waitForLine(/master offset\s+-?\d+ s2 /, SYNCHRONIZED_TIMEOUT_MS)).atMs;
    star.mark('servo locked (s2)');
  }
  const notBefore = star.referenceKind === undefined || star.referenceKind === 'free-running' ? 0 : star.startMs + REFERENCE_SETTLED_MS;
  const wait = Math.max(lockedMs + (lockedBy === 'synchronized' ? SETTLE_MS : SERVO_SETTLE_MS), notBefore) - Date.now();
  if (wait > 0) await sleep(wait);
  const fromMs = Date.now();
  await sleep(seconds * 1000);
  return { fromMs, toMs: Date.now() };
}
