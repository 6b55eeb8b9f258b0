/**
 * Builds conformance/relay/relay.c (a userland delay/asymmetry/jitter/loss relay between two
 * interfaces of one namespace) with gcc into a lab temporary directory, starts it as a guarded lab
 * process, and reads its statistics when it stops.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { REPOSITORY_ROOT } from '../lab/clockGuard.js';
import { LabProcess } from '../lab/labProcess.js';
import { LabError, type Lab } from '../lab/netns.js';

export interface Impairment {
  /** Mean one-way delay added, ns. */
  readonly delayNs?: number;
  /** Grandmaster→slave excess over the mean (802.1AS-2020 8.3); slave→grandmaster gets −asymmetry, ns. */
  readonly asymmetryNs?: number;
  /** Extra delay drawn uniformly from [0, jitterNs] per frame, ns. */
  readonly jitterNs?: number;
  /** Drop probability per frame and direction, [0, 1). */
  readonly lossProbability?: number;
  readonly seed?: number;
  /** Slave→grandmaster frames received from fromMs to toMs after the relay started take extraNs more. */
  readonly reverseShift?: { readonly extraNs: number; readonly fromMs: number; readonly toMs: number };
}

export interface DirectionStats {
  readonly frames: number;
  /** Dropped on purpose (loss) or refused by send(). */
  readonly dropped: number;
  /** Frames longer than the relay's 2048-octet buffer (not forwarded). */
  readonly oversize: number;
  /** Frames refused because 4096 were already waiting. */
  readonly overflow: number;
  readonly sent: number;
  readonly delayNs: number;
  readonly jitterNs: number;
  /** How late frames left against their due time, ns (null when none was sent). */
  readonly latenessMedianNs: number | null;
  readonly latenessP99Ns: number | null;
  readonly latenessMaxNs: number | null;
}

export interface RelayStats {
  /** Grandmaster → slave. */
  readonly forward: DirectionStats;
  /** Slave → grandmaster. */
  readonly reverse: DirectionStats;
}

const SOURCE = join(REPOSITORY_ROOT, 'conformance/relay/relay.c');

/** Compiles the relay into `directory` (not into the repository) and returns the binary's path. */
export function buildRelay(directory: string): string {
  const out = join(directory, 'relay');
  try {
    execFileSync('gcc', ['-O2', '-Wall', '-o', out, SOURCE], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? String(err);
    throw new LabError(`gcc could not build the relay: ${stderr.trim()}`, 'relay');
  }
  return out;
}

function reverseShiftArgs(shift: Impairment['reverseShift']): string[] {
  if (shift === undefined) return [];
  const whole = (v: number): string => String(Math.round(v));
  return ['--reverse-shift-ns', whole(shift.extraNs), '--reverse-shift-from-ms', whole(shift.fromMs), '--reverse-shift-to-ms', whole(shift.toMs)];
}

export class Relay {
  private constructor(readonly process: LabProcess) {}

  /**
   * Starts the relay binary (see buildRelay) between `left` (grandmaster side) and `right` in
   * `namespace`; resolves when it is ready.
   */
  static async start(lab: Lab, clockGuardPath: string, binary: string, namespace: string, left: string, right: string, impairment: Impairment): Promise<Relay> {
    const args = [
      '--left',
      left,
      '--right',
      right,
      '--delay-ns',
      String(Math.round(impairment.delayNs ?? 0)),
      '--asymmetry-ns',
      String(Math.round(impairment.asymmetryNs ?? 0)),
      '--jitter-ns',
      String(Math.round(impairment.jitterNs ?? 0)),
      '--loss',
      String(impairment.lossProbability ?? 0),
      '--seed',
      String(impairment.seed ?? 1),
      ...reverseShiftArgs(impairment.reverseShift),
    ];
    const relay = new Relay(new LabProcess('relay', lab, namespace, [binary, ...args], clockGuardPath));
    await relay.process.waitForLine(/^relay: ready/, 5_000);
    return relay;
  }

  /** Stops the relay and returns what it counted. */
  async stop(): Promise<RelayStats> {
    const from = this.process.lines.length;
    await this.process.stop(2_000);
    const line = this.process.lines.slice(from).find((l) => l.text.startsWith('{'));
    if (line === undefined) throw new LabError(`the relay printed no statistics; last lines:\n${this.process.tail()}`, 'relay');
    return JSON.parse(line.text) as RelayStats;
  }
}
