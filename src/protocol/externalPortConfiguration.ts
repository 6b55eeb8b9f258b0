/**
 * External port configuration (802.1AS-2020 10.3.1 externalPortConfigurationEnabled; the Avnu
 * automotive profile): the port is a static slave. No Announce is used; the first Sync's sender is
 * the master (as linuxptp's ignore_source_id would accept it), until Syncs stop for
 * syncReceiptTimeout, when the next sender is taken. The port stays SLAVE throughout.
 */
import type { LocalTime } from '../clock/timePoint.js';
import type { MasterSelection, SelectionPort } from './masterSelection.js';
import type { AnnounceMessage, PortIdentity } from './messages.js';
import type { MasterInfo } from './portAnnounceInformation.js';
import { portIdentityEquals } from './portIdentity.js';

export class ExternalPortConfiguration implements MasterSelection {
  private current: MasterInfo | undefined;

  constructor(private readonly port: SelectionPort) {}

  get master(): MasterInfo | undefined {
    return this.current;
  }

  start(now: LocalTime): void {
    this.port.setState('SLAVE', now, 'automotive profile: static slave port (externalPortConfiguration)');
    this.port.armSyncReceiptTimeout(now);
  }

  onAnnounce(msg: AnnounceMessage): void {
    this.port.reject(msg, 'unsupportedMessage');
  }

  admitsSyncFrom(source: PortIdentity): boolean {
    if (this.current !== undefined) return portIdentityEquals(this.current.port, source);
    this.current = { port: source, priorityVector: undefined, grandmasterIdentity: undefined, currentUtcOffset: undefined, flags: 0, timeSource: undefined };
    return true;
  }

  onSyncReceiptTimeout(now: LocalTime): void {
    this.current = undefined;
    this.port.resetSyncReception();
    this.port.armSyncReceiptTimeout(now);
    this.port.leaveOperational(now);
  }

  /** The next acceptable sender becomes the master; the port stays SLAVE. */
  dropMaster(): void {
    this.current = undefined;
    this.port.resetSyncReception();
  }

  onAsCapableLost(): void {
    // The link is configured, not measured: nothing to drop.
  }

  nextTimerAt(): LocalTime | undefined {
    return undefined;
  }

  tick(): void {
    // No Announce, no timer of its own.
  }
}
