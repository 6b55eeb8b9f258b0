/**
 * A Prometheus text-format endpoint (GET /metrics), so that a fleet of nodes is watched with the
 * monitoring people already run. It serves what the provider's Snapshot and the counters say; it
 * binds to loopback unless told otherwise.
 */
import { createServer, type Server } from 'node:http';
import { LATE_ANSWER_MEANING } from '../../protocol/neighborRateRatioWindow.js';
import { errorBoundAtAge, type Snapshot } from '../../provider/snapshot.js';

export interface MetricsSource {
  snapshot(): Snapshot;
  /** Extra counters: metric name → label value → count (e.g. frames received by messageType). */
  counters(): Record<string, { readonly help: string; readonly label: string; readonly values: Record<string, number> }>;
  /** Seconds since the last Sync, or undefined before the first. */
  sinceLastSyncS(): number | undefined;
}

const STATUSES = ['synchronized', 'unstable', 'lost'] as const;
const QUALITY_LEVELS = ['excellent', 'good', 'fair', 'poor', 'critical'] as const;

export function renderMetrics(source: MetricsSource): string {
  const s = source.snapshot();
  const out: string[] = [];
  const gauge = (name: string, help: string, value: number, labels = ''): void => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, `${name}${labels} ${formatValue(value)}`);
  };
  gauge('syntonic_offset_from_master_ns', 'Last offset from master (ptp4l master offset), ns.', s.offsetFromMaster);
  gauge(
    'syntonic_offset_from_master_rms_ns',
    "RMS of recent offsets from master, less the Syncs' latency the servo reads in them (the status judges it), ns.",
    s.offsetFromMasterRmsNs,
  );
  if (s.syncLatencyNs !== undefined) {
    gauge(
      'syntonic_sync_latency_ns',
      "The part of the last offset from master the servo reads as the Syncs' latency and does not steer by, ns.",
      s.syncLatencyNs,
    );
  }
  gauge('syntonic_mean_link_delay_ns', 'meanLinkDelay (ptp4l path delay), ns.', s.meanLinkDelay);
  gauge('syntonic_neighbor_rate_ratio', 'neighborRateRatio.', s.neighborRateRatio);
  gauge('syntonic_rate_ratio', 'Cumulative rateRatio to the grandmaster.', s.rateRatio);
  gauge('syntonic_frequency_adjustment_ppb', 'Frequency adjustment of the disciplined clock, ppb.', s.frequencyAdjustmentPpb);
  if (s.oscillatorWander !== undefined) {
    gauge(
      'syntonic_oscillator_wander_ppb_per_sqrt_s',
      "The oscillator's frequency random walk the servo learned from the Syncs, ppb/√s.",
      s.oscillatorWander.ppbPerSqrtS,
    );
    gauge(
      'syntonic_oscillator_wander_tracking_ppb_per_sqrt_s',
      'The frequency random walk the servo tracks with, ppb/√s (the configured one until enough is learned).',
      s.oscillatorWander.trackingPpbPerSqrtS,
    );
  }
  gauge('syntonic_as_capable', 'asCapable of the port (1 or 0).', s.port.asCapable ? 1 : 0);
  out.push('# HELP syntonic_status Synchronization status (1 for the current one).', '# TYPE syntonic_status gauge');
  for (const st of STATUSES) out.push(`syntonic_status{status="${st}"} ${s.status === st ? 1 : 0}`);
  out.push(
    '# HELP syntonic_quality Quality level (1 for the current one), judged on |error| against syntonic_quality_threshold_ns.',
    '# TYPE syntonic_quality gauge',
  );
  for (const level of QUALITY_LEVELS) out.push(`syntonic_quality{level="${level}"} ${s.quality.level === level ? 1 : 0}`);
  out.push('# HELP syntonic_quality_threshold_ns Upper bound of |error| for each quality level, ns.', '# TYPE syntonic_quality_threshold_ns gauge');
  for (const level of ['excellent', 'good', 'fair', 'poor'] as const)
    out.push(`syntonic_quality_threshold_ns{level="${level}"} ${formatValue(s.quality.thresholdsNs[level])}`);
  if (s.quality.errorNs !== null)
    gauge('syntonic_quality_error_ns', '|error| the quality level was judged on (last offset, or the holdover estimate), ns.', s.quality.errorNs);
  gauge('syntonic_holdover', 'In holdover (1 or 0): lost after having been synchronized, running on the held frequency.', s.holdover === null ? 0 : 1);
  if (s.holdover !== null) {
    gauge('syntonic_holdover_estimated_error_ns', 'Estimated |error| in holdover, ns.', s.holdover.estimatedErrorNs);
    gauge('syntonic_holdover_stability_ppb', 'Holdover error growth, linear term (ns/s).', s.holdover.stabilityPpb);
    gauge('syntonic_holdover_drift_ppb_per_second', 'Holdover error growth, quadratic term: half of it in ns/s^2.', s.holdover.driftPpbPerS);
  }
  const since = source.sinceLastSyncS();
  if (since !== undefined) gauge('syntonic_time_since_last_sync_seconds', 'Time since the last accepted Sync, s.', since);
  const bound = errorBoundAtAge(s.errorBound, since === undefined ? null : since * 1e9);
  if (bound !== null) {
    gauge('syntonic_error_bound_ns', '|synchronized time - grandmaster time| is within this now, ns.', bound);
    gauge('syntonic_error_bound_growth_ppb', 'How fast the error bound grows without Sync, ns/s.', s.errorBound?.growthPpb ?? 0);
  }
  if (s.grandmaster !== null) {
    const id = s.grandmaster.identity.toString(16).padStart(16, '0');
    gauge('syntonic_grandmaster_info', 'The grandmaster in use (value 1).', 1, `{identity="${id.slice(0, 6)}.${id.slice(6, 10)}.${id.slice(10)}"}`);
  }
  counter(out, 'syntonic_rejected_frames_total', 'Frames the engine refused, by reason.', 'reason', s.rejectedFrames);
  if (s.pdelayExchanges !== undefined) {
    const help = `Completed Pdelay exchanges, by whether the answer came in time or late (late: ${LATE_ANSWER_MEANING}).`;
    counter(out, 'syntonic_pdelay_exchanges_total', help, 'answer', { ...s.pdelayExchanges });
  }
  for (const [name, c] of Object.entries(source.counters())) counter(out, name, c.help, c.label, c.values);
  return out.join('\n') + '\n';
}

function counter(out: string[], name: string, help: string, label: string, values: Readonly<Record<string, number>>): void {
  out.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
  for (const [k, v] of Object.entries(values)) out.push(`${name}{${label}="${k.replace(/["\\\n]/g, '_')}"} ${v}`);
}

function formatValue(v: number): string {
  return Number.isFinite(v) ? String(v) : 'NaN';
}

export function startMetricsServer(host: string, port: number, source: MetricsSource): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url !== '/metrics' && req.url !== '/')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('try GET /metrics\n');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(renderMetrics(source));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
