/**
 * SIGHUP: the configuration is read again. What can change while running takes effect at once — the
 * acceptable lists (who may set the time) and the log settings; every other option that changed is
 * named in one line, since it needs a restart (the socket, the clock, the servo and the port's
 * timers are built once at start).
 */
import type { LoadedDaemonConfig } from '../config/daemonConfig.js';

/** Options a reload applies. */
export const RELOADABLE_OPTIONS: readonly string[] = ['acceptable_grandmasters', 'acceptable_masters', 'logging_level', 'log_format'];

/** Names of the options whose value differs between two loads (set, changed or removed), sorted. */
export function changedOptions(before: LoadedDaemonConfig['settings'], after: LoadedDaemonConfig['settings']): string[] {
  const names = new Set([...before.keys(), ...after.keys()]);
  return [...names].filter((n) => before.get(n) !== after.get(n)).sort();
}

export interface ReloadPlan {
  /** Changed options applied now. */
  readonly applied: readonly string[];
  /** Changed options that need a restart. */
  readonly needRestart: readonly string[];
}

export function planReload(before: LoadedDaemonConfig['settings'], after: LoadedDaemonConfig['settings']): ReloadPlan {
  const changed = changedOptions(before, after);
  return { applied: changed.filter((n) => RELOADABLE_OPTIONS.includes(n)), needRestart: changed.filter((n) => !RELOADABLE_OPTIONS.includes(n)) };
}

/** The one line a reload logs about what it did not apply; undefined when nothing else changed. */
export function restartNotice(plan: ReloadPlan): string | undefined {
  if (plan.needRestart.length === 0) return undefined;
  return `configuration reloaded: ${plan.needRestart.join(', ')} changed but need${plan.needRestart.length === 1 ? 's' : ''} a restart (not applied)`;
}
