/**
 * Who may set this station's time: lists of acceptable grandmasters (clock identities) and of
 * acceptable masters (the port identities of the neighbour that sends Announce and Sync), in the
 * spirit of IEEE 1588-2019 17.6 (acceptable master table: an Announce from a port not in the table is
 * not qualified for the best master selection, and Sync from it is not used). 802.1AS has no such
 * table; with a list set, a better grandmaster that appears on the network changes nothing here.
 *
 * Sync and Follow_Up do not name their grandmaster, so a Sync is refused as grandmasterNotAcceptable
 * when the last Announce heard from its source named a grandmaster outside the list. An empty or
 * absent list accepts anyone (802.1AS's own behaviour).
 *
 * Kept apart from the port engine so that it is one small filter at Announce and Sync qualification.
 */
import { formatClockIdentity, formatPortIdentity } from './format.js';
import type { AnnounceMessage, ClockIdentity, PortIdentity } from './messages.js';
import { portIdentityEquals, portIdentityKey } from './portIdentity.js';

export interface AcceptableMasterLists {
  /** acceptable_grandmasters: empty or absent = any grandmaster. */
  readonly acceptableGrandmasters?: readonly ClockIdentity[];
  /** acceptable_masters: empty or absent = any neighbour port. */
  readonly acceptableMasters?: readonly PortIdentity[];
}

export type NotAcceptableReason = 'grandmasterNotAcceptable' | 'masterNotAcceptable';

/** Why a frame is refused, naming the identity that is not in a list. */
export interface Refusal {
  readonly reason: NotAcceptableReason;
  /** The port that sent it. */
  readonly source: PortIdentity;
  /** The grandmaster it serves, when known (from its Announce). */
  readonly grandmasterIdentity: ClockIdentity | undefined;
  /** "grandmaster 001122.fffe.334455 is not in acceptable_grandmasters", for logs and status. */
  readonly why: string;
}

export class AcceptableMasterFilter {
  private grandmasters: ReadonlySet<ClockIdentity> = new Set();
  private masters: readonly PortIdentity[] = [];
  /** Source port → the grandmaster its last Announce named, when that one is not acceptable. */
  private readonly refusedGrandmasterOf = new Map<string, ClockIdentity>();

  constructor(lists: AcceptableMasterLists = {}) {
    this.update(lists);
  }

  /** New lists (SIGHUP): what was remembered about sources is forgotten, their next Announce decides. */
  update(lists: AcceptableMasterLists): void {
    this.grandmasters = new Set(lists.acceptableGrandmasters ?? []);
    this.masters = [...(lists.acceptableMasters ?? [])];
    this.refusedGrandmasterOf.clear();
  }

  get active(): boolean {
    return this.grandmasters.size > 0 || this.masters.length > 0;
  }

  /** undefined when the Announce may enter the best master selection. */
  checkAnnounce(a: AnnounceMessage): Refusal | undefined {
    const source = a.header.sourcePortIdentity;
    const master = this.checkMaster(source, a.grandmasterIdentity);
    if (master !== undefined) return master;
    const gm = a.grandmasterIdentity;
    const key = portIdentityKey(source);
    if (this.grandmasters.size === 0 || this.grandmasters.has(gm)) {
      this.refusedGrandmasterOf.delete(key);
      return undefined;
    }
    // Bounded: one entry per neighbour port heard (a point-to-point link has one, a forged flood is capped).
    if (this.refusedGrandmasterOf.size >= MAX_REMEMBERED_SOURCES && !this.refusedGrandmasterOf.has(key)) this.refusedGrandmasterOf.clear();
    this.refusedGrandmasterOf.set(key, gm);
    return {
      reason: 'grandmasterNotAcceptable',
      source,
      grandmasterIdentity: gm,
      why: `grandmaster ${formatClockIdentity(gm)} (via ${formatPortIdentity(source)}) is not in acceptable_grandmasters`,
    };
  }

  /** undefined when a Sync or Follow_Up from `source` may be used (if it comes from the selected master). */
  checkSync(source: PortIdentity): Refusal | undefined {
    const gm = this.refusedGrandmasterOf.get(portIdentityKey(source));
    const master = this.checkMaster(source, gm);
    if (master !== undefined) return master;
    if (gm === undefined) return undefined;
    return {
      reason: 'grandmasterNotAcceptable',
      source,
      grandmasterIdentity: gm,
      why: `grandmaster ${formatClockIdentity(gm)} (via ${formatPortIdentity(source)}) is not in acceptable_grandmasters`,
    };
  }

  private checkMaster(source: PortIdentity, gm: ClockIdentity | undefined): Refusal | undefined {
    if (this.masters.length === 0 || this.masters.some((m) => portIdentityEquals(m, source))) return undefined;
    return { reason: 'masterNotAcceptable', source, grandmasterIdentity: gm, why: `master ${formatPortIdentity(source)} is not in acceptable_masters` };
  }
}

const MAX_REMEMBERED_SOURCES = 64;
