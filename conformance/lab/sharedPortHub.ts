/**
 * One grandmaster port shared by both slaves, so that Syntonic and ptp4l's servo get the very same
 * Syncs in the same run (issue 14's same-port comparison without the link's run-to-run wander): a
 * Linux bridge forwards what the grandmaster sends to both slaves, and an nftables filter keeps each
 * slave's peer-delay exchange a point-to-point one, as gPTP requires (802.1AS-2020 11.2.2):
 *
 *   [gm] ──veth── gmPort ┬─ br0 ─┬── synPort ──veth── [syn]
 *                        (hub)   └── refPort ──veth── [ref]
 *
 * - the slaves never hear each other (two Pdelay responders on one port: ptp4l faults with
 *   "multiple peer responses", LAB-NOTES);
 * - the grandmaster hears the reference's Pdelay_Resp and Pdelay_Resp_Follow_Up, never Syntonic's
 *   (a second responder faults it the same way; Syntonic answers into the filter);
 * - each slave hears the grandmaster's answers to its own Pdelay_Req only (requestingPortIdentity,
 *   802.1AS-2020 11.4.6.3): ptp4l takes an answer to someone else, before its own first request,
 *   for a "rogue peer delay response" and faults.
 *
 * A bridge copies a flooded frame to its ports one after the other: the slave served second gets
 * every Sync and Pdelay_Resp later by the flood skew δ, and a perfect slave there is δ/2 late (its
 * link delay grows by δ/2, its Syncs by δ). `firstCopyTo` chooses which slave is served first; the
 * lab alternates it (`--order`) and the captures measure δ.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ip, LabError, type Lab } from './netns.js';

/** The slave the bridge copies each flooded frame to first. */
export type FloodFirst = 'syntonic' | 'reference';

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

/** messageType of Pdelay_Resp and Pdelay_Resp_Follow_Up (IEEE 1588-2019 Table 36). */
const PDELAY_ANSWERS = '{ 0x3, 0xa }';
/** Bit offsets from the Ethernet header: the messageType nibble, and requestingPortIdentity's clockIdentity (PTP octet 44). */
const MESSAGE_TYPE_BITS = '@ll,116,4';
const REQUESTING_CLOCK_IDENTITY_BITS = '@ll,464,64';

/** The nftables ruleset of the hub (bridge family, forward hook): see the file comment. */
export function sharedPortRuleset(ports: SharedPortHubPorts, ids: SlaveIdentities): string {
  const ptp = 'ether type 0x88f7';
  const answers = `${MESSAGE_TYPE_BITS} ${PDELAY_ANSWERS}`;
  return [
    'table bridge syntonic_shared_port {',
    '  chain forward {',
    '    type filter hook forward priority 0; policy accept;',
    `    iifname "${ports.synPort}" oifname "${ports.refPort}" drop`,
    `    iifname "${ports.refPort}" oifname "${ports.synPort}" drop`,
    `    ${ptp} iifname "${ports.synPort}" oifname "${ports.gmPort}" ${answers} drop`,
    `    ${ptp} oifname "${ports.synPort}" ${answers} ${REQUESTING_CLOCK_IDENTITY_BITS} != 0x${ids.syntonic} drop`,
    `    ${ptp} oifname "${ports.refPort}" ${answers} ${REQUESTING_CLOCK_IDENTITY_BITS} != 0x${ids.reference} drop`,
    '  }',
    '}',
    '',
  ].join('\n');
}

/** The clock identity a stack derives from an interface's MAC address (EUI-48 → EUI-64, 802.1AS-2020 8.5.2.2), hex. */
export function clockIdentityHexFromMac(mac: string): string {
  const octets = mac.split(':');
  if (octets.length !== 6 || octets.some((o) => !/^[0-9a-f]{2}$/i.test(o))) throw new LabError(`'${mac}' is not a MAC address`, 'shared-port hub');
  return [...octets.slice(0, 3), 'ff', 'fe', ...octets.slice(3)].join('').toLowerCase();
}

/** An interface's MAC address, as `ip link` reports it. */
export function macAddressOf(namespace: string, interfaceName: string): string {
  const [link] = JSON.parse(ip(['-j', '-n', namespace, 'link', 'show', 'dev', interfaceName])) as { address?: string }[];
  if (link?.address === undefined) throw new LabError(`no MAC address on ${interfaceName}`, 'shared-port hub');
  return link.address;
}

/**
 * Builds the hub in `namespace`: br0 forwarding 01:80:C2:00:00:0E (group_fwd_mask 0x4000), the
 * filter, and the ports attached so that `firstCopyTo` is served first. The bridge keeps its ports
 * newest first and floods in that order (net/bridge br_add_if, br_flood), so that slave's port is
 * attached last; the captures check it (the flood skew's sign).
 */
export function buildSharedPortHub(lab: Lab, namespace: string, ports: SharedPortHubPorts, ids: SlaveIdentities, firstCopyTo: FloodFirst): void {
  if (spawnSync('sh', ['-c', 'command -v nft']).status !== 0) throw new LabError('nft is not installed (Debian: apt install nftables)', 'shared-port hub');
  ip(['-n', namespace, 'link', 'add', 'br0', 'type', 'bridge', 'group_fwd_mask', '0x4000']);
  const rulesPath = join(lab.tempDir('hub'), 'shared-port.nft');
  writeFileSync(rulesPath, sharedPortRuleset(ports, ids));
  lab.exec(namespace, ['nft', '-f', rulesPath]);
  const slaves = firstCopyTo === 'syntonic' ? [ports.refPort, ports.synPort] : [ports.synPort, ports.refPort];
  for (const port of [ports.gmPort, ...slaves]) ip(['-n', namespace, 'link', 'set', port, 'master', 'br0']);
  ip(['-n', namespace, 'link', 'set', 'br0', 'up']);
}
