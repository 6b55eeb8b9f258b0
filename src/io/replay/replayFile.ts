/**
 * Replay of a capture file in two streaming passes: the first finds the captured station (unless it
 * is named), the second runs the engine and servo. Memory does not grow with the file.
 */
import { readCapture } from '../captureFile.js';
import type { MacAddress } from '../../protocol/messages.js';
import type { PortConfig, Profile } from '../../protocol/portConfig.js';
import type { ClockDisciplineOptions } from '../../servo/clockDiscipline.js';
import { CaptureError } from '../captureError.js';
import { ReplaySession, type ReplayObserver } from './replaySession.js';
import { ReplaySummary, type ReplaySummaryData } from './replaySummary.js';
import { detectStation } from './stationDetection.js';

export interface ReplayFileOptions {
  readonly profile: Profile;
  readonly station?: MacAddress;
  readonly config?: Partial<PortConfig>;
  readonly servo?: ClockDisciplineOptions;
}

export interface ReplayResult {
  readonly summary: ReplaySummaryData;
  /** Set when the file is damaged: the frames before the damage were replayed. */
  readonly captureError: CaptureError | undefined;
}

export function replayFile(path: string, options: ReplayFileOptions, observer: ReplayObserver = {}): ReplayResult {
  // The damage of a damaged file is reported by the replay pass; detection uses the frames before it.
  const station = detectStation(untilDamage(readCapture(path)), options.station);
  const summary = new ReplaySummary();
  const session = new ReplaySession(
    {
      profile: options.profile,
      station,
      ...(options.config === undefined ? {} : { config: options.config }),
      ...(options.servo === undefined ? {} : { servo: options.servo }),
    },
    {
      sync: (r) => {
        summary.sync(r);
        observer.sync?.(r);
      },
      servoRejected: (reason, record) => {
        summary.servoRejected(reason);
        observer.servoRejected?.(reason, record);
      },
      engineEvent: (e, at) => {
        summary.engineEvent(e, at);
        observer.engineEvent?.(e, at);
      },
      statusEvent: (e) => {
        summary.statusEvent(e);
        observer.statusEvent?.(e);
      },
      decodeError: (n, e) => {
        summary.decodeError(n, e);
        observer.decodeError?.(n, e);
      },
    },
  );
  const { error } = guard(() => session.run(readCapture(path)));
  return { summary: summary.finish(session, station?.how ?? 'none found (listener at the capture point)'), captureError: error };
}

/** The frames of a capture up to any damage, without the error. */
function* untilDamage<T>(frames: Iterable<T>): Generator<T> {
  try {
    yield* frames;
  } catch (err) {
    if (!(err instanceof CaptureError)) throw err;
  }
}

/** Runs a pass; a damaged file ends it with the CaptureError (the frames before it were used). */
function guard<T>(pass: () => T): { value: T | undefined; error: CaptureError | undefined } {
  try {
    return { value: pass(), error: undefined };
  } catch (err) {
    if (err instanceof CaptureError) return { value: undefined, error: err };
    throw err;
  }
}
