/**
 * The line an outlier run must lie on before the Kalman servo believes it (kalmanServo.ts): a new
 * constant phase (a jump, a new grandmaster's time) or a ramp (a frequency step). Fitted robustly
 * (Theil–Sen: the median of the slopes between every pair of points, the median intercept), because
 * the run comes through the same link as every other Sync: on a link that delays one frame in ten by
 * tens of µs (a bridge, a loaded host) a least-squares line is pulled off by those frames and every
 * run's worst residual stays beyond the gate, so a real change — a rogue grandmaster's +1 ms in the
 * lab — was rejected for as long as late frames kept entering the run. Here late frames are the
 * run's own outliers: the run agrees when most of it lies on the line and its newest offset does.
 */
import { medianInPlace } from '../protocol/windowedMedian.js';

export interface RunPoint {
  /** Local time of the Sync, s. */
  readonly tS: number;
  readonly offsetNs: number;
}

export interface RunLine {
  /** ns/s = ppb: the frequency error the run shows. */
  readonly slopePpb: number;
  /** The slope's variance with the measurement noise given (least-squares formula), ppb². */
  readonly slopeVariance: number;
  /** Points within the tolerance of the line. */
  readonly inliers: number;
  /** The newest point's distance from the line, ns. */
  readonly newestResidualNs: number;
}

export class OutlierRunLine {
  private readonly slopes: Float64Array;
  private readonly residuals: Float64Array;

  constructor(readonly maxPoints: number) {
    if (!(Number.isInteger(maxPoints) && maxPoints >= 3)) throw new RangeError(`an outlier run holds an integer ≥ 3 points, got ${maxPoints}`);
    this.slopes = new Float64Array((maxPoints * (maxPoints - 1)) / 2);
    this.residuals = new Float64Array(maxPoints);
  }

  /**
   * The robust line through the run (at most maxPoints, in time order) and how many of its points lie
   * within `toleranceNs` of it; `measurementVariance` (ns²) gives the slope's variance. Undefined below
   * three points, or when they share one instant.
   */
  fitRun(run: readonly RunPoint[], measurementVariance: number, toleranceNs: number): RunLine | undefined {
    const n = run.length;
    if (n < 3 || n > this.maxPoints) return undefined;
    const t0 = (run[0] as RunPoint).tS;
    let pairs = 0;
    for (let i = 0; i < n; i++) {
      const a = run[i] as RunPoint;
      for (let j = i + 1; j < n; j++) {
        const b = run[j] as RunPoint;
        if (b.tS !== a.tS) this.slopes[pairs++] = (b.offsetNs - a.offsetNs) / (b.tS - a.tS);
      }
    }
    if (pairs === 0) return undefined;
    const slope = medianInPlace(this.slopes, pairs);
    for (let i = 0; i < n; i++) {
      const p = run[i] as RunPoint;
      this.residuals[i] = p.offsetNs - slope * (p.tS - t0);
    }
    const intercept = medianInPlace(this.residuals, n);
    let inliers = 0;
    let st = 0;
    let stt = 0;
    for (const p of run) {
      const t = p.tS - t0;
      if (Math.abs(p.offsetNs - intercept - slope * t) <= toleranceNs) inliers++;
      st += t;
      stt += t * t;
    }
    const newest = run[n - 1] as RunPoint;
    const denominator = n * stt - st * st;
    return {
      slopePpb: slope,
      slopeVariance: (measurementVariance * n) / denominator,
      inliers,
      newestResidualNs: newest.offsetNs - intercept - slope * (newest.tS - t0),
    };
  }
}
