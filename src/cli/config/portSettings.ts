/**
 * linuxptp port options → PortConfig, on top of the profile's defaults, then checked by the engine's
 * own validatePortConfig; its findings are reported against the option (file and line) that set the
 * field.
 */
import { defaultPortConfig, validatePortConfig, type PortConfig, type Profile } from '../../protocol/portConfig.js';
import { formatLocation } from './configError.js';
import { numberOf, type SetOption } from './effectiveOptions.js';
import type { OptionValue } from './optionValue.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type NumericPortField = { [K in keyof PortConfig]: PortConfig[K] extends number ? K : never }[keyof PortConfig];

/** linuxptp option → PortConfig field, same unit. */
const PORT_FIELDS: readonly (readonly [option: string, field: NumericPortField])[] = [
  ['domainNumber', 'domainNumber'],
  ['transportSpecific', 'majorSdoId'],
  ['logMinPdelayReqInterval', 'initialLogPdelayReqInterval'],
  ['logSyncInterval', 'initialLogSyncInterval'],
  ['logAnnounceInterval', 'initialLogAnnounceInterval'],
  ['syncReceiptTimeout', 'syncReceiptTimeout'],
  ['announceReceiptTimeout', 'announceReceiptTimeout'],
  ['allowedLostResponses', 'allowedLostResponses'],
  ['allowedFaults', 'allowedFaults'],
  ['neighborPropDelayThresh', 'neighborPropDelayThresh'],
  ['min_neighbor_prop_delay', 'minNeighborPropDelay'],
  ['neighborRateRatioWindow', 'neighborRateRatioWindow'],
  ['delay_filter_length', 'linkDelayFilterLength'],
  ['delayAsymmetry', 'delayAsymmetry'],
  ['operLogSyncInterval', 'operLogSyncInterval'],
  ['operLogPdelayReqInterval', 'operLogPdelayReqInterval'],
];

type BooleanPortField = { [K in keyof PortConfig]: PortConfig[K] extends boolean ? K : never }[keyof PortConfig];

/** linuxptp option → boolean PortConfig field: the value that means true. */
const PORT_FLAGS: readonly (readonly [option: string, field: BooleanPortField, trueValue: OptionValue])[] = [
  ['msg_interval_request', 'messageIntervalRequest', 1],
  ['asCapable', 'asCapableAlways', 'true'],
];


export function portConfig(profile: Profile, options: ReadonlyMap<string, SetOption>, problems: string[], warnings: string[]): PortConfig {
  const port: Mutable<PortConfig> = { ...defaultPortConfig(profile) };
  const sources = new Map<keyof PortConfig, SetOption>();
  for (const [option, field] of PORT_FIELDS) {
    const set = options.get(option);
    const value = numberOf(set);
    if (set === undefined || value === undefined) continue;
    port[field] = value;
    sources.set(field, set);
  }
  for (const [option, field, trueValue] of PORT_FLAGS) {
    const set = options.get(option);
    if (set === undefined) continue;
    port[field] = set.value === trueValue;
    sources.set(field, set);
  }
  applyFreqEstInterval(port, sources, options, problems);
  const sdo = sources.get('majorSdoId');
  if (sdo !== undefined && port.majorSdoId !== 1) {
    warnings.push(`${formatLocation(sdo.at)}: transportSpecific ${sdo.raw} makes majorSdoId ${port.majorSdoId}, but gPTP is majorSdoId 1 (802.1AS-2020 10.6.2.2.1): gPTP peers and syntonic discard each other's frames`);
  }
  for (const problem of validatePortConfig(port)) problems.push(attribute(problem, sources));
  return port;
}

/**
 * ptp4l's freq_est_interval (log2 s) spans 2^(freq_est_interval − logMinPdelayReqInterval) Pdelay
 * exchanges, at least 1 (port.c port_nrate_initialize): Syntonic's neighborRateRatioWindow.
 */
function applyFreqEstInterval(port: Mutable<PortConfig>, sources: Map<keyof PortConfig, SetOption>, options: ReadonlyMap<string, SetOption>, problems: string[]): void {
  const interval = options.get('freq_est_interval');
  const window = options.get('neighborRateRatioWindow');
  if (interval === undefined || typeof interval.value !== 'number') return;
  if (window !== undefined) {
    problems.push(`${formatLocation(interval.at)}: set either freq_est_interval (ptp4l, log2 s) or neighborRateRatioWindow (Pdelay exchanges, ${formatLocation(window.at)}), not both`);
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
