/**
 * linuxptp port options → PortConfig, as the option table says (options.ts: `into: 'port'`), on top
 * of the engine's own defaults for the profile, then checked by the engine's validatePortConfig; its
 * findings are reported against the option (file and line) that set the field.
 */
import { defaultPortConfig, validatePortConfig, type PortConfig, type Profile } from '../../protocol/portConfig.js';
import { formatLocation } from './configError.js';
import { numberOf, type SetOption } from './effectiveOptions.js';
import { READ_OPTIONS } from './options.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export function portConfig(profile: Profile, options: ReadonlyMap<string, SetOption>, problems: string[], warnings: string[]): PortConfig {
  const port: Mutable<PortConfig> = { ...defaultPortConfig(profile) };
  const sources = new Map<keyof PortConfig, SetOption>();
  for (const { name, use } of READ_OPTIONS) {
    const set = options.get(name);
    if (set === undefined) continue;
    const sets = use.sets;
    if (sets.into === 'port') {
      const value = numberOf(set);
      if (value === undefined) continue;
      port[sets.field] = value;
      sources.set(sets.field, set);
    } else if (sets.into === 'portFlag') {
      port[sets.field] = set.value === sets.whenTrue;
      sources.set(sets.field, set);
    }
  }
  applyFreqEstInterval(port, sources, options, problems);
  const sdo = sources.get('majorSdoId');
  if (sdo !== undefined && port.majorSdoId !== 1) {
    warnings.push(
      `${formatLocation(sdo.at)}: transportSpecific ${sdo.raw} makes majorSdoId ${port.majorSdoId}, but gPTP is majorSdoId 1 (802.1AS-2020 10.6.2.2.1): gPTP peers and syntonic discard each other's frames`,
    );
  }
  for (const problem of validatePortConfig(port)) problems.push(attribute(problem, sources));
  return port;
}

/**
 * ptp4l's freq_est_interval (log2 s) spans 2^(freq_est_interval − logMinPdelayReqInterval) Pdelay
 * exchanges, at least 1 (port.c port_nrate_initialize): Syntonic's neighborRateRatioWindow.
 */
function applyFreqEstInterval(
  port: Mutable<PortConfig>,
  sources: Map<keyof PortConfig, SetOption>,
  options: ReadonlyMap<string, SetOption>,
  problems: string[],
): void {
  const interval = options.get('freq_est_interval');
  const window = options.get('neighborRateRatioWindow');
  if (interval === undefined || typeof interval.value !== 'number') return;
  if (window !== undefined) {
    problems.push(
      `${formatLocation(interval.at)}: set either freq_est_interval (ptp4l, log2 s) or neighborRateRatioWindow (Pdelay exchanges, ${formatLocation(window.at)}), not both`,
    );
    return;
  }
  port.neighborRateRatioWindow = 2 ** Math.max(0, interval.value - port.initialLogPdelayReqInterval);
  sources.set('neighborRateRatioWindow', interval);
}

/** validatePortConfig names fields; the user wrote options. */
function attribute(problem: string, sources: ReadonlyMap<keyof PortConfig, SetOption>): string {
  for (const [field, set] of sources) {
    if (new RegExp(`\\b${field}\\b`).test(problem)) return `${formatLocation(set.at)}: ${set.spec.name} ${set.raw} cannot be used: ${problem}`;
  }
  return `built-in defaults: ${problem}`;
}
