import { afterAll, describe, expect, it } from 'vitest';
import type { Server } from 'node:http';
import { renderMetrics, startMetricsServer, type MetricsSource } from '../../../src/cli/daemon/metrics.js';
import { sampleSnapshot } from '../../support/providerFixtures.js';

const source: MetricsSource = {
  snapshot: () => sampleSnapshot({ status: 'synchronized', offsetFromMaster: -12, meanLinkDelay: 1345.5 }),
  counters: () => ({
    syntonic_frames_received_total: { help: 'PTP frames received, by messageType.', label: 'messageType', values: { Sync: 80, Follow_Up: 79 } },
  }),
  sinceLastSyncS: () => 0.05,
};

let server: Server | undefined;
afterAll(() => new Promise<void>((r) => (server === undefined ? r() : server.close(() => r()))));

describe('Prometheus metrics', () => {
  it('renders gauges and counters in the text exposition format', () => {
    const text = renderMetrics(source);
    expect(text).toContain('# TYPE syntonic_offset_from_master_ns gauge\nsyntonic_offset_from_master_ns -12\n');
    expect(text).toContain('syntonic_mean_link_delay_ns 1345.5');
    expect(text).toContain('syntonic_status{status="synchronized"} 1');
    expect(text).toContain('syntonic_status{status="lost"} 0');
    expect(text).toContain('syntonic_grandmaster_info{identity="001122.fffe.334455"} 1');
    expect(text).toContain('syntonic_rejected_frames_total{reason="wrongDomain"} 3');
    expect(text).toContain('syntonic_frames_received_total{messageType="Follow_Up"} 79');
    expect(text).toContain('syntonic_time_since_last_sync_seconds 0.05');
  });

  it('counts the Pdelay exchanges by answer, in time or late, from the snapshot', () => {
    const text = renderMetrics({ ...source, snapshot: () => sampleSnapshot({ pdelayExchanges: { inTime: 28, late: 2 } }) });
    expect(text).toContain(
      '# TYPE syntonic_pdelay_exchanges_total counter\nsyntonic_pdelay_exchanges_total{answer="inTime"} 28\nsyntonic_pdelay_exchanges_total{answer="late"} 2\n',
    );
    expect(renderMetrics(source)).not.toContain('syntonic_pdelay_exchanges_total');
  });

  it("exports the Syncs' latency the servo reads in the offset only when it keeps one", () => {
    const text = renderMetrics({ ...source, snapshot: () => sampleSnapshot({ syncLatencyNs: -250.5 }) });
    expect(text).toContain('# TYPE syntonic_sync_latency_ns gauge\nsyntonic_sync_latency_ns -250.5\n');
    expect(renderMetrics(source)).not.toContain('syntonic_sync_latency_ns');
  });

  it('exports the oscillator walk the servo learned and the one it tracks with, only when it learns one', () => {
    const oscillatorWander = { ppbPerSqrtS: 0.42, upperPpbPerSqrtS: 0.51, evidence: 12.5, trackingPpbPerSqrtS: 2.04, inUse: true };
    const text = renderMetrics({ ...source, snapshot: () => sampleSnapshot({ oscillatorWander }) });
    expect(text).toContain('syntonic_oscillator_wander_ppb_per_sqrt_s 0.42\n');
    expect(text).toContain('syntonic_oscillator_wander_tracking_ppb_per_sqrt_s 2.04\n');
    expect(renderMetrics(source)).not.toContain('syntonic_oscillator_wander');
  });

  it('exports the quality level with its thresholds, and no holdover while Syncs arrive', () => {
    const text = renderMetrics(source);
    expect(text).toContain('syntonic_quality{level="excellent"} 1\nsyntonic_quality{level="good"} 0\n');
    expect(text).toContain('syntonic_quality_threshold_ns{level="good"} 1000\n');
    expect(text).toContain('syntonic_quality_error_ns 12\n');
    expect(text).toContain('syntonic_holdover 0\n');
    expect(text).not.toContain('syntonic_holdover_estimated_error_ns');
  });

  it('exports the holdover estimate and its growth in holdover', () => {
    const holdover = { since: sampleSnapshot().statusSince, estimatedErrorNs: 1090, initialErrorNs: 40, stabilityPpb: 5, driftPpbPerS: 20, frequencyPpb: -12 };
    const text = renderMetrics({
      ...source,
      snapshot: () => sampleSnapshot({ status: 'lost', holdover, quality: { ...sampleSnapshot().quality, level: 'fair', errorNs: 1090 } }),
    });
    expect(text).toContain('syntonic_quality{level="fair"} 1');
    expect(text).toContain('syntonic_holdover 1\n');
    expect(text).toContain('syntonic_holdover_estimated_error_ns 1090\n');
    expect(text).toContain('syntonic_holdover_stability_ppb 5\n');
    expect(text).toContain('syntonic_holdover_drift_ppb_per_second 20\n');
  });

  it("exports the servo's error bound as of now (grown with the time since the last Sync) and its growth", () => {
    const bounded: MetricsSource = {
      ...source,
      snapshot: () => sampleSnapshot({ errorBound: { atLastSyncNs: 1_570, growthPpb: 40, halfWanderPpbPerS: 10 } }),
      sinceLastSyncS: () => 2,
    };
    const text = renderMetrics(bounded);
    // 1570 + 2 × (40 + 10 × 2)
    expect(text).toContain('syntonic_error_bound_ns 1690');
    expect(text).toContain('syntonic_error_bound_growth_ppb 40');
    expect(renderMetrics(source)).not.toContain('syntonic_error_bound_ns');
  });

  it('serves GET /metrics on loopback and 404 elsewhere', async () => {
    server = await startMetricsServer('127.0.0.1', 0, source);
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    const ok = await fetch(`http://127.0.0.1:${address.port}/metrics`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await ok.text()).toContain('syntonic_as_capable 1');
    const missing = await fetch(`http://127.0.0.1:${address.port}/other`);
    expect(missing.status).toBe(404);
  });
});
