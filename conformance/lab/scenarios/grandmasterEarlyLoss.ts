/**
 * Holdover from the first minute: the grandmaster ptp4l is killed a moment after Syntonic first
 * reports synchronized and restarted 30 s later with the same time.
 * - `grandmaster-early-loss`, half a second after: the servo still pulls the start's phase in.
 *   Holdover runs the clock on the frequency TimeBaseStatus estimated, not on the servo's last output
 *   (which held the phase correction); the servo is told (Servo.holdFrequency), so its first
 *   prediction after the loss is the course the clock ran (docs/servo.md, "Holdover";
 *   `sim.software-early-loss`).
 * - `grandmaster-loss-20s`, 20 s after: the servo has settled, but its estimates do not yet span
 *   holdover's 60 s window, so the frequency held is its last estimate, not a line's end value
 *   through its settling (holdover.ts).
 * - `grandmaster-loss-90s`, 90 s after: the estimates span the window, so the line through them is
 *   followed where it shows a ramp (the lab's needed frequency is CLOCK_REALTIME's rate against the
 *   clock the virtual clock runs over), else the last estimate is held; the log says which.
 * - `grandmaster-loss-90s-warming`, the same with Syntonic's timestamp clock warming up, its frequency
 *   error rising WARMING_PPB_PER_S from the start (the test instrument `--timestamp-skew 0:0:D`): the
 *   ramp a quartz oscillator makes after power-on, which holdover must follow, not hold
 *   (held, a 1 ppb/s ramp leaves ½·D·t² = 450 ns over 30 s; simulated, docs/servo.md "Holdover").
 *   The instrument skews the timestamp clock only, not the CLOCK_MONOTONIC_RAW the probe extrapolates
 *   the provider's mapping over: where one frequency is held the mapping stays, and the probe sees
 *   the offset of that frequency at the loss but not the ramp after it; along a followed ramp the
 *   mapping is taken anew each second, so the probe sees the clock's course.
 * The steady window is the 30 s from 5 s after the restart (the new grandmaster's first Syncs come
 * some 3 s after it), whatever the status says: its `trueError.max` is how far the clock went after
 * the Syncs came back, `recovery` how long until synchronized again; `holdoverEnd.*` where holdover
 * ended (true error, the status's estimate, the bound). ptp4l's PI beside it takes its first
 * frequency estimate only some 40 s after the start: in these windows its clock is untouched (0 ns)
 * or only just in s2, so its figures are no comparison here.
 */
import { sleep } from '../starLab.js';
import type { LabScenario } from './labScenario.js';
import { withStar, SYNCHRONIZED_TIMEOUT_MS } from './labScenario.js';

/** Silence, as sim.software-early-loss: the held frequency's error shows over it. */
const OUTAGE_MS = 30_000;
/** The window starts this long after the restart, and lasts WINDOW_MS. */
const WINDOW_FROM_RESTART_MS = 5_000;
const WINDOW_MS = 30_000;

/** The warming oscillator's ramp, ppb/s. */
const WARMING_PPB_PER_S = 1;

/**
 * The grandmaster killed `killAfterSynchronizedMs` after Syntonic first reports synchronized;
 * `syntonicArgs` adds to `syntonic run`'s command line (a test instrument).
 */
function grandmasterLossAfter(name: string, killAfterSynchronizedMs: number, when: string, syntonicArgs: readonly string[] = []): LabScenario {
  const scenario: LabScenario = {
    name,
    description: `the grandmaster ptp4l is killed ${killAfterSynchronizedMs / 1000} s after Syntonic first reports synchronized (${when}) and restarted ${OUTAGE_MS / 1000} s later with the same time`,
    run: (options) =>
      withStar(
        { syntonic: { logFormat: 'json', extraArgs: syntonicArgs } },
        async (star) => {
          await star.probe.statusBecomes('synchronized', SYNCHRONIZED_TIMEOUT_MS, star.startMs);
          star.mark('provider synchronized');
          await sleep(killAfterSynchronizedMs);
          const killedMs = await star.killGrandmaster();
          await sleep(OUTAGE_MS);
          const restartedMs = star.restartGrandmaster();
          await star.probe.statusBecomes('synchronized', SYNCHRONIZED_TIMEOUT_MS, restartedMs);
          star.mark('provider synchronized again');
          const fromMs = restartedMs + WINDOW_FROM_RESTART_MS;
          const toMs = fromMs + WINDOW_MS;
          await sleep(Math.max(0, toMs - Date.now()));
          return { steady: { fromMs, toMs }, disruption: { fromMs: killedMs, toMs: restartedMs } };
        },
        scenario,
        options,
      ),
  };
  return scenario;
}

export const grandmasterEarlyLoss = grandmasterLossAfter('grandmaster-early-loss', 500, "its servo still pulling the start's phase in");
export const grandmasterLoss20s = grandmasterLossAfter('grandmaster-loss-20s', 20_000, "its servo settled, holdover's 60 s window not yet full");
export const grandmasterLoss90s = grandmasterLossAfter('grandmaster-loss-90s', 90_000, "holdover's 60 s window full");
export const grandmasterLoss90sWarming = grandmasterLossAfter(
  'grandmaster-loss-90s-warming',
  90_000,
  `holdover's 60 s window full; Syntonic's oscillator warming up, its frequency error rising ${WARMING_PPB_PER_S} ppb/s from the start`,
  ['--timestamp-skew', `0:0:${WARMING_PPB_PER_S}`],
);
