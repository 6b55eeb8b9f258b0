/**
 * The configuration of `syntonic run`, resolved with this precedence:
 *
 *   built-in profile defaults < [global] < [INTERFACE] section < command-line flags
 *
 * The profile is --profile if given; else 'automotive' when the file carries the automotive
 * signature (BMCA noop + slaveOnly 1 + asCapable true, as linuxptp's automotive-slave.cfg); else
 * 'gptp'. Every problem (file lines, flags, values the engine cannot use) is collected and thrown as
 * one ConfigError; what is accepted but not used comes back as warnings.
 */
import { readFileSync } from 'node:fs';
import type { ClockIdentity, PortIdentity } from '../../protocol/messages.js';
import type { PortConfig, Profile } from '../../protocol/portConfig.js';
import { parseClockIdentityList, parsePortIdentityList } from './identityLists.js';
import {
  parseChoice,
  parseClockIdentitiesFlag,
  parsePortIdentitiesFlag,
  parseLogLevel,
  parseMetricsEndpoint,
  parseSocketPathFlag,
  parseTimePage,
  type CommandLineOverrides,
  type FlagResult,
  type MetricsEndpoint,
} from './commandLine.js';
import { DEFAULT_TIME_PAGE_PATH } from '../../provider/timePage.js';
import { ConfigError, formatLocation } from './configError.js';
import { isInterfaceName, parseConfigText, type ConfigEntry } from './configFile.js';
import { choiceOf, effectiveOptions, numberOf, textOf, type SetOption } from './effectiveOptions.js';
import type { OptionValue } from './optionValue.js';
import { fallbackValue, findOption } from './options.js';
import { portConfig } from './portSettings.js';
import { profileWarnings } from './profileChecks.js';
import { servoConfig, type ServoConfig } from './servoSettings.js';

export type { ServoConfig } from './servoSettings.js';

export type Timestamping = 'auto' | 'hardware' | 'software';
export type ClockChoice = 'phc' | 'virtual';
export type LogFormat = 'text' | 'json';

export interface DaemonConfig {
  readonly interfaceName: string;
  readonly profile: Profile;
  /** Why this profile: for the start-up log line. */
  readonly profileSource: 'command line' | 'configuration file' | 'default';
  /** The file read, if any. */
  readonly configFile?: string;
  readonly port: PortConfig;
  readonly servo: ServoConfig;
  readonly timestamping: Timestamping;
  /**
   * time_stamping p2p1step: hardware timestamping, and Pdelay_Resp sent one-step with the NIC inserting
   * the turnaround (HWTSTAMP_TX_ONESTEP_P2P). A --timestamping flag replaces it.
   */
  readonly oneStepResponder: boolean;
  /** 'virtual' unless asked: nothing touches a hardware clock by default. */
  readonly clock: ClockChoice;
  /** free_running: the servo computes, the clock is never adjusted. */
  readonly freeRunning: boolean;
  /** The time-base provider socket (not ptp4l's uds_address). */
  readonly socketPath: string;
  /** provider_socket_mode: the socket file's mode (default 0660). */
  readonly socketMode?: number;
  /** provider_group: the socket file's group, by name or gid. */
  readonly socketGroup?: string | number;
  /** uds_address: linuxptp's management socket, answered to pmc; absent: none. */
  readonly udsAddress?: string;
  /** summary_interval, log2 s. */
  readonly summaryIntervalLog: number;
  /** logging_level, syslog 0–7. */
  readonly loggingLevel: number;
  /** tx_timestamp_timeout, ms. */
  readonly txTimestampTimeoutMs: number;
  readonly logFormat: LogFormat;
  /** --metrics; absent: no metrics endpoint. */
  readonly metrics?: MetricsEndpoint;
  /** chrony's SOCK refclock (refclock_sock_address, --refclock-sock); absent: chrony is not fed. */
  readonly refclock?: RefclockConfig;
  /** assume_utc_offset: gPTP time − UTC, s, when the grandmaster announces no valid one. */
  readonly assumedUtcOffset?: number;
  /**
   * The shared-memory time page (time_page, --time-page), null when `none`. `required`: the path was
   * configured, so failing to create it stops the start; the default path only earns a warning.
   */
  readonly timePage: { readonly path: string; readonly required: boolean } | null;
  /** kalman_wander_file: where the learned oscillator walk is kept across restarts; absent: nowhere. */
  readonly wanderFile?: string;
}

export interface RefclockConfig {
  /** The socket chronyd's `refclock SOCK` listens on. */
  readonly address: string;
  /**
   * clock_servo refclock_sock: chrony gets each Sync's measured offset and disciplines the system clock;
   * no clock is disciplined here (the provider keeps its virtual clock). Otherwise chrony gets the
   * synchronized time of the clock the servo disciplines.
   */
  readonly measuredOffsets: boolean;
}

/** linuxptp 4.x's default refclock_sock_address. */
export const DEFAULT_REFCLOCK_SOCK_ADDRESS = '/var/run/refclock.ptp.sock';

export interface LoadDaemonConfigInput {
  /** The file to read; with `text`, only its name for messages. */
  readonly file?: string;
  /** The file's content (tests, stdin). */
  readonly text?: string;
  readonly interfaceName: string;
  readonly overrides: Partial<CommandLineOverrides>;
}

export interface LoadedDaemonConfig {
  readonly config: DaemonConfig;
  readonly warnings: string[];
  /** The file's options that apply to the interface, as written (name → value): what a reload compares. */
  readonly settings: ReadonlyMap<string, string>;
}

/** A daemon setting from the file, else the option table's default (fallback) for the profile. */
function fromTable(options: ReadonlyMap<string, SetOption>, name: string, profile: Profile): OptionValue | undefined {
  const set = options.get(name);
  if (set !== undefined) return set.value;
  const spec = findOption(name);
  return spec?.use.kind === 'field' ? fallbackValue(spec.use, profile) : undefined;
}

export function loadDaemonConfig(input: LoadDaemonConfigInput): LoadedDaemonConfig {
  const problems: string[] = [];
  const warnings: string[] = [];
  const flags = readFlags(input.overrides, problems);
  if (!isInterfaceName(input.interfaceName)) {
    problems.push(`-i: '${input.interfaceName}' is not a network interface name (1–15 characters, no '/', ':' or blanks)`);
  }
  const entries = readEntries(input, problems, warnings);
  const effective = effectiveOptions(entries, input.interfaceName);
  problems.push(...effective.problems);
  warnings.push(...effective.warnings);
  const options = effective.options;

  const { profile, profileSource } = chooseProfile(flags.profile, options);
  checkOptionUses(options, profile, problems, warnings);
  warnings.push(...profileWarnings(options, profile, profileSource));
  const port = { ...portConfig(profile, options, problems, warnings), ...acceptableLists(flags, options, profile, warnings) };
  const servo = servoConfig(profile, options, warnings);

  const p2p1step = textOf(options.get('time_stamping')) === 'p2p1step';
  const config: DaemonConfig = {
    interfaceName: input.interfaceName,
    profile,
    profileSource,
    ...(input.file === undefined ? {} : { configFile: input.file }),
    port,
    servo,
    timestamping:
      flags.timestamping ?? (p2p1step ? 'hardware' : undefined) ?? choiceOf<Timestamping>(options.get('time_stamping'), ['hardware', 'software']) ?? 'auto',
    oneStepResponder: flags.timestamping === undefined && p2p1step,
    clock: flags.clock ?? (fromTable(options, 'clock', profile) as ClockChoice),
    freeRunning: fromTable(options, 'free_running', profile) === 1,
    socketPath: flags.socketPath ?? String(fromTable(options, 'provider_socket', profile)),
    ...optionalSocketAccess(numberOf(options.get('provider_socket_mode')), textOf(options.get('provider_group'))),
    ...optionalText('udsAddress', textOf(options.get('uds_address'))),
    summaryIntervalLog: Number(fromTable(options, 'summary_interval', profile)),
    loggingLevel: flags.loggingLevel ?? Number(fromTable(options, 'logging_level', profile)),
    txTimestampTimeoutMs: Number(fromTable(options, 'tx_timestamp_timeout', profile)),
    logFormat: flags.logFormat ?? (fromTable(options, 'log_format', profile) as LogFormat),
    ...(flags.metrics === undefined ? {} : { metrics: flags.metrics }),
    ...refclockOf(flags.refclockSock, options),
    timePage: timePageSetting(flags.timePage, options.get('time_page'), problems),
    ...wanderFileSetting(options.get('kalman_wander_file'), problems),
  };
  if (config.clock === 'phc' && config.timestamping === 'software') {
    problems.push(
      `${sourceOf(flags.clock, options.get('clock'), '--clock')}: clock phc disciplines the interface's hardware clock, but software timestamps do not come from it: use --clock virtual, or hardware timestamps`,
    );
  }
  const servoSet = options.get('clock_servo');
  if (config.refclock?.measuredOffsets === true && config.clock === 'phc' && servoSet !== undefined) {
    problems.push(
      `${formatLocation(servoSet.at)}: clock_servo refclock_sock disciplines no clock (chrony disciplines the system clock), but ${sourceOf(flags.clock, options.get('clock'), '--clock')} asks for clock phc: use clock virtual`,
    );
  }
  const name = input.file ?? TEXT_NAME;
  if (problems.length > 0) throw new ConfigError(inLineOrder(problems, name));
  const settings = new Map([...options.values()].map((set) => [set.spec.name, set.raw] as const));
  return { config, warnings: inLineOrder(warnings, name), settings };
}

// ------------------------------------------------------------------------------------------------

/** The name messages give a configuration passed as text without a file name. */
const TEXT_NAME = '<configuration>';

interface Flags {
  readonly profile?: Profile;
  readonly timestamping?: Timestamping;
  readonly clock?: ClockChoice;
  readonly socketPath?: string;
  readonly loggingLevel?: number;
  readonly logFormat?: LogFormat;
  readonly metrics?: MetricsEndpoint;
  readonly refclockSock?: string;
  /** null: --time-page none. */
  readonly timePage?: string | null;
  readonly acceptableGrandmasters?: readonly ClockIdentity[];
  readonly acceptableMasters?: readonly PortIdentity[];
}

function readFlags(o: Partial<CommandLineOverrides>, problems: string[]): Flags {
  const take = <T>(raw: string | undefined, parse: (raw: string) => FlagResult<T>): T | undefined => {
    if (raw === undefined) return undefined;
    const r = parse(raw);
    if (r.ok) return r.value;
    problems.push(r.problem);
    return undefined;
  };
  return {
    profile: take(o.profile, (r) => parseChoice<Profile>('--profile', r, ['gptp', 'automotive'])),
    timestamping: take(o.timestamping, (r) => parseChoice<Timestamping>('--timestamping', r, ['auto', 'hardware', 'software'])),
    clock: take(o.clock, (r) => parseChoice<ClockChoice>('--clock', r, ['phc', 'virtual'])),
    socketPath: take(o.socketPath, parseSocketPathFlag),
    loggingLevel: take(o.logLevel, parseLogLevel),
    logFormat: take(o.logFormat, (r) => parseChoice<LogFormat>('--log-format', r, ['text', 'json'])),
    metrics: take(o.metrics, parseMetricsEndpoint),
    refclockSock: take(o.refclockSock, (r) => parseSocketPathFlag(r, '--refclock-sock')),
    timePage: take(o.timePage, (r) => parseTimePage('--time-page', r)),
    acceptableGrandmasters: take(o.acceptableGrandmasters, parseClockIdentitiesFlag),
    acceptableMasters: take(o.acceptableMasters, parsePortIdentitiesFlag),
  };
}

/**
 * acceptable_grandmasters / acceptable_masters: the flags replace the file's lists (an empty flag
 * clears them). Values were checked with the file; an empty list accepts anyone.
 */
function acceptableLists(
  flags: Flags,
  options: ReadonlyMap<string, SetOption>,
  profile: Profile,
  warnings: string[],
): Pick<PortConfig, 'acceptableGrandmasters' | 'acceptableMasters'> {
  const fromFile = <T>(name: string, parse: (t: string) => { ok: true; value: readonly T[] } | { ok: false }): readonly T[] | undefined => {
    const text = textOf(options.get(name));
    if (text === undefined) return undefined;
    const r = parse(text);
    return r.ok ? r.value : undefined;
  };
  const grandmasters = flags.acceptableGrandmasters ?? fromFile('acceptable_grandmasters', parseClockIdentityList) ?? [];
  const masters = flags.acceptableMasters ?? fromFile('acceptable_masters', parsePortIdentityList) ?? [];
  if (profile === 'automotive' && grandmasters.length > 0) {
    const set = options.get('acceptable_grandmasters');
    const where = flags.acceptableGrandmasters === undefined && set !== undefined ? formatLocation(set.at) : '--acceptable-grandmasters';
    warnings.push(
      `${where}: acceptable_grandmasters has no effect in the automotive profile: no Announce names the grandmaster; pin the master with acceptable_masters`,
    );
  }
  return {
    ...(grandmasters.length === 0 ? {} : { acceptableGrandmasters: grandmasters }),
    ...(masters.length === 0 ? {} : { acceptableMasters: masters }),
  };
}

function readEntries(input: LoadDaemonConfigInput, problems: string[], warnings: string[]): readonly ConfigEntry[] {
  let text = input.text;
  const name = input.file ?? TEXT_NAME;
  if (text === undefined && input.file !== undefined) {
    try {
      text = readFileSync(input.file, 'utf8');
    } catch (err) {
      problems.push(`${input.file}: cannot read the configuration file: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (text === undefined) return [];
  const parsed = parseConfigText(text, name);
  problems.push(...parsed.problems);
  warnings.push(...parsed.warnings);
  return parsed.entries;
}

function chooseProfile(flag: Profile | undefined, options: ReadonlyMap<string, SetOption>): { profile: Profile; profileSource: DaemonConfig['profileSource'] } {
  if (flag !== undefined) return { profile: flag, profileSource: 'command line' };
  const automotive = options.get('BMCA')?.value === 'noop' && options.get('slaveOnly')?.value === 1 && options.get('asCapable')?.value === 'true';
  return automotive ? { profile: 'automotive', profileSource: 'configuration file' } : { profile: 'gptp', profileSource: 'default' };
}

/** Values Syntonic cannot honour are problems; options it does not use are warnings. */
function checkOptionUses(options: ReadonlyMap<string, SetOption>, profile: Profile, problems: string[], warnings: string[]): void {
  for (const set of options.values()) {
    const use = set.spec.use;
    const where = `${formatLocation(set.at)}: ${set.spec.name} ${set.raw}`;
    if (use.kind === 'require' && set.value !== use.value) problems.push(`${where}: ${use.because}`);
    if (use.kind === 'field' && use.unsupported?.values.includes(String(set.value)) === true) problems.push(`${where}: ${use.unsupported.because}`);
    if (use.kind === 'ignore' && use.asSyntonic?.(set.value, profile) !== true) {
      const note = use.note === undefined ? '' : `: ${use.note}`;
      warnings.push(`${formatLocation(set.at)}: known linuxptp option '${set.spec.name}' is not used by syntonic (ignored)${note}`);
    }
  }
}

/** Command-line problems first, then the file's in line order (a stable sort keeps each line's own order). */
function inLineOrder(messages: readonly string[], file: string): string[] {
  const lineOf = (message: string): number => {
    if (!message.startsWith(`${file}:`)) return 0;
    const line = Number.parseInt(message.slice(file.length + 1), 10);
    return Number.isNaN(line) ? 0 : line;
  };
  return [...messages].sort((a, b) => lineOf(a) - lineOf(b));
}

function sourceOf(flag: unknown, set: SetOption | undefined, flagName: string): string {
  if (flag !== undefined || set === undefined) return flagName;
  return formatLocation(set.at);
}

function optionalText<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}

function optionalSocketAccess(mode: number | undefined, group: string | undefined): { socketMode?: number; socketGroup?: string | number } {
  return {
    ...(mode === undefined ? {} : { socketMode: mode }),
    ...(group === undefined ? {} : { socketGroup: /^\d+$/.test(group) ? Number(group) : group }),
  };
}

/** refclock_sock_address / --refclock-sock, clock_servo refclock_sock, assume_utc_offset. */
function refclockOf(flag: string | undefined, options: ReadonlyMap<string, SetOption>): Pick<DaemonConfig, 'refclock' | 'assumedUtcOffset'> {
  const servo = options.get('clock_servo');
  const measuredOffsets = servo?.value === 'refclock_sock';
  const address = flag ?? textOf(options.get('refclock_sock_address')) ?? (measuredOffsets ? DEFAULT_REFCLOCK_SOCK_ADDRESS : undefined);
  const assumed = numberOf(options.get('assume_utc_offset'));
  return {
    ...(address === undefined ? {} : { refclock: { address, measuredOffsets } }),
    ...(assumed === undefined ? {} : { assumedUtcOffset: assumed }),
  };
}

/** kalman_wander_file: an absolute path (the daemon's working directory is nobody's business). */
function wanderFileSetting(set: SetOption | undefined, problems: string[]): { wanderFile?: string } {
  const text = textOf(set);
  if (set === undefined || text === undefined) return {};
  if (!text.startsWith('/')) {
    problems.push(`${formatLocation(set.at)}: kalman_wander_file must be an absolute path, got "${text}"`);
    return {};
  }
  return { wanderFile: text };
}

/** --time-page, else time_page, else the default path (not required: a warning if it cannot be made). */
function timePageSetting(flag: string | null | undefined, set: SetOption | undefined, problems: string[]): DaemonConfig['timePage'] {
  if (flag !== undefined) return flag === null ? null : { path: flag, required: true };
  const text = textOf(set);
  if (set === undefined || text === undefined) return { path: DEFAULT_TIME_PAGE_PATH, required: false };
  const parsed = parseTimePage(`${formatLocation(set.at)}: time_page`, text);
  if (!parsed.ok) {
    problems.push(parsed.problem);
    return null;
  }
  return parsed.value === null ? null : { path: parsed.value, required: true };
}
