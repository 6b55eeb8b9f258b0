/**
 * The flags of `syntonic run` that override the configuration file, as the strings the user typed
 * (the command passes parseArgs' values straight in); they are checked here with the file, so that
 * every mistake is reported at once.
 */
import type { ClockIdentity, PortIdentity } from '../../protocol/messages.js';
import { parseClockIdentityList, parsePortIdentityList } from './identityLists.js';

export interface CommandLineOverrides {
  /** --profile gptp|automotive */
  readonly profile: string;
  /** --timestamping auto|hardware|software */
  readonly timestamping: string;
  /** --clock phc|virtual */
  readonly clock: string;
  /** --socket PATH: the time-base provider socket. */
  readonly socketPath: string;
  /** --log-level: a syslog level 0–7 or its name (err, warning, notice, info, debug, …). */
  readonly logLevel: string;
  /** --log-format text|json */
  readonly logFormat: string;
  /** --metrics HOST:PORT, :PORT or PORT (host 127.0.0.1). */
  readonly metrics: string;
  /** --refclock-sock PATH: chrony's SOCK refclock socket (refclock_sock_address). */
  readonly refclockSock: string;
  /** --time-page PATH|none: the shared-memory time page. */
  readonly timePage: string;
  /** --acceptable-grandmasters ID[,ID…] (clock identities); empty: any, whatever the file says. */
  readonly acceptableGrandmasters: string;
  /** --acceptable-masters PORTID[,PORTID…] (port identities); empty: any, whatever the file says. */
  readonly acceptableMasters: string;
}

export interface MetricsEndpoint {
  readonly host: string;
  readonly port: number;
}

export const DEFAULT_METRICS_HOST = '127.0.0.1';

/** syslog(3) priorities, as ptp4l's logging_level. */
export const LOG_LEVEL_NAMES: Readonly<Record<string, number>> = {
  emerg: 0,
  alert: 1,
  crit: 2,
  err: 3,
  error: 3,
  warning: 4,
  warn: 4,
  notice: 5,
  info: 6,
  debug: 7,
};

/** A flag's value, or the sentence saying what is wrong with it. */
export type FlagResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

export function parseChoice<T extends string>(flag: string, raw: string, choices: readonly T[]): FlagResult<T> {
  const match = choices.find((c) => c === raw.toLowerCase());
  if (match !== undefined) return { ok: true, value: match };
  return { ok: false, problem: `${flag}: '${raw}' is not one of ${choices.join(', ')}` };
}

export function parseLogLevel(raw: string): FlagResult<number> {
  const named = Object.hasOwn(LOG_LEVEL_NAMES, raw.toLowerCase()) ? LOG_LEVEL_NAMES[raw.toLowerCase()] : undefined;
  if (named !== undefined) return { ok: true, value: named };
  if (/^[0-7]$/.test(raw)) return { ok: true, value: Number(raw) };
  return { ok: false, problem: `--log-level: '${raw}' is neither a syslog level 0–7 nor one of ${Object.keys(LOG_LEVEL_NAMES).join(', ')}` };
}

/** HOST:PORT, [IPV6]:PORT, :PORT or PORT; the host defaults to 127.0.0.1 (never all interfaces by accident). */
export function parseMetricsEndpoint(raw: string): FlagResult<MetricsEndpoint> {
  const match = /^(?:(\[[0-9a-fA-F:.]+\]|[^\s:[\]]*):)?([0-9]+)$/.exec(raw);
  const port = match === null ? NaN : Number(match[2]);
  if (match === null || !(port >= 1 && port <= 65535)) {
    return { ok: false, problem: `--metrics: '${raw}' is not HOST:PORT (e.g. 127.0.0.1:9100, :9100 or 9100; port 1–65535)` };
  }
  const host = match[1] === undefined || match[1] === '' ? DEFAULT_METRICS_HOST : match[1].replace(/^\[(.*)\]$/, '$1');
  return { ok: true, value: { host, port } };
}

export function parseClockIdentitiesFlag(raw: string): FlagResult<readonly ClockIdentity[]> {
  const r = parseClockIdentityList(raw);
  return r.ok ? r : { ok: false, problem: `--acceptable-grandmasters: ${r.problem}` };
}

export function parsePortIdentitiesFlag(raw: string): FlagResult<readonly PortIdentity[]> {
  const r = parsePortIdentityList(raw);
  return r.ok ? r : { ok: false, problem: `--acceptable-masters: ${r.problem}` };
}

export function parseSocketPathFlag(raw: string, flag = '--socket'): FlagResult<string> {
  if (raw.trim() === '') return { ok: false, problem: `${flag}: the path is empty` };
  return { ok: true, value: raw };
}

/** The time page's path (--time-page, time_page): an absolute path, or `none` to write no page. */
export function parseTimePage(name: string, raw: string): FlagResult<string | null> {
  if (raw === 'none') return { ok: true, value: null };
  if (!raw.startsWith('/') || /\s/.test(raw)) return { ok: false, problem: `${name}: '${raw}' is neither an absolute path (without blanks) nor none` };
  return { ok: true, value: raw };
}
