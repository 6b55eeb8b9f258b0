/**
 * Best master selection for the one port of an end station that is never grandmaster (802.1AS-2020
 * 10.3): the port is SLAVE to the master PortAnnounceInformation holds, LISTENING without one. The
 * master is dropped when its information ages (announceReceiptTimeout), when Syncs stop
 * (syncReceiptTimeout ages it as well, 10.3.11.2.1), when the link stops being asCapable, or when the
 * grandmaster declares itself not grandmaster-capable.
 */
import type { LocalTime } from '../clock/timePoint.js';
import { formatClockIdentity, formatPortIdentity } from './format.js';
import type { MasterSelection, SelectionPort } from './masterSelection.js';
import type { AnnounceMessage, PortIdentity } from './messages.js';
import { PortAnnounceInformation, type MasterInfo } from './portAnnounceInformation.js';
import type { PortConfig } from './portConfig.js';
import { portIdentityEquals } from './portIdentity.js';

export class BestMasterSelection implements MasterSelection {
  private readonly info: PortAnnounceInformation;

  constructor(
    config: PortConfig,
    private readonly port: SelectionPort,
  ) {
    this.info = new PortAnnounceInformation(port.clockIdentity, config.initialLogAnnounceInterval, config.announceReceiptTimeout);
  }

  get master(): MasterInfo | undefined {
    return this.info.master;
  }

  start(): void {
    // LISTENING until a qualified Announce arrives.
  }

  onAnnounce(msg: AnnounceMessage, rx: LocalTime, asCapable: boolean): void {
    if (!asCapable) return this.port.reject(msg, 'notAsCapable');
    // 1588-2019 17.6 in spirit: an Announce from outside the acceptable lists is not qualified.
    const refusal = this.port.acceptable.checkAnnounce(msg);
    if (refusal !== undefined) {
      // Our master now serves a grandmaster we may not follow: stop using its Syncs at once.
      if (this.admitsSyncFrom(msg.header.sourcePortIdentity)) this.drop(rx, refusal.why);
      return this.port.refuse(msg, refusal, rx);
    }
    const verdict = this.info.receive(msg, rx);
    if (verdict.kind === 'rejected') {
      if (verdict.voidsMaster !== undefined) this.drop(rx, verdict.voidsMaster);
      return this.port.reject(msg, verdict.reason);
    }
    const master = verdict.master;
    if (verdict.newMasterPort) this.port.resetSyncReception();
    if (verdict.previousGrandmaster !== master.grandmasterIdentity) {
      this.port.emit({
        type: 'grandmasterChanged',
        at: rx,
        previous: verdict.previousGrandmaster,
        current: master.grandmasterIdentity,
        masterPort: master.port,
      });
    }
    if (this.port.state !== 'SLAVE') {
      this.port.setState('SLAVE', rx, `master ${formatPortIdentity(master.port)} selected (grandmaster ${formatClockIdentity(msg.grandmasterIdentity)})`);
      this.port.armSyncReceiptTimeout(rx);
    }
  }

  admitsSyncFrom(source: PortIdentity): boolean {
    const master = this.info.master;
    return master !== undefined && portIdentityEquals(master.port, source);
  }

  onSyncReceiptTimeout(now: LocalTime, reason: string): void {
    this.drop(now, reason);
  }

  onAsCapableLost(now: LocalTime, reason: string): void {
    this.drop(now, `asCapable false: ${reason}`);
  }

  dropMaster(now: LocalTime, reason: string): void {
    this.drop(now, reason);
  }

  nextTimerAt(): LocalTime | undefined {
    return this.info.receiptDeadline;
  }

  tick(now: LocalTime): void {
    if (!this.info.aged(now)) return;
    this.port.emit({ type: 'announceReceiptTimeout', at: now });
    this.drop(now, this.info.agingReason());
  }

  private drop(now: LocalTime, reason: string): void {
    const previous = this.info.master;
    this.info.clear();
    this.port.cancelSyncReceiptTimeout();
    this.port.resetSyncReception();
    if (previous !== undefined)
      this.port.emit({ type: 'grandmasterChanged', at: now, previous: previous.grandmasterIdentity, current: undefined, masterPort: undefined });
    if (this.port.state !== 'LISTENING') this.port.setState('LISTENING', now, reason);
  }
}
