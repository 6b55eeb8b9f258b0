/**
 * LinkDelayIntervalSetting (802.1AS-2020 11.2.21): the Pdelay_Req interval of this port, as the
 * neighbour asks for it in a message interval request (Signaling, 10.6.4.3) or as this station's own
 * rules set it (the automotive profile's operational interval once the servo is stable).
 */
import { isUsableLogInterval, LOG_INTERVAL_INITIAL, LOG_INTERVAL_NO_CHANGE, LOG_INTERVAL_STOP } from './logInterval.js';

/** A change of the Pdelay_Req interval: `stopped` means no more Pdelay_Req until a new interval is set. */
export interface IntervalChange {
  readonly logInterval: number;
  readonly stopped: boolean;
  readonly reason: string;
}

export class LinkDelayIntervalSetting {
  private current: number;
  private stopped = false;

  constructor(private readonly initialLogInterval: number) {
    this.current = initialLogInterval;
  }

  /** currentLogPdelayReqInterval (log2 s). */
  get logInterval(): number {
    return this.current;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** A message interval request TLV's linkDelayInterval, from `who` (a port identity, for the reason). */
  onRequest(requested: number, who: string): IntervalChange | undefined {
    if (requested === LOG_INTERVAL_NO_CHANGE) return undefined;
    if (requested === LOG_INTERVAL_STOP) {
      this.stopped = true;
      return { logInterval: requested, stopped: true, reason: `${who} asked to stop Pdelay_Req` };
    }
    if (requested === LOG_INTERVAL_INITIAL) return this.set(this.initialLogInterval, `${who} asked for the initial interval`);
    if (isUsableLogInterval(requested)) return this.set(requested, `${who} asked for logPdelayReqInterval ${requested}`);
    return undefined;
  }

  /** Set the interval (and resume after a stop); undefined when nothing changes. */
  set(logInterval: number, reason: string): IntervalChange | undefined {
    if (logInterval === this.current && !this.stopped) return undefined;
    this.current = logInterval;
    this.stopped = false;
    return { logInterval, stopped: false, reason };
  }
}
