/**
 * One grandmaster port shared by both slaves with no copy of our own: the grandmaster's link ends in a
 * namespace of its own, and each slave sits on a macvlan (private mode) over that end:
 *
 *   [gm] a ──veth── b (fan) ─┬─ macvlan ── [syn]
 *                            ├─ macvlan ── [ref]
 *                            └─ macvlan ── [ctl]   (with a control: a second ptp4l servo slave)
 *
 * The kernel stamps a frame in software once, as it enters `b` (netif_rx); macvlan hands each slave a
 * clone of that skb, timestamp and all. So both stacks read the very same ingress time for every Sync
 * and the same link to the grandmaster: what separates their true errors is each stack's own
 * arithmetic, its own Pdelay exchanges over one path, and its servo — issue 14's same-port difference
 * with no flood skew to correct (the nftables hub, sharedPortHub.ts, copies frames one after the
 * other: 3–4 µs between its two slaves). Private mode keeps the slaves from hearing each other; the
 * rest of gPTP's point-to-point rule (802.1AS-2020 11.2.2) is nftables', as at the hub:
 *
 * - each slave hears only the grandmaster's answers to its own Pdelay_Req (requestingPortIdentity,
 *   802.1AS-2020 11.4.6.3; fanOutRuleset): ptp4l faults on an answer it did not ask for;
 * - the grandmaster does not hear Syntonic's Pdelay_Resp and Pdelay_Resp_Follow_Up, nor the control's
 *   (a second responder on its port; the reference's are the ones it keeps).
 */
import { ip, type Lab, type VethEnd } from './netns.js';
import { loadNftRuleset, PDELAY_ANSWER_MATCH, REQUESTING_CLOCK_IDENTITY_BITS } from './nftables.js';
import { clockIdentityHexFromMac, macAddressOf } from './sharedPortHub.js';

/** A slave as the rules address it: its MAC address and the clock identity its stack derives from it (16 hex digits). */
export interface AddressedSlave {
  readonly mac: string;
  readonly identity: string;
}

/** The slaves on the fan-out: Syntonic, the ptp4l reference, and optionally a second ptp4l (the control). */
export interface FanOutSlaves<T> {
  readonly syntonic: T;
  readonly reference: T;
  readonly control?: T;
}

/** IEEE 802 Local Experimental EtherType 1: what Syntonic's answers become on their way to the grandmaster. */
const LOCAL_EXPERIMENTAL_ETHERTYPE = '0x88b5';

/**
 * The ruleset of the fan-out's namespace, on the veth end the macvlans sit on (netdev family). Rules on
 * a slave's or the grandmaster's own device would come too late: ptp4l's socket (ETH_P_ALL) is a tap,
 * which sees a frame before its device's ingress hook.
 * - ingress: the grandmaster's answers to a slave's Pdelay_Req go to that slave's MAC address instead
 *   of the multicast one, so that macvlan hands them to that slave only. The frame was stamped as it
 *   entered (netif_rx), before this hook: its time is untouched.
 * - egress: Syntonic's own Pdelay_Resp and Pdelay_Resp_Follow_Up (and the control's) leave as another
 *   EtherType, which ptp4l's filter does not take: the grandmaster hears one responder, the reference.
 *   Rewritten, not dropped: the veth still sends and stamps them, so each responder runs as on any
 *   link (its stamps are matched by OPT_ID, not by the frame).
 */
export function fanOutRuleset(device: string, slaves: FanOutSlaves<AddressedSlave>): string {
  const control = slaves.control === undefined ? [] : [slaves.control];
  const requesters = [slaves.syntonic, slaves.reference, ...control];
  const hidden = [slaves.syntonic, ...control].map((s) => s.mac);
  const hiddenSet = hidden.length === 1 ? hidden[0] : `{ ${hidden.join(', ')} }`;
  return [
    'table netdev syntonic_macvlan_port {',
    '  chain answers_to_their_requester {',
    `    type filter hook ingress device "${device}" priority 0; policy accept;`,
    ...requesters.map((s) => `    ${PDELAY_ANSWER_MATCH} ${REQUESTING_CLOCK_IDENTITY_BITS} 0x${s.identity} ether daddr set ${s.mac}`),
    '  }',
    '  chain one_responder {',
    `    type filter hook egress device "${device}" priority 0; policy accept;`,
    `    ether saddr ${hiddenSet} ${PDELAY_ANSWER_MATCH} ether type set ${LOCAL_EXPERIMENTAL_ETHERTYPE}`,
    '  }',
    '}',
    '',
  ].join('\n');
}

/**
 * Builds the fan-out: the grandmaster's link into a namespace of its own, a private macvlan on its far
 * end for each slave (`namespaces`: each slave's), moved into that slave's namespace and brought up,
 * and the rules above.
 */
export async function buildMacvlanPort(lab: Lab, gmNs: string, namespaces: FanOutSlaves<string>): Promise<{ gmSide: VethEnd } & FanOutSlaves<VethEnd>> {
  const fanNs = lab.namespace('fan');
  const link = await lab.veth(gmNs, fanNs);
  const slave = (namespace: string, suffix: string): VethEnd => {
    const name = `${link.b.name.slice(0, -1)}${suffix}`;
    ip(['-n', fanNs, 'link', 'add', 'link', link.b.name, 'name', name, 'type', 'macvlan', 'mode', 'private']);
    ip(['-n', fanNs, 'link', 'set', name, 'netns', namespace]);
    ip(['-n', namespace, 'link', 'set', name, 'up']);
    return { namespace, name };
  };
  const syntonic = slave(namespaces.syntonic, 's');
  const reference = slave(namespaces.reference, 'r');
  const control = namespaces.control === undefined ? undefined : slave(namespaces.control, 'c');
  const addressed = (s: VethEnd): AddressedSlave => {
    const mac = macAddressOf(s.namespace, s.name);
    return { mac, identity: clockIdentityHexFromMac(mac) };
  };
  const rules = fanOutRuleset(link.b.name, {
    syntonic: addressed(syntonic),
    reference: addressed(reference),
    ...(control === undefined ? {} : { control: addressed(control) }),
  });
  loadNftRuleset(lab, fanNs, rules, 'macvlan port');
  return { gmSide: link.a, syntonic, reference, ...(control === undefined ? {} : { control }) };
}
