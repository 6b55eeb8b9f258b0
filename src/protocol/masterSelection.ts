/**
 * How the port finds its master: one interface, two ways of 802.1AS-2020 10.3.1.
 *
 *  - BestMasterSelection (bestMasterSelection.ts): the best master selection of 10.3 — PortAnnounceInformation
 *    chooses among the Announces heard; the port is SLAVE while it has a master, LISTENING otherwise.
 *  - ExternalPortConfiguration (externalPortConfiguration.ts): externalPortConfigurationEnabled (10.3.1,
 *    the Avnu automotive profile) — the port is SLAVE from the start, no Announce is used, and the first
 *    Sync's sender is the master.
 *
 * The port engine holds one and never asks which; the profile chooses it once, in createMasterSelection.
 */
import type { LocalTime } from '../clock/timePoint.js';
import type { AcceptableMasterFilter, Refusal } from './acceptableMasters.js';
import type { EngineEvent, PortState } from './engineEvents.js';
import type { AnnounceMessage, ClockIdentity, PortIdentity, PtpMessage } from './messages.js';
import type { MasterInfo } from './portAnnounceInformation.js';
import type { PortConfig } from './portConfig.js';
import type { RejectionReason } from './rejection.js';
import { BestMasterSelection } from './bestMasterSelection.js';
import { ExternalPortConfiguration } from './externalPortConfiguration.js';

/** What a master selection may do to its port (the engine implements it). */
export interface SelectionPort {
  readonly clockIdentity: ClockIdentity;
  readonly state: PortState;
  setState(to: PortState, at: LocalTime, reason: string): void;
  emit(e: EngineEvent): void;
  reject(msg: PtpMessage, reason: RejectionReason): void;
  /** acceptable_grandmasters / acceptable_masters (acceptableMasters.ts), and how a refusal is counted and told. */
  readonly acceptable: AcceptableMasterFilter;
  refuse(msg: PtpMessage, refusal: Refusal, at: LocalTime): void;
  /** Forget the Sync stream: a new master's (or no master's) Syncs are not the old one's. */
  resetSyncReception(): void;
  armSyncReceiptTimeout(from: LocalTime): void;
  cancelSyncReceiptTimeout(): void;
  /** The servo can no longer be stable without a master: back to the initial intervals. */
  leaveOperational(now: LocalTime): void;
}

export interface MasterSelection {
  readonly master: MasterInfo | undefined;
  start(now: LocalTime): void;
  onAnnounce(msg: AnnounceMessage, rx: LocalTime, asCapable: boolean): void;
  /** Whether Sync and Follow_Up from `source` are the master's. */
  admitsSyncFrom(source: PortIdentity): boolean;
  /** The engine's syncReceiptTimeout expired; `reason` in words. */
  onSyncReceiptTimeout(now: LocalTime, reason: string): void;
  /** asCapable went false (11.2.2); `reason` in words. */
  onAsCapableLost(now: LocalTime, reason: string): void;
  /** The master is no longer acceptable (the acceptable lists were reloaded); `reason` in words. */
  dropMaster(now: LocalTime, reason: string): void;
  /** The selection's own timer (announceReceiptTimeout), if any. */
  nextTimerAt(): LocalTime | undefined;
  tick(now: LocalTime): void;
}

export function createMasterSelection(config: PortConfig, port: SelectionPort): MasterSelection {
  return config.profile === 'automotive' ? new ExternalPortConfiguration(port) : new BestMasterSelection(config, port);
}
