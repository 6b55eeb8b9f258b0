/**
 * Lists of clock identities (acceptable_grandmasters) and port identities (acceptable_masters) as a
 * linuxptp user writes them: `001122.fffe.334455` and `001122.fffe.334455-1` (pmc's form), separated
 * by blanks (in the .cfg) or commas (on the command line).
 */
import { formatClockIdentity, formatPortIdentity, parseClockIdentity, parsePortIdentity } from '../../protocol/format.js';
import type { ClockIdentity, PortIdentity } from '../../protocol/messages.js';

export type ListResult<T> = { readonly ok: true; readonly value: readonly T[] } | { readonly ok: false; readonly problem: string };

const SEPARATORS = /[\s,]+/;

function tokens(text: string): string[] {
  return text.split(SEPARATORS).filter((t) => t !== '');
}

export function parseClockIdentityList(text: string): ListResult<ClockIdentity> {
  const out: ClockIdentity[] = [];
  for (const token of tokens(text)) {
    const id = parseClockIdentity(token);
    if (id === undefined) return { ok: false, problem: `'${token}' is not a clock identity such as 001122.fffe.334455` };
    out.push(id);
  }
  return { ok: true, value: out };
}

/** portNumber 0 and 0xFFFF (all ports) name no neighbour port (802.1AS-2020 8.5.2.3). */
export function parsePortIdentityList(text: string): ListResult<PortIdentity> {
  const out: PortIdentity[] = [];
  for (const token of tokens(text)) {
    const id = parsePortIdentity(token);
    if (id === undefined) return { ok: false, problem: `'${token}' is not a port identity such as 001122.fffe.334455-1` };
    if (id.portNumber === 0 || id.portNumber === 0xffff) return { ok: false, problem: `'${token}': portNumber must be from 1 to 65534` };
    out.push(id);
  }
  return { ok: true, value: out };
}

export function formatClockIdentityList(ids: readonly ClockIdentity[]): string {
  return ids.map(formatClockIdentity).join(' ');
}

export function formatPortIdentityList(ids: readonly PortIdentity[]): string {
  return ids.map(formatPortIdentity).join(' ');
}
