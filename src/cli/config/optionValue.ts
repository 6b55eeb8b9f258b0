/**
 * Value types of configuration options, parsed as ptp4l parses them (linuxptp 3.1.1 util.c
 * get_ranged_int/get_ranged_double, config.c parse_item), so that a file means the same to both:
 *  - integers as C strtol with base 0: decimal, 0x hex, and (as strtol does) a leading 0 means octal;
 *  - numbers as strtod (decimal, exponent); inf and nan are refused;
 *  - enumerations case-insensitively;
 *  - the whole rest of the line is the value: there are no inline comments.
 */
import type { PortIdentity } from '../../protocol/messages.js';
import { formatClockIdentityList, formatPortIdentityList, parseClockIdentityList, parsePortIdentityList } from './identityLists.js';

export type ValueType =
  | { readonly kind: 'int'; readonly min: number; readonly max: number }
  | { readonly kind: 'float'; readonly min: number; readonly max: number }
  | { readonly kind: 'enum'; readonly values: readonly string[] }
  | { readonly kind: 'string' }
  /** An absolute path of a Unix socket (at most 107 bytes, sun_path). */
  | { readonly kind: 'socketPath' }
  /** Six colon-separated hex octets, as ptp4l's str2mac. */
  | { readonly kind: 'mac' }
  /** ptp4l's fault intervals: an integer (log2 s) or ASAP. */
  | { readonly kind: 'faultInterval'; readonly min: number; readonly max: number }
  /** Blank-separated clock identities (001122.fffe.334455) or port identities (001122.fffe.334455-1). */
  | { readonly kind: 'identityList'; readonly of: 'clock' | 'port' };

/** A parsed value: numbers for int/float, the canonical spelling for enum, MAC and ASAP. */
export type OptionValue = number | string;

export type ValueResult =
  { readonly ok: true; readonly value: OptionValue } | { readonly ok: false; readonly problem: 'malformed' | 'outOfRange'; readonly detail?: string };

export const INT_MIN = -2_147_483_648;
export const INT_MAX = 2_147_483_647;
/** C's DBL_MIN, the lower bound ptp4l gives the PI norm maxima: "greater than zero". */
export const DBL_MIN = 2.2250738585072014e-308;

export const int = (min: number, max: number): ValueType => ({ kind: 'int', min, max });
export const float = (min: number, max: number): ValueType => ({ kind: 'float', min, max });
export const oneOf = (...values: string[]): ValueType => ({ kind: 'enum', values });
export const BOOL = int(0, 1);
export const INT8 = int(-128, 127);
export const UINT8 = int(0, 255);
export const ANY_INT = int(INT_MIN, INT_MAX);
export const TEXT: ValueType = { kind: 'string' };
export const MAC: ValueType = { kind: 'mac' };
export const SOCKET_PATH: ValueType = { kind: 'socketPath' };
export const CLOCK_IDENTITIES: ValueType = { kind: 'identityList', of: 'clock' };
export const PORT_IDENTITIES: ValueType = { kind: 'identityList', of: 'port' };

const C_INTEGER = /^[+-]?(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/;
const C_DOUBLE = /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/;
const MAC_ADDRESS = /^[0-9a-fA-F]{1,2}(:[0-9a-fA-F]{1,2}){5}$/;
/** sizeof(sockaddr_un.sun_path) − 1. */
const MAX_SOCKET_PATH_BYTES = 107;

export function parseValue(type: ValueType, raw: string): ValueResult {
  switch (type.kind) {
    case 'int':
      return ranged(parseCInteger(raw), type.min, type.max);
    case 'float':
      return ranged(C_DOUBLE.test(raw) ? Number(raw) : undefined, type.min, type.max);
    case 'enum': {
      const match = type.values.find((v) => v.toLowerCase() === raw.toLowerCase());
      return match === undefined ? { ok: false, problem: 'malformed' } : { ok: true, value: match };
    }
    case 'string':
      return { ok: true, value: raw };
    case 'socketPath':
      if (!raw.startsWith('/') || /\s/.test(raw)) return { ok: false, problem: 'malformed' };
      if (Buffer.byteLength(raw) > MAX_SOCKET_PATH_BYTES) return { ok: false, problem: 'outOfRange' };
      return { ok: true, value: raw };
    case 'mac':
      if (!MAC_ADDRESS.test(raw)) return { ok: false, problem: 'malformed' };
      return { ok: true, value: canonicalMac(raw) };
    case 'faultInterval':
      if (raw.toUpperCase() === 'ASAP') return { ok: true, value: 'ASAP' };
      return ranged(parseCInteger(raw), type.min, type.max);
    case 'identityList': {
      // Kept as the canonical text (one form per identity); daemonConfig reads the identities from it.
      const parsed = type.of === 'clock' ? parseClockIdentityList(raw) : parsePortIdentityList(raw);
      if (!parsed.ok) return { ok: false, problem: 'malformed', detail: parsed.problem };
      return {
        ok: true,
        value:
          type.of === 'clock' ? formatClockIdentityList(parsed.value as readonly bigint[]) : formatPortIdentityList(parsed.value as readonly PortIdentity[]),
      };
    }
  }
}

/** What a valid value looks like, for error messages. */
export function describeType(type: ValueType): string {
  switch (type.kind) {
    case 'int':
      if (type.min === 0 && type.max === 1) return '0 or 1';
      return `${integerRange(type.min, type.max)} (decimal or 0x hex)`;
    case 'float':
      return floatRange(type.min, type.max);
    case 'enum':
      return type.values.length === 2 ? `${type.values[0]} or ${type.values[1]}` : `one of ${type.values.join(', ')}`;
    case 'string':
      return 'some text';
    case 'socketPath':
      return `an absolute path of at most ${MAX_SOCKET_PATH_BYTES} bytes, without spaces`;
    case 'mac':
      return 'a MAC address such as 01:80:C2:00:00:0E';
    case 'faultInterval':
      return `ASAP or ${integerRange(type.min, type.max)} (log2 s)`;
    case 'identityList':
      return type.of === 'clock'
        ? 'clock identities such as 001122.fffe.334455, separated by blanks'
        : 'port identities such as 001122.fffe.334455-1, separated by blanks';
  }
}

/** 1:80:c2:0:0:e → 01:80:C2:00:00:0E, so that MAC addresses compare as text. */
export function canonicalMac(raw: string): string {
  return raw
    .split(':')
    .map((octet) => octet.padStart(2, '0').toUpperCase())
    .join(':');
}

function parseCInteger(raw: string): number | undefined {
  if (!C_INTEGER.test(raw)) return undefined;
  const negative = raw.startsWith('-');
  const digits = raw.replace(/^[+-]/, '');
  let magnitude: bigint;
  if (/^0[xX]/.test(digits)) magnitude = BigInt(digits);
  else if (digits.length > 1 && digits.startsWith('0')) magnitude = BigInt(`0o${digits.slice(1)}`);
  else magnitude = BigInt(digits);
  // Beyond ±2^53 the rounding does not matter: such a value is out of every option's range.
  return Number(negative ? -magnitude : magnitude);
}

function ranged(value: number | undefined, min: number, max: number): ValueResult {
  if (value === undefined || Number.isNaN(value)) return { ok: false, problem: 'malformed' };
  if (!Number.isFinite(value) || value < min || value > max) return { ok: false, problem: 'outOfRange' };
  return { ok: true, value };
}

function integerRange(min: number, max: number): string {
  if (min === INT_MIN && max === INT_MAX) return 'an integer';
  if (min === INT_MIN) return `an integer ≤ ${max}`;
  if (max === INT_MAX) return `an integer ≥ ${min}`;
  return `an integer from ${min} to ${max}`;
}

function floatRange(min: number, max: number): string {
  const upper = max === Number.MAX_VALUE ? '' : ` and ≤ ${max}`;
  if (min === -Number.MAX_VALUE) return max === Number.MAX_VALUE ? 'a number' : `a number ≤ ${max}`;
  if (min === DBL_MIN) return `a number > 0${upper}`;
  return `a number ≥ ${min}${upper}`;
}
