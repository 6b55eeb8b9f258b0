/** Runs a PortEngine with a recording sink, for tests. */
import { localTime, type LocalTime } from '../../src/clock/timePoint.js';
import type { EngineEvent, Transmission } from '../../src/protocol/engineEvents.js';
import { GPTP_DEFAULTS, type PortConfig, type TimestampingMode } from '../../src/protocol/portConfig.js';
import { PortEngine } from '../../src/protocol/portEngine.js';
import { SLAVE_MAC } from './frames.js';

export class EngineHarness {
  readonly sent: Transmission[] = [];
  readonly events: EngineEvent[] = [];
  readonly engine: PortEngine;

  constructor(
    config: Partial<PortConfig> = {},
    transmit = true,
    options: { readonly macAddress?: number; readonly oneStepResponder?: boolean; readonly timestamping?: TimestampingMode } = {},
  ) {
    this.engine = new PortEngine(
      {
        config: { ...GPTP_DEFAULTS, ...config },
        macAddress: options.macAddress ?? SLAVE_MAC,
        transmit,
        oneStepResponder: options.oneStepResponder ?? false,
        ...(options.timestamping === undefined ? {} : { timestamping: options.timestamping }),
      },
      { transmit: (t) => this.sent.push(t), event: (e) => this.events.push(e) },
    );
  }

  eventsOf<T extends EngineEvent['type']>(type: T): Extract<EngineEvent, { type: T }>[] {
    return this.events.filter((e): e is Extract<EngineEvent, { type: T }> => e.type === type);
  }

  lastSent(): Transmission {
    const t = this.sent[this.sent.length - 1];
    if (t === undefined) throw new Error('nothing was sent');
    return t;
  }

  /** Run timers up to and including `until`, like a driver would. */
  runUntil(until: LocalTime): void {
    for (let next = this.engine.nextTimerAt(); next !== undefined && next <= until; next = this.engine.nextTimerAt()) {
      this.engine.tick(next);
    }
  }
}

export const at = (ns: bigint): LocalTime => localTime(ns);
