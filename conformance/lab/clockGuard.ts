/**
 * The two safety nets every lab process runs under (the machines' clocks are shared and must never be
 * adjusted):
 *
 *  - `setpriv --bounding-set=-sys_time --inh-caps=-sys_time`: without CAP_SYS_TIME the kernel refuses
 *    any change to CLOCK_REALTIME with EPERM, whatever the program does; raw sockets keep working.
 *    `--pdeathsig KILL` also ends the process if the lab's own process dies without cleaning up.
 *  - LD_PRELOAD of clockguard.so (conformance/clockguard/clockguard.c, compiled here into a temporary
 *    directory): every clock-changing call fails and prints `clockguard: BLOCKED …`, so an attempt
 *    shows in the log even though the kernel would have refused it anyway.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LabError } from './netns.js';

/** Resolves from both conformance/lab/ (vitest) and dist/conformance/lab/ (compiled). */
function repositoryRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!(existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'tsconfig.json')))) {
    const up = dirname(dir);
    if (up === dir) throw new LabError('cannot find the repository root (package.json + tsconfig.json)', 'repository');
    dir = up;
  }
  return dir;
}

export const REPOSITORY_ROOT = repositoryRoot();
export const CLOCKGUARD_SOURCE = resolve(REPOSITORY_ROOT, 'conformance/clockguard/clockguard.c');

export const BLOCKED_MARK = 'clockguard: BLOCKED';
export const ACTIVE_MARK = 'clockguard: active in pid';

/** setpriv without CAP_SYS_TIME (and dying with its parent), to put in front of a command. */
export const WITHOUT_SYS_TIME: readonly string[] = ['setpriv', '--bounding-set=-sys_time', '--inh-caps=-sys_time', '--pdeathsig', 'KILL'];

/** Compiles clockguard.so into `directory` (not into the repository) and returns its path. */
export function buildClockGuard(directory: string): string {
  const out = join(directory, 'clockguard.so');
  try {
    execFileSync('gcc', ['-shared', '-fPIC', '-O2', '-o', out, CLOCKGUARD_SOURCE, '-ldl'], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? String(err);
    throw new LabError(`gcc could not build clockguard.so: ${stderr.trim()}`, 'clockguard');
  }
  return out;
}

/** argv and environment for running `argv` guarded. */
export function guarded(argv: readonly string[], clockGuardPath: string): { argv: string[]; env: NodeJS.ProcessEnv } {
  return { argv: [...WITHOUT_SYS_TIME, ...argv], env: { ...process.env, LD_PRELOAD: clockGuardPath } };
}

/** Thrown when a lab process tried to change a clock (clockguard refused it). */
export class ClockChangeAttempt extends Error {
  constructor(
    readonly processName: string,
    readonly lines: readonly string[],
  ) {
    super(`${processName} tried to change a clock (refused): ${lines.join(' | ')}`);
    this.name = 'ClockChangeAttempt';
  }
}
