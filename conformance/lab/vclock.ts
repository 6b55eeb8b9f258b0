/**
 * The accuracy anchor (docs/conformance-lab.md, "ptp4l's own servo"): vclock.so gives one ptp4l slave
 * a virtual CLOCK_REALTIME that its own servo (`free_running 0`) steers, while no machine clock ever
 * changes. Its state file `t_real_ns off_ns ppb tref_ns seq pid` (rewritten atomically on every
 * change) describes that virtual clock over the real CLOCK_REALTIME t:
 *
 *   V(t) − t = off + (t − tref) · ppb · 1e-9
 *
 * and since the grandmaster sends CLOCK_REALTIME as it is, V(t) − t is ptp4l's true error at t.
 * conformance/vclock/vclock.c is project material (see its README), compiled here like clockguard.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { REPOSITORY_ROOT } from './clockGuard.js';
import { LabError } from './netns.js';

export const VCLOCK_SOURCE = resolve(REPOSITORY_ROOT, 'conformance/vclock/vclock.c');
export const VCLOCK_CHECK_SOURCE = resolve(REPOSITORY_ROOT, 'conformance/vclock/vclock-check.c');
/** What vclock.so prints on stderr when it took effect. */
export const VCLOCK_ACTIVE_MARK = 'vclock: active in pid';

/** One reading of the state file. */
export interface VclockState {
  /** CLOCK_REALTIME of the last change, ns. */
  readonly tRealNs: bigint;
  /** V(tref) − tref, ns. */
  readonly offNs: number;
  /** Rate of V against CLOCK_REALTIME since tref, ppb. */
  readonly ppb: number;
  readonly trefNs: bigint;
  /** Changes so far (init included). */
  readonly seq: number;
  readonly pid: number;
}

function gcc(args: readonly string[], what: string): void {
  try {
    execFileSync('gcc', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? String(err);
    throw new LabError(`gcc could not build ${what}: ${stderr.trim()}`, 'vclock');
  }
}

/** Compiles vclock.so into `directory` and returns its path. */
export function buildVclock(directory: string): string {
  const out = join(directory, 'vclock.so');
  gcc(['-O2', '-shared', '-fPIC', '-o', out, VCLOCK_SOURCE, '-ldl'], 'vclock.so');
  return out;
}

/** Compiles the self-test vclock-check into `directory` and returns its path. */
export function buildVclockCheck(directory: string): string {
  const out = join(directory, 'vclock-check');
  gcc(['-O2', '-o', out, VCLOCK_CHECK_SOURCE, '-ldl'], 'vclock-check');
  return out;
}

/** Parses the state file's one line; undefined when it is not (yet) a complete line. */
export function parseVclockState(text: string): VclockState | undefined {
  const f = text.trim().split(/\s+/);
  if (f.length !== 6 || !f.every((x) => /^-?\d+(\.\d+)?$/.test(x))) return undefined;
  const [t, off, ppb, tref, seq, pid] = f as [string, string, string, string, string, string];
  return { tRealNs: BigInt(t), offNs: Number(off), ppb: Number(ppb), trefNs: BigInt(tref), seq: Number(seq), pid: Number(pid) };
}

export function readVclockState(path: string): VclockState | undefined {
  try {
    return parseVclockState(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/** V(t) − t at CLOCK_REALTIME `realtimeNs`: the virtual clock's true error then, ns. */
export function vclockErrorAt(state: VclockState, realtimeNs: bigint): number {
  return state.offNs + Number(realtimeNs - state.trefNs) * state.ppb * 1e-9;
}

/**
 * The environment that preloads vclock.so under clockguard and refuses CAP_SYS_TIME; `offsetNs` moves
 * the virtual clock from the start (VCLOCK_OFFSET_NS: V(t) = t + offsetNs until the process steers it).
 */
export function vclockEnvironment(
  vclockPath: string,
  clockGuardPath: string,
  statePath: string,
  logPath: string,
  offsetNs = 0,
  /** With it, SIGUSR1 steps the virtual clock by this, SIGUSR2 back (VCLOCK_SIGNAL_STEP_NS), ns. */
  signalStepNs?: number,
): NodeJS.ProcessEnv {
  if (!Number.isFinite(offsetNs)) throw new RangeError(`vclock offset must be a finite number of ns: ${offsetNs}`);
  if (signalStepNs !== undefined && !(Number.isFinite(signalStepNs) && signalStepNs !== 0)) {
    throw new RangeError(`vclock signal step must be a finite, non-zero number of ns: ${signalStepNs}`);
  }
  return {
    LD_PRELOAD: `${vclockPath}:${clockGuardPath}`,
    VCLOCK_REQUIRE_NO_SYS_TIME: '1',
    VCLOCK_STATE: statePath,
    VCLOCK_LOG: logPath,
    ...(offsetNs === 0 ? {} : { VCLOCK_OFFSET_NS: String(Math.round(offsetNs)) }),
    ...(signalStepNs === undefined ? {} : { VCLOCK_SIGNAL_STEP_NS: String(Math.round(signalStepNs)) }),
  };
}
