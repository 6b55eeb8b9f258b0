/**
 * Typed reading of parsed JSON with every failure naming the field's dotted path: the provider's wire
 * snapshot (wireSnapshot.ts) and the files the daemon keeps (cli/daemon/wanderFile.ts) read through it.
 */
import { monotonicRawTime, type MonotonicRawTime } from '../clock/timePoint.js';
import { parseClockIdentity } from '../protocol/format.js';
import type { PortIdentity } from '../protocol/messages.js';

/** A field that is missing or not what it must be: its dotted path, and the message that says so. */
export class WireFieldError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** Typed access to the fields of one JSON object; every failure names the field's dotted path. */
export class Fields {
  private readonly obj: Record<string, unknown>;

  constructor(
    value: unknown,
    private readonly path: string,
  ) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new WireFieldError(path, `${path} must be an object`);
    this.obj = value as Record<string, unknown>;
  }

  keys(): string[] {
    return Object.keys(this.obj);
  }

  /** Whether the field is present (an optional field a provider before it does not send). */
  has(name: string): boolean {
    return Object.hasOwn(this.obj, name);
  }

  isNull(name: string): boolean {
    return this.obj[name] === null;
  }

  object(name: string): Fields {
    return new Fields(this.obj[name], this.name(name));
  }

  nullable<T>(name: string, read: (f: Fields) => T): T | null {
    return this.obj[name] === null ? null : read(this.object(name));
  }

  string(name: string): string {
    const v = this.obj[name];
    if (typeof v !== 'string') throw this.fail(name, 'a string');
    return v;
  }

  boolean(name: string): boolean {
    const v = this.obj[name];
    if (typeof v !== 'boolean') throw this.fail(name, 'true or false');
    return v;
  }

  number(name: string, min = -Number.MAX_VALUE): number {
    const v = this.obj[name];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min)
      throw this.fail(name, min > 0 ? 'a positive number' : min === 0 ? 'a number ≥ 0' : 'a finite number');
    return v;
  }

  integer(name: string, min: number, max: number): number {
    const v = this.obj[name];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw this.fail(name, `an integer in [${min}, ${max}]`);
    return v;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T {
    const v = this.obj[name];
    if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) throw this.fail(name, `one of ${allowed.join(', ')}`);
    return v as T;
  }

  /** An exact integer written as a decimal string (ns). */
  decimal(name: string): bigint {
    const v = this.obj[name];
    if (typeof v !== 'string' || !/^-?[0-9]{1,30}$/.test(v)) throw this.fail(name, 'a decimal integer string');
    return BigInt(v);
  }

  monotonicRaw(name: string): MonotonicRawTime {
    const ns = this.decimal(name);
    if (ns < 0n) throw this.fail(name, 'a CLOCK_MONOTONIC_RAW instant ≥ 0');
    return monotonicRawTime(ns);
  }

  clockIdentity(name: string): bigint {
    const v = this.obj[name];
    const id = typeof v === 'string' ? parseClockIdentity(v) : undefined;
    if (id === undefined) throw this.fail(name, 'a clock identity like 001122.fffe.334455');
    return id;
  }

  portIdentity(name: string): PortIdentity {
    const v = this.obj[name];
    const m = typeof v === 'string' ? /^([0-9a-fA-F.]+)-([0-9]{1,5})$/.exec(v) : null;
    const clockIdentity = m?.[1] === undefined ? undefined : parseClockIdentity(m[1]);
    const portNumber = Number(m?.[2]);
    if (clockIdentity === undefined || !(portNumber <= 0xffff)) throw this.fail(name, 'a port identity like 001122.fffe.334455-1');
    return { clockIdentity, portNumber };
  }

  private name(field: string): string {
    return `${this.path}.${field}`;
  }

  private fail(field: string, expected: string): WireFieldError {
    const v = this.obj[field];
    const shown = v === undefined ? 'missing' : JSON.stringify(v).slice(0, 60);
    return new WireFieldError(this.name(field), `${this.name(field)} must be ${expected} (got ${shown})`);
  }
}
