/**
 * Text forms a linuxptp/Wireshark user recognises: clock identities as 001122.fffe.334455 (ptp4l,
 * pmc), port identities as 001122.fffe.334455-1, MAC addresses as 01:80:c2:00:00:0e.
 * (Started by the engine; the codec extends this file — keep these names.)
 */
import type { ClockIdentity, MacAddress, PortIdentity } from './messages.js';

export function formatClockIdentity(id: ClockIdentity): string {
  const hex = id.toString(16).padStart(16, '0');
  return `${hex.slice(0, 6)}.${hex.slice(6, 10)}.${hex.slice(10, 16)}`;
}

export function formatPortIdentity(p: PortIdentity): string {
  return `${formatClockIdentity(p.clockIdentity)}-${p.portNumber}`;
}

/** Parses 001122.fffe.334455 (also 00:11:22:ff:fe:33:44:55 and plain 16 hex digits). */
export function parseClockIdentity(text: string): ClockIdentity | undefined {
  const hex = text.replace(/[.:-]/g, '');
  if (!/^[0-9a-fA-F]{16}$/.test(hex)) return undefined;
  return BigInt(`0x${hex}`);
}

export function formatMac(mac: MacAddress): string {
  const hex = mac.toString(16).padStart(12, '0');
  return hex.replace(/(..)(?!$)/g, '$1:');
}

/** Parses 01:80:c2:00:00:0e or 01-80-C2-00-00-0E. */
export function parseMac(text: string): MacAddress | undefined {
  if (!/^[0-9a-fA-F]{2}([:-][0-9a-fA-F]{2}){5}$/.test(text)) return undefined;
  return parseInt(text.replace(/[:-]/g, ''), 16);
}

/** A delay or offset in ns for a sentence: "800 ns", "1.35 µs", "2.1 ms". */
export function formatDelayNs(ns: number): string {
  const a = Math.abs(ns);
  if (a < 1e3) return `${Math.round(ns)} ns`;
  if (a < 1e6) return `${(ns / 1e3).toPrecision(3)} µs`;
  if (a < 1e9) return `${(ns / 1e6).toPrecision(3)} ms`;
  return `${(ns / 1e9).toPrecision(4)} s`;
}
