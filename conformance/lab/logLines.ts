/**
 * Typed readings of the lines ptp4l (3.1.1, `-m`) and `syntonic run` print. Both speak linuxptp's
 * words: `master offset X sN freq ±F path delay D` per estimate, `port N: FROM to TO on EVENT` (ptp4l)
 * or `port N (iface): FROM to TO: reason` (Syntonic), `selected best master clock …`. Syntonic's JSON
 * log (`--log-format json`, one pino object per line) carries the same message in `msg` and the
 * unrounded numbers as fields.
 */

export type ServoStateName = 's0' | 's1' | 's2' | 's3';

/** One `master offset` line. */
export interface OffsetSample {
  /** When the line arrived, Date.now() ms. */
  readonly atMs: number;
  readonly offsetNs: number;
  readonly servoState: ServoStateName;
  readonly frequencyPpb: number;
  readonly pathDelayNs: number;
  /** Syntonic's JSON log only: the Sync's ingress timestamp (CLOCK_REALTIME for software timestamps), ns. */
  readonly ingressNs?: bigint;
  /** Syntonic's JSON log only: the grandmaster time it computed for that ingress (origin + corrections + link delay), ns. */
  readonly gmTimeNs?: bigint;
  /** Syntonic's JSON log only (since 0487da9): the Sync's rateRatio (802.1AS-2020 10.2.8.1.4), the frequency the Pdelay exchanges measure. */
  readonly rateRatio?: number;
  /** Syntonic's JSON log only: 1 σ of that rateRatio, when the engine measured one (dimensionless). */
  readonly rateRatioSigma?: number;
  /** Syntonic's JSON log only (since 06e093b): the time that rateRatio spans, s. */
  readonly rateRatioSpanS?: number;
  /** Syntonic only: why the servo left this offset out (`… not used: offset outlier`); absent when it used it. */
  readonly notUsed?: string;
}

export interface PortStateChange {
  readonly atMs: number;
  readonly port: number;
  readonly from: string;
  readonly to: string;
  /** ptp4l's event (e.g. ANNOUNCE_RECEIPT_TIMEOUT_EXPIRES) or Syntonic's reason. */
  readonly why: string;
}

/** Syntonic's `status A to B: reason`. */
export interface StatusChange {
  readonly atMs: number;
  readonly from: string;
  readonly to: string;
  readonly reason: string;
}

/** Syntonic's `asCapable true|false: reason`. */
export interface AsCapableChange {
  readonly atMs: number;
  readonly asCapable: boolean;
  readonly reason: string;
}

const PROGRAM_PREFIX = /^\S+\[[\d.]+\]: /;
const MASTER_OFFSET = /master offset\s+(-?\d+(?:\.\d+)?) (s[0-3]) freq\s+([+-])\s*(\d+(?:\.\d+)?) path delay\s+(-?\d+(?:\.\d+)?)/;
const PTP4L_PORT_STATE = /^port (\d+)(?: \([^)]*\))?: ([A-Z_]+) to ([A-Z_]+) on (\S+)/;
const SYNTONIC_PORT_STATE = /^port (\d+) \([^)]*\): ([A-Z_]+) to ([A-Z_]+): (.*)$/;
const NOT_USED = / not used: (.+)$/;
const STATUS = /^status (\w+) to (\w+): (.*)$/;
const AS_CAPABLE = /asCapable (true|false): (.*)$/;

/** The message of a log line: without ptp4l's `name[t]: ` prefix, or a JSON line's `msg`. */
export function messageOf(text: string): { message: string; fields: Readonly<Record<string, unknown>> } {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (typeof parsed === 'object' && parsed !== null && typeof (parsed as { msg?: unknown }).msg === 'string') {
        return { message: (parsed as { msg: string }).msg, fields: parsed as Record<string, unknown> };
      }
    } catch {
      // not JSON after all: read it as text
    }
  }
  return { message: trimmed.replace(PROGRAM_PREFIX, ''), fields: {} };
}

function numberField(fields: Readonly<Record<string, unknown>>, name: string): number | undefined {
  const v = fields[name];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function bigintField<K extends string>(fields: Readonly<Record<string, unknown>>, name: K): Partial<Record<K, bigint>> {
  const v = fields[name];
  return typeof v === 'string' && /^-?\d+$/.test(v) ? ({ [name]: BigInt(v) } as Partial<Record<K, bigint>>) : {};
}

function optionalNumberField<K extends string>(fields: Readonly<Record<string, unknown>>, name: K): Partial<Record<K, number>> {
  const v = numberField(fields, name);
  return v === undefined ? {} : ({ [name]: v } as Partial<Record<K, number>>);
}

export function parseOffsetSample(text: string, atMs: number): OffsetSample | undefined {
  const { message, fields } = messageOf(text);
  const m = MASTER_OFFSET.exec(message);
  if (m === null) return undefined;
  const [, offset, state, sign, freq, delay] = m as unknown as [string, string, ServoStateName, string, string, string];
  // JSON lines carry the unrounded values; text lines the rounded ones ptp4l-style.
  return {
    atMs,
    offsetNs: numberField(fields, 'offsetNs') ?? Number(offset),
    servoState: state,
    frequencyPpb: numberField(fields, 'frequencyPpb') ?? (sign === '-' ? -1 : 1) * Number(freq),
    pathDelayNs: numberField(fields, 'pathDelayNs') ?? Number(delay),
    ...bigintField(fields, 'ingressNs'),
    ...bigintField(fields, 'gmTimeNs'),
    ...optionalNumberField(fields, 'rateRatio'),
    ...optionalNumberField(fields, 'rateRatioSigma'),
    ...optionalNumberField(fields, 'rateRatioSpanS'),
    ...notUsedOf(message),
  };
}

function notUsedOf(message: string): { notUsed?: string } {
  const m = NOT_USED.exec(message);
  return m === null ? {} : { notUsed: m[1] ?? '' };
}

export function parsePortStateChange(text: string, atMs: number): PortStateChange | undefined {
  const { message } = messageOf(text);
  const m = PTP4L_PORT_STATE.exec(message) ?? SYNTONIC_PORT_STATE.exec(message);
  if (m === null) return undefined;
  return { atMs, port: Number(m[1]), from: m[2] ?? '', to: m[3] ?? '', why: m[4] ?? '' };
}

export function parseStatusChange(text: string, atMs: number): StatusChange | undefined {
  const m = STATUS.exec(messageOf(text).message);
  if (m === null) return undefined;
  return { atMs, from: m[1] ?? '', to: m[2] ?? '', reason: m[3] ?? '' };
}

export function parseAsCapableChange(text: string, atMs: number): AsCapableChange | undefined {
  const m = AS_CAPABLE.exec(messageOf(text).message);
  if (m === null) return undefined;
  return { atMs, asCapable: m[1] === 'true', reason: m[2] ?? '' };
}
