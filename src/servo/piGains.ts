/**
 * PI gains: ptp4l's scaling law (linuxptp pi.c pi_sync_interval, config.c defaults) and Syntonic's
 * switch between tracking and acquisition gains.
 *
 *   kp = min(kpScale · I^kpExponent, kpNormMax / I)      [ppb per ns of offset]
 *   ki = min(kiScale · I^kiExponent, kiNormMax / I)      [ppb per ns of offset, per sample]
 * for a Sync interval of I seconds, with ptp4l's defaults kpExponent −0.3, kpNormMax 0.7,
 * kiExponent 0.4, kiNormMax 0.3 and kpScale/kiScale 0.7/0.3 (hardware timestamps) or 0.1/0.001
 * (software timestamps). Fixed kp/ki (pi_proportional_const/pi_integral_const) use exponent 0 and norm
 * max 1.0/2.0, as ptp4l does.
 */
export interface PiGainOptions {
  /** pi_proportional_const: a fixed kp (with kiConst), not scaled with the Sync interval. */
  readonly kpConst?: number;
  /** pi_integral_const. */
  readonly kiConst?: number;
  /** pi_proportional_scale; default 0.7 (hardware) or 0.1 (software timestamps). */
  readonly kpScale?: number;
  /** pi_proportional_exponent; default −0.3. */
  readonly kpExponent?: number;
  /** pi_proportional_norm_max; default 0.7. */
  readonly kpNormMax?: number;
  /** pi_integral_scale; default 0.3 (hardware) or 0.001 (software timestamps). */
  readonly kiScale?: number;
  /** pi_integral_exponent; default 0.4. */
  readonly kiExponent?: number;
  /** pi_integral_norm_max; default 0.3. */
  readonly kiNormMax?: number;
  /** Selects the default kpScale/kiScale; default false (hardware timestamps). */
  readonly softwareTimestamps?: boolean;
}

/** ptp4l pi.c constants. */
export const PTP4L_PI = {
  hwKpScale: 0.7,
  hwKiScale: 0.3,
  swKpScale: 0.1,
  swKiScale: 0.001,
  kpExponent: -0.3,
  kpNormMax: 0.7,
  kiExponent: 0.4,
  kiNormMax: 0.3,
  constKpNormMax: 1.0,
  constKiNormMax: 2.0,
  /** freq_est_interval = 0.016 / ki s, at most 1000 s. */
  freqEstConstant: 0.016,
  freqEstMaxS: 1000,
  /** FREQ_EST_MARGIN: the local interval is stretched by 0.1 % before the comparison. */
  freqEstMargin: 0.001,
} as const;

interface GainLaw {
  readonly kpScale: number;
  readonly kpExponent: number;
  readonly kpNormMax: number;
  readonly kiScale: number;
  readonly kiExponent: number;
  readonly kiNormMax: number;
}

/** kp and ki for a Sync interval, by ptp4l's law. */
export function piGains(options: PiGainOptions, intervalS: number): { kp: number; ki: number } {
  const law = gainLaw(options);
  const kp = Math.min(law.kpScale * Math.pow(intervalS, law.kpExponent), law.kpNormMax / intervalS);
  const ki = Math.min(law.kiScale * Math.pow(intervalS, law.kiExponent), law.kiNormMax / intervalS);
  return { kp, ki };
}

function gainLaw(o: PiGainOptions): GainLaw {
  if (o.kpConst !== undefined && o.kiConst !== undefined && o.kpConst > 0 && o.kiConst > 0) {
    return {
      kpScale: o.kpConst,
      kpExponent: 0,
      kpNormMax: PTP4L_PI.constKpNormMax,
      kiScale: o.kiConst,
      kiExponent: 0,
      kiNormMax: PTP4L_PI.constKiNormMax,
    };
  }
  const sw = o.softwareTimestamps ?? false;
  return {
    kpScale: o.kpScale ?? (sw ? PTP4L_PI.swKpScale : PTP4L_PI.hwKpScale),
    kpExponent: o.kpExponent ?? PTP4L_PI.kpExponent,
    kpNormMax: o.kpNormMax ?? PTP4L_PI.kpNormMax,
    kiScale: o.kiScale ?? (sw ? PTP4L_PI.swKiScale : PTP4L_PI.hwKiScale),
    kiExponent: o.kiExponent ?? PTP4L_PI.kiExponent,
    kiNormMax: o.kiNormMax ?? PTP4L_PI.kiNormMax,
  };
}

export interface Gains {
  readonly kp: number;
  readonly ki: number;
}

/**
 * Tracking gains normally; acquisition gains (if any) once |offset| exceeds the threshold on two Syncs
 * in a row, until exitSamples Syncs in a row stay within half of it.
 */
export class GainSchedule {
  private tracking: Gains = { kp: 0, ki: 0 };
  private acquisition: Gains | undefined;
  private acquiringNow = false;
  /** Consecutive Syncs beyond (entering) or within half (leaving) the threshold. */
  private count = 0;

  constructor(
    private readonly trackingLaw: PiGainOptions,
    private readonly acquisitionLaw: PiGainOptions | undefined,
    private readonly thresholdNs: number,
    private readonly exitSamples: number,
  ) {}

  setSyncInterval(intervalS: number): void {
    this.tracking = piGains(this.trackingLaw, intervalS);
    this.acquisition = this.acquisitionLaw === undefined ? undefined : piGains(this.acquisitionLaw, intervalS);
  }

  /** Takes one offset into account and returns the gains to use for it. */
  update(offsetNs: number): Gains {
    if (this.acquisition === undefined) return this.tracking;
    const magnitude = Math.abs(offsetNs);
    if (!this.acquiringNow) {
      this.count = magnitude > this.thresholdNs ? this.count + 1 : 0;
      if (this.count >= 2) this.switchTo(true);
    } else {
      this.count = magnitude <= this.thresholdNs / 2 ? this.count + 1 : 0;
      if (this.count >= this.exitSamples) this.switchTo(false);
    }
    return this.current();
  }

  current(): Gains {
    return this.acquiringNow && this.acquisition !== undefined ? this.acquisition : this.tracking;
  }

  acquiring(): boolean {
    return this.acquiringNow;
  }

  private switchTo(acquiring: boolean): void {
    this.acquiringNow = acquiring;
    this.count = 0;
  }
}
