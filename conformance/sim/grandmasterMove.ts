/**
 * The lab's runs through a move of the grandmaster's time (grandmaster-phase-step: its clock read
 * 20 µs early from 80 s to 100 s, conformance/lab/scenarios/syncPathStep.ts), replayed. There the
 * grandmaster's time is what a slave is judged against, not CLOCK_REALTIME: from the first Sync that
 * carries an edge of the move the slave's clock is that far off it until the servo follows, and the
 * status must not say synchronized meanwhile (issue 14: no instant beyond 10 µs while synchronized).
 * The edge is a run of outliers no late frame makes (labNoise.ts replays each Sync's recorded noise,
 * the move within it, and each rate ratio, which carries the move too: the answers' t3 moved with the
 * clock). What each edge is measured by: the Syncs after which the status said synchronized while the
 * clock was beyond 10 µs of the grandmaster's time, or beyond errorBoundNs of it, and how long the
 * clock took to come within 2 µs of it for good.
 */
import { SYNCHRONIZED_LIMIT_NS } from '../lab/labResult.js';
import { loadLabNoise, traceLabNoise, type GrandmasterMove, type LabNoiseRun, type LabNoiseTrace } from './labNoise.js';
import type { LabNoiseFigure } from './labNoiseFigures.js';

/** fixtures/noise/lab-grandmaster-move.json: the recorded runs through a move (recordLabNoise.ts --fixture). */
export const LAB_GRANDMASTER_MOVE = 'lab-grandmaster-move';

/** Within this of the grandmaster's time, ns, an edge is followed: the status's offset limit while synchronized (syncStatus.ts). */
export const FOLLOWED_WITHIN_NS = 2_000;

/** Consecutive Syncs on the new side of an edge that place it: a late frame is one Sync, a move is every Sync after it. */
const EDGE_SYNCS = 3;

/**
 * The Syncs that carry a move of offsetNs (the grandmaster's time − true time), read from the
 * recorded noise, in which a carried move is −offsetNs more: from the first of EDGE_SYNCS Syncs in a
 * row nearer −offsetNs than 0, to the first of EDGE_SYNCS in a row nearer 0 again (or the run's end).
 * The lab knows when it moved the clock, not which Sync first carried it (a Sync in flight then did
 * not); the noise says which, and a move is ten times the noise. Undefined without such a run.
 */
export function grandmasterMoveOf(noiseNs: readonly number[], offsetNs: number): GrandmasterMove | undefined {
  const moved = (i: number): boolean => Math.abs((noiseNs[i] ?? 0) + offsetNs) < Math.abs(noiseNs[i] ?? 0);
  const steps = Array.from({ length: EDGE_SYNCS }, (_, k) => k);
  const runFrom = (from: number, carried: boolean): number => {
    for (let i = from; i + EDGE_SYNCS <= noiseNs.length; i++) if (steps.every((k) => moved(i + k) === carried)) return i;
    return -1;
  };
  const fromIndex = runFrom(0, true);
  if (fromIndex < 0) return undefined;
  const back = runFrom(fromIndex, false);
  return { fromIndex, toIndex: back < 0 ? noiseNs.length : back, offsetNs };
}

/** One edge of a move, replayed. */
export interface MoveEdgeFigures {
  /** The edge's first Sync, s (as syncAtS). */
  readonly atS: number;
  /** Syncs after which the status said synchronized with the clock beyond SYNCHRONIZED_LIMIT_NS of the grandmaster's time. */
  readonly synchronizedBeyondLimit: number;
  /** Syncs after which it said synchronized with the clock beyond errorBoundNs of the grandmaster's time. */
  readonly synchronizedBeyondBound: number;
  /** s from the edge's first Sync until the clock was within FOLLOWED_WITHIN_NS of the grandmaster's time up to the next edge; Infinity if never. */
  readonly followedAfterS: number;
}

/** Both edges of a run's move (none without one): the move's start, and its end where the run goes on past it. */
export function moveEdgeFigures(run: LabNoiseRun, trace: LabNoiseTrace): MoveEdgeFigures[] {
  const move = run.grandmasterMove;
  if (move === undefined) return [];
  const movedNs = (i: number): number => (i >= move.fromIndex && i < move.toIndex ? move.offsetNs : 0);
  const edges = [move.fromIndex, move.toIndex].filter((i) => i < run.noiseNs.length);
  return edges.map((edge, k) => {
    const end = edges[k + 1] ?? run.noiseNs.length;
    const inEdge = (i: number): boolean => i >= edge && i < end;
    const synchronized = trace.synchronized.filter((s) => inEdge(s.index)).map((s) => ({ ...s, againstNs: Math.abs(s.errorNs - movedNs(s.index)) }));
    let lastOff = edge - 1;
    for (let i = edge; i < end; i++) if (Math.abs((trace.errors[i]?.ns ?? 0) - movedNs(i)) > FOLLOWED_WITHIN_NS) lastOff = i;
    const atS = run.syncAtS[edge] ?? 0;
    return {
      atS,
      synchronizedBeyondLimit: synchronized.filter((s) => s.againstNs > SYNCHRONIZED_LIMIT_NS).length,
      synchronizedBeyondBound: synchronized.filter((s) => s.againstNs > s.boundNs).length,
      followedAfterS: lastOff + 1 >= end ? Infinity : (run.syncAtS[lastOff + 1] ?? 0) - atS,
    };
  });
}

/** `name: value unit` figures of every recorded run through a move, edge by edge, and over all edges. */
export function grandmasterMoveFigures(runs: readonly LabNoiseRun[] = loadLabNoise(LAB_GRANDMASTER_MOVE).runs): LabNoiseFigure[] {
  const out: LabNoiseFigure[] = [];
  const all: MoveEdgeFigures[] = [];
  for (const run of runs) {
    const trace = traceLabNoise(run);
    moveEdgeFigures(run, trace).forEach((e, k) => {
      const prefix = `sim.labNoise.grandmasterMove.${run.name}.edge${k + 1}`;
      out.push({ name: `${prefix}.synchronizedBeyond10us`, value: e.synchronizedBeyondLimit, unit: 'Syncs' });
      out.push({ name: `${prefix}.synchronizedBeyondBound`, value: e.synchronizedBeyondBound, unit: 'Syncs' });
      out.push({ name: `${prefix}.within2us`, value: e.followedAfterS, unit: 's' });
      all.push(e);
    });
  }
  const followed = all.map((e) => e.followedAfterS);
  out.push({ name: 'sim.labNoise.grandmasterMove.edges', value: all.length, unit: 'edges' });
  out.push({
    name: 'sim.labNoise.grandmasterMove.synchronizedBeyond10us.max',
    value: Math.max(0, ...all.map((e) => e.synchronizedBeyondLimit)),
    unit: 'Syncs per edge',
  });
  out.push({ name: 'sim.labNoise.grandmasterMove.synchronizedBeyond10us.total', value: all.reduce((a, e) => a + e.synchronizedBeyondLimit, 0), unit: 'Syncs' });
  out.push({
    name: 'sim.labNoise.grandmasterMove.synchronizedBeyondBound.total',
    value: all.reduce((a, e) => a + e.synchronizedBeyondBound, 0),
    unit: 'Syncs',
  });
  out.push({ name: 'sim.labNoise.grandmasterMove.within2us.min', value: Math.min(...followed), unit: 's' });
  out.push({ name: 'sim.labNoise.grandmasterMove.within2us.max', value: Math.max(...followed), unit: 's' });
  return out;
}
