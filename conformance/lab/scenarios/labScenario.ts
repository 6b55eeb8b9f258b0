/**
 * The shape of a lab scenario and the steps they share: start the star topology, wait until the
 * provider reports synchronized, let it run, and turn the run into a LabResult.
 */
import { collectResult, type LabResult, type Window } from '../labResult.js';
import { sleep, StarLab, type StarOptions } from '../starLab.js';

export interface LabScenarioOptions {
  /** Length of the measured steady stretch, s (each scenario has its default). */
  readonly durationS?: number;
  /** Seed of the relay's impairments. */
  readonly seed?: number;
  /** Syntonic's log format; default text (both are parsed). */
  readonly logFormat?: 'text' | 'json';
}

export interface LabScenario {
  readonly name: string;
  readonly description: string;
  run(options: LabScenarioOptions): Promise<LabResult>;
}

/** The grandmaster takes its role ~3 s after start (LAB-NOTES); 30 s means something is wrong. */
export const SYNCHRONIZED_TIMEOUT_MS = 30_000;
/** Let the servo settle after the first synchronized report before steady figures are taken. */
export const SETTLE_MS = 2_000;
/** After the servo's first s2 on a jittery link: its PI loop needs several time constants. */
export const SERVO_SETTLE_MS = 10_000;

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
  body: (star: StarLab) => Promise<{ steady: Window; disruption?: Window }>,
  describe: { name: string; description: string },
): Promise<LabResult> {
  const star = await StarLab.start(options);
  let windows: { steady: Window; disruption?: Window };
  let endMs: number;
  try {
    windows = await body(star);
    endMs = Date.now();
    star.assertClocksUntouched();
  } catch (err) {
    throw new LabScenarioFailure(describe.name, err, star.processLogs());
  } finally {
    await star.close();
  }
  return collectResult({
    ...describe,
    startMs: star.startMs,
    endMs,
    syntonic: star.syntonic,
    probe: star.probe,
    reference: star.reference,
    ...windows,
    events: star.events,
    relays: star.relayStatistics,
    grandmasterPathDelays: star.grandmasterPathDelays,
  });
}

/**
 * Waits until the station is locked, settles, runs `seconds` and returns that window. Locked means the
 * provider reports synchronized, or — on impaired links whose jitter keeps the offset RMS above the
 * provider's threshold — that Syntonic's servo is in s2 (then settled for longer).
 */
export async function steadyStretch(star: StarLab, seconds: number, sinceMs = star.startMs, lockedBy: 'synchronized' | 'servoLocked' = 'synchronized'): Promise<Window> {
  let lockedMs: number;
  if (lockedBy === 'synchronized') {
    lockedMs = (await star.probe.statusBecomes('synchronized', SYNCHRONIZED_TIMEOUT_MS, sinceMs)).atMs;
    star.mark('provider synchronized');
  } else {
    lockedMs = (await star.syntonic.process.waitForLine(/master offset\s+-?\d+ s2 /, SYNCHRONIZED_TIMEOUT_MS)).atMs;
    star.mark('servo locked (s2)');
  }
  const wait = lockedMs + (lockedBy === 'synchronized' ? SETTLE_MS : SERVO_SETTLE_MS) - Date.now();
  if (wait > 0) await sleep(wait);
  const fromMs = Date.now();
  await sleep(seconds * 1000);
  return { fromMs, toMs: Date.now() };
}
