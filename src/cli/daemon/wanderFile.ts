/**
 * kalman_wander_file: the oscillator's walk the Kalman servo learned (oscillatorWander.ts) kept across
 * restarts, as chrony's driftfile keeps the frequency. Learning it takes tens of minutes; a daemon
 * restarted with the file tracks with it from the start. A file that is missing, unreadable, or made
 * by another kind of clock or timestamps is a log line, never a failed start: the walk is then learned
 * again.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { ClockKind } from '../../clock/clock.js';
import type { TimestampingMode } from '../../protocol/portConfig.js';
import { Fields, WireFieldError } from '../../provider/jsonFields.js';
import { CLOCK_KINDS, TIMESTAMPING_MODES } from '../../provider/snapshot.js';
import { OSCILLATOR_WANDER_DEFAULTS, type LearnedWander, type WanderPrior } from '../../servo/oscillatorWander.js';

/** Which oscillator and noise the walk was learned on: a file made on others is not used. */
export interface WanderFileIdentity {
  readonly timestamping: TimestampingMode;
  readonly clock: ClockKind;
}

/** The file, as JSON. */
interface WanderFileContent extends WanderFileIdentity {
  readonly ppbPerSqrtS: number;
  readonly evidence: number;
  readonly savedAt: string;
}

export type WanderFileLevel = 'info' | 'notice' | 'warning';

export interface WanderFileRead {
  readonly prior?: WanderPrior;
  readonly level: WanderFileLevel;
  readonly message: string;
}

/** How often the daemon writes what it learned: the estimate moves over hundreds of seconds. */
export const WANDER_FILE_INTERVAL_MS = 10 * 60 * 1000;

/**
 * The file of one daemon: read once at start (what it holds, or why not, is a line for the log),
 * written with what the servo learned every WANDER_FILE_INTERVAL_MS and at exit; a write that fails
 * is logged once per kind of failure.
 */
export class WanderFile {
  private lastProblem: string | undefined;

  constructor(
    readonly path: string,
    private readonly identity: WanderFileIdentity,
    private readonly log: (level: WanderFileLevel, message: string) => void,
  ) {}

  /** The walk kept for a servo on this identity; undefined when there is none to start from. */
  read(): WanderPrior | undefined {
    const read = readWanderFile(this.path, this.identity);
    this.log(read.level, read.message);
    return read.prior;
  }

  /** Writes the walk learned so far; nothing before anything is learned. */
  save(wander: LearnedWander | undefined, now: Date = new Date()): void {
    if (wander === undefined) return;
    try {
      writeWanderFile(this.path, this.identity, wander, now);
      this.lastProblem = undefined;
    } catch (err) {
      const problem = (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
      if (problem !== this.lastProblem)
        this.log('warning', `kalman_wander_file ${this.path}: cannot be written (${problem}): what was learned is kept in memory only`);
      this.lastProblem = problem;
    }
  }
}

/** Reads the walk kept at path for a servo on `identity`; every outcome is a line for the log. */
export function readWanderFile(path: string, identity: WanderFileIdentity): WanderFileRead {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { level: 'info', message: `kalman_wander_file ${path}: none yet: the oscillator's walk is learned from the Syncs` };
    return { level: 'warning', message: `kalman_wander_file ${path}: cannot be read (${code ?? String(err)}): the walk is learned again` };
  }
  const parsed = parseContent(text);
  if (typeof parsed === 'string') return { level: 'warning', message: `kalman_wander_file ${path}: ${parsed}: ignored, the walk is learned again` };
  if (parsed.timestamping !== identity.timestamping || parsed.clock !== identity.clock) {
    return {
      level: 'notice',
      message: `kalman_wander_file ${path}: learned with ${parsed.timestamping} timestamps on a ${parsed.clock} clock, not ${identity.timestamping} on ${identity.clock}: ignored, the walk is learned again`,
    };
  }
  return {
    prior: { ppbPerSqrtS: parsed.ppbPerSqrtS, evidence: parsed.evidence },
    level: 'info',
    message: `kalman_wander_file ${path}: oscillator walk ${parsed.ppbPerSqrtS.toFixed(3)} ppb/√s over ${parsed.evidence.toFixed(1)} × ${OSCILLATOR_WANDER_DEFAULTS.tauS} s, saved ${parsed.savedAt}`,
  };
}

/** Writes the walk learned so far (a new file, then renamed over the old: a crash leaves one whole). */
export function writeWanderFile(path: string, identity: WanderFileIdentity, wander: LearnedWander, now: Date): void {
  const content: WanderFileContent = {
    timestamping: identity.timestamping,
    clock: identity.clock,
    ppbPerSqrtS: wander.ppbPerSqrtS,
    evidence: wander.evidence,
    savedAt: now.toISOString(),
  };
  const temporary = `${path}.new`;
  writeFileSync(temporary, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o644 });
  renameSync(temporary, path);
}

/** The content, or what is wrong with it (naming the field). */
function parseContent(text: string): WanderFileContent | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  try {
    const f = new Fields(value, 'wander');
    return {
      ppbPerSqrtS: f.number('ppbPerSqrtS', 0),
      evidence: f.number('evidence', 0),
      timestamping: f.oneOf('timestamping', TIMESTAMPING_MODES),
      clock: f.oneOf('clock', CLOCK_KINDS),
      savedAt: f.has('savedAt') ? f.string('savedAt') : 'at an unknown time',
    };
  } catch (err) {
    if (err instanceof WireFieldError) return err.message;
    throw err;
  }
}
