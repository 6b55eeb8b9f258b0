/**
 * PortAnnounceInformation (802.1AS-2020 10.3.11) for the one port of an end station that is never
 * grandmaster: qualifies each Announce (10.3.11.2.1), keeps the best one heard as the master's
 * information (its priority vector, 10.3.4, compared by bmca.ts), and ages it after
 * announceReceiptTimeout Announce intervals (10.7.3.2). It decides; the master selection acts.
 */
import type { LocalTime } from '../clock/timePoint.js';
import { comparePriorityVector, NOT_GRANDMASTER_CAPABLE, priorityVectorOf, qualifyAnnounce, type PriorityVector } from './bmca.js';
import { formatClockIdentity } from './format.js';
import { isUsableLogInterval, logIntervalToNsBig } from './logInterval.js';
import type { AnnounceMessage, ClockIdentity, PortIdentity } from './messages.js';
import { portIdentityEquals } from './portIdentity.js';
import type { RejectionReason } from './rejection.js';

/** What the port knows about its master (from Announce; 802.1AS-2020 10.3.8 parentDS / gmPriority). */
export interface MasterInfo {
  readonly port: PortIdentity;
  readonly priorityVector: PriorityVector | undefined;
  readonly grandmasterIdentity: ClockIdentity | undefined;
  readonly currentUtcOffset: number | undefined;
  readonly flags: number;
  readonly timeSource: number | undefined;
}

export type AnnounceVerdict =
  | {
      readonly kind: 'rejected';
      readonly reason: RejectionReason;
      /** The current master announced it can no longer be grandmaster: its information is void (why). */
      readonly voidsMaster?: string;
    }
  | {
      readonly kind: 'superior';
      readonly master: MasterInfo;
      /** The Announce came from another port than the previous master's (or there was none). */
      readonly newMasterPort: boolean;
      readonly previousGrandmaster: ClockIdentity | undefined;
    };

export class PortAnnounceInformation {
  private info: MasterInfo | undefined;
  private logAnnounceInterval: number;
  private deadline: LocalTime | undefined;

  constructor(
    private readonly thisClock: ClockIdentity,
    initialLogAnnounceInterval: number,
    private readonly announceReceiptTimeout: number,
  ) {
    this.logAnnounceInterval = initialLogAnnounceInterval;
  }

  get master(): MasterInfo | undefined {
    return this.info;
  }

  /** When the master's information ages unless an Announce from it comes first. */
  get receiptDeadline(): LocalTime | undefined {
    return this.deadline;
  }

  receive(msg: AnnounceMessage, rx: LocalTime): AnnounceVerdict {
    const qualification = qualifyAnnounce(msg, this.thisClock);
    if (!qualification.ok) return { kind: 'rejected', reason: qualification.reason };
    const vector = priorityVectorOf(msg);
    const current = this.info;
    const fromMaster = current !== undefined && portIdentityEquals(current.port, msg.header.sourcePortIdentity);
    if (!fromMaster && current?.priorityVector !== undefined && comparePriorityVector(vector, current.priorityVector) >= 0) {
      return { kind: 'rejected', reason: 'announceNotBetter' };
    }
    if (msg.grandmasterPriority1 === NOT_GRANDMASTER_CAPABLE) {
      const why = `grandmaster ${formatClockIdentity(msg.grandmasterIdentity)} has priority1 255: not grandmaster-capable`;
      return fromMaster ? { kind: 'rejected', reason: 'announceNotBetter', voidsMaster: why } : { kind: 'rejected', reason: 'announceNotBetter' };
    }
    if (isUsableLogInterval(msg.header.logMessageInterval)) this.logAnnounceInterval = msg.header.logMessageInterval;
    this.deadline = (rx + BigInt(this.announceReceiptTimeout) * logIntervalToNsBig(this.logAnnounceInterval)) as LocalTime;
    this.info = {
      port: msg.header.sourcePortIdentity,
      priorityVector: vector,
      grandmasterIdentity: msg.grandmasterIdentity,
      currentUtcOffset: msg.currentUtcOffset,
      flags: msg.header.flags,
      timeSource: msg.timeSource,
    };
    return { kind: 'superior', master: this.info, newMasterPort: !fromMaster, previousGrandmaster: current?.grandmasterIdentity };
  }

  /** True once when the master's information has aged at `now` (10.7.3.2); the caller then drops it. */
  aged(now: LocalTime): boolean {
    if (this.deadline === undefined || now < this.deadline) return false;
    this.deadline = undefined;
    return true;
  }

  /** Why the information aged, in words. */
  agingReason(): string {
    return `no Announce for ${this.announceReceiptTimeout} announce intervals (announceReceiptTimeout)`;
  }

  clear(): void {
    this.info = undefined;
    this.deadline = undefined;
  }
}
