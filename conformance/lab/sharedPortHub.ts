/**
 * One grandmaster port shared by both slaves, so that Syntonic and ptp4l's servo get the very same
 * Syncs in the same run (issue 14's same-port comparison without the link's run-to-run wander): a hub
 * namespace between the grandmaster's link and the two slaves' links whose nftables rules (netdev
 * family, one ingress chain per port) copy what the grandmaster sends to both slaves and keep each
 * slave's peer-delay exchange a point-to-point one, as gPTP requires (802.1AS-2020 11.2.2):
 *
 *   [gm] ──veth── gmPort ─┬─ (hub) ─┬── synPort ──veth── [syn]
 *                                   └── refPort ──veth── [ref]
 *
 * - the slaves never hear each other (two Pdelay responders on one port: ptp4l faults with
 *   "multiple peer responses", LAB-NOTES);
 * - the grandmaster hears the reference's Pdelay_Resp and Pdelay_Resp_Follow_Up, never Syntonic's
 *   (a second responder faults it the same way; Syntonic answers into the hub);
 * - each slave hears the grandmaster's answers to its own Pdelay_Req only (requestingPortIdentity,
 *   802.1AS-2020 11.4.6.3): ptp4l takes an answer to someone else, before its own first request,
 *   for a "rogue peer delay response" and faults.
 *
 * Frames are copied (`dup`) and the original dropped, never forwarded as they are: a forwarded frame
 * still belongs to its sender's socket, and the next veth's TX stamp of it reaches that socket's
 * error queue as a second timestamp, which ptp4l takes for a socket error. A Linux bridge would do
 * the same copying, but measured on this VM it puts 18–24 µs into every Sync (this hub: ~15 µs with
 * a third of the bridge's spread; a bare veth: 2.6 µs). The copy to the second slave leaves after the
 * first: the slave served second gets every Sync later by the flood skew δ. `firstCopyTo` chooses
 * which slave is served first; the lab alternates it (`--order`) and the captures measure δ.
 */
import { parseMac } from '../../src/protocol/format.js';
import { clockIdentityFromMac } from '../../src/protocol/portIdentity.js';
import { ip, LabError, type Lab } from './netns.js';
import { loadNftRuleset, PDELAY_ANSWER_MATCH, REQUESTING_CLOCK_IDENTITY_BITS } from './nftables.js';
import type { PortOrder } from './starLab.js';

/** The slave the hub copies each of the grandmaster's frames to first. */
export type FloodFirst = 'syntonic' | 'reference';

/** `--order` on a shared port: 1 = the hub serves Syntonic first, 2 = the reference. */
export function floodFirstOf(order: PortOrder): FloodFirst {
  return order === 1 ? 'syntonic' : 'reference';
}

/** The `--order` that serves `first` first (the inverse of floodFirstOf). */
export function orderOf(first: FloodFirst): PortOrder {
  return first === 'syntonic' ? 1 : 2;
}

export interface SharedPortHubPorts {
  /** The hub's end of the grandmaster's link. */
  readonly gmPort: string;
  /** The hub's end of Syntonic's link. */
  readonly synPort: string;
  /** The hub's end of the reference's link. */
  readonly refPort: string;
}

/** The slaves' clock identities as 16 hex digits (nftables matches the requestingPortIdentity with them). */
export interface SlaveIdentities {
  readonly syntonic: string;
  readonly reference: string;
}

/** The nftables ruleset of the hub (netdev family, an ingress chain on each of its ports): see the file comment. */
export function sharedPortRuleset(ports: SharedPortHubPorts, ids: SlaveIdentities, firstCopyTo: FloodFirst): string {
  const answers = PDELAY_ANSWER_MATCH;
  const answersTo = (id: string): string => `${answers} ${REQUESTING_CLOCK_IDENTITY_BITS} 0x${id}`;
  const slaves = firstCopyTo === 'syntonic' ? [ports.synPort, ports.refPort] : [ports.refPort, ports.synPort];
  const chain = (name: string, port: string, rules: readonly string[]): string[] => [
    `  chain ${name} {`,
    `    type filter hook ingress device "${port}" priority 0; policy drop;`,
    ...rules.map((r) => `    ${r}`),
    '  }',
  ];
  return [
    'table netdev syntonic_shared_port {',
    ...chain('from_grandmaster', ports.gmPort, [
      `${answersTo(ids.syntonic)} dup to "${ports.synPort}" drop`,
      `${answersTo(ids.reference)} dup to "${ports.refPort}" drop`,
      `${answers} drop`,
      `dup to "${slaves[0]}" dup to "${slaves[1]}" drop`,
    ]),
    ...chain('from_syntonic', ports.synPort, [`${answers} drop`, `dup to "${ports.gmPort}" drop`]),
    ...chain('from_reference', ports.refPort, [`dup to "${ports.gmPort}" drop`]),
    '}',
    '',
  ].join('\n');
}

/** The clock identity a stack derives from an interface's MAC address (802.1AS-2020 8.5.2.2), as 16 hex digits. */
export function clockIdentityHexFromMac(mac: string): string {
  const parsed = parseMac(mac);
  if (parsed === undefined) throw new LabError(`'${mac}' is not a MAC address`, 'shared-port hub');
  return clockIdentityFromMac(parsed).toString(16).padStart(16, '0');
}

/** An interface's MAC address, as `ip link` reports it. */
export function macAddressOf(namespace: string, interfaceName: string): string {
  const [link] = JSON.parse(ip(['-j', '-n', namespace, 'link', 'show', 'dev', interfaceName])) as { address?: string }[];
  if (link?.address === undefined) throw new LabError(`no MAC address on ${interfaceName}`, 'shared-port hub');
  return link.address;
}

/** Builds the hub in `namespace`: its ruleset, loaded there only (see the file comment). */
export function buildSharedPortHub(lab: Lab, namespace: string, ports: SharedPortHubPorts, ids: SlaveIdentities, firstCopyTo: FloodFirst): void {
  loadNftRuleset(lab, namespace, sharedPortRuleset(ports, ids, firstCopyTo), 'shared-port hub');
}
