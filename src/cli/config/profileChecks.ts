/**
 * Warnings about a file asking for a role Syntonic does not take: a best master selection setting
 * that contradicts the profile in use, or a grandmaster-capable station.
 */
import type { Profile } from '../../protocol/portConfig.js';
import { formatLocation } from './configError.js';
import type { SetOption } from './effectiveOptions.js';

/** The BMCA value each profile implies. */
const PROFILE_BMCA: Readonly<Record<Profile, string>> = { gptp: 'ptp', automotive: 'noop' };

const PROFILE_BEHAVIOUR: Readonly<Record<Profile, string>> = {
  gptp: 'the gptp profile runs the best master selection (802.1AS-2020 10.3)',
  automotive: 'the automotive profile is a static slave without best master selection (802.1AS-2020 10.3.1 externalPortConfiguration)',
};

/** ptp4l's defaults, for options a file leaves out. */
const PTP4L_SLAVE_ONLY = 0;
const PTP4L_GM_CAPABLE = 1;
const PTP4L_PRIORITY1 = 128;
/** 802.1AS-2020 8.6.2.1: priority1 255 marks a time-aware system that is not grandmaster-capable. */
const NOT_GRANDMASTER_CAPABLE = 255;

export function profileWarnings(
  options: ReadonlyMap<string, SetOption>,
  profile: Profile,
  source: 'command line' | 'configuration file' | 'default',
): string[] {
  const warnings: string[] = [];
  const how =
    source === 'command line'
      ? ` (--profile ${profile})`
      : profile === 'gptp'
        ? '; the automotive profile needs BMCA noop, slaveOnly 1 and asCapable true together, or --profile automotive'
        : '';
  const bmca = options.get('BMCA');
  if (bmca !== undefined && bmca.value !== PROFILE_BMCA[profile]) {
    warnings.push(`${formatLocation(bmca.at)}: BMCA ${bmca.raw} is ignored: ${PROFILE_BEHAVIOUR[profile]}${how}`);
  }
  const grandmaster = grandmasterWarning(options, profile);
  if (grandmaster !== undefined) warnings.push(grandmaster);
  return warnings;
}

/** A gptp file that would let ptp4l become grandmaster (slaveOnly 0, gmCapable 1, priority1 < 255). */
function grandmasterWarning(options: ReadonlyMap<string, SetOption>, profile: Profile): string | undefined {
  const set = options.get('gmCapable') ?? options.get('priority1') ?? options.get('slaveOnly');
  if (profile !== 'gptp' || set === undefined) return undefined;
  const value = (name: string, fallback: number): number => {
    const v = options.get(name)?.value;
    return typeof v === 'number' ? v : fallback;
  };
  const gmCapable = value('gmCapable', PTP4L_GM_CAPABLE);
  const priority1 = value('priority1', PTP4L_PRIORITY1);
  if (value('slaveOnly', PTP4L_SLAVE_ONLY) !== 0 || gmCapable !== 1 || priority1 >= NOT_GRANDMASTER_CAPABLE) return undefined;
  return `${formatLocation(set.at)}: syntonic never becomes grandmaster: it is a slave-only end station, whatever gmCapable ${gmCapable} and priority1 ${priority1} say (set slaveOnly 1 to say so)`;
}
