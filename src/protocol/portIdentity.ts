import type { ClockIdentity, MacAddress, PortIdentity } from './messages.js';

export function portIdentityEquals(a: PortIdentity, b: PortIdentity): boolean {
  return a.clockIdentity === b.clockIdentity && a.portNumber === b.portNumber;
}

/** Orders port identities as 1588-2019 7.5.2.4 does: clockIdentity, then portNumber. */
export function comparePortIdentity(a: PortIdentity, b: PortIdentity): number {
  if (a.clockIdentity !== b.clockIdentity) return a.clockIdentity < b.clockIdentity ? -1 : 1;
  return a.portNumber - b.portNumber;
}

/** EUI-48 to EUI-64 clockIdentity by inserting FF-FE (802.1AS-2020 8.5.2.2, as linuxptp does). */
export function clockIdentityFromMac(mac: MacAddress): ClockIdentity {
  const m = BigInt(mac);
  return ((m >> 24n) << 40n) | (0xfffen << 24n) | (m & 0xffffffn);
}

/** A short key usable in a Map. */
export function portIdentityKey(p: PortIdentity): string {
  return `${p.clockIdentity.toString(16).padStart(16, '0')}-${p.portNumber}`;
}
