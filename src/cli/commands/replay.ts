import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CaptureError, openCapture } from '../../io/captureFile.js';
import { captureTimestamps, type CaptureTimestamps } from '../../io/replay/captureTimestamps.js';
import type { EngineEvent } from '../../protocol/engineEvents.js';
import { formatClockIdentity, formatDelayNs, formatPortIdentity, parseMac } from '../../protocol/format.js';
import type { PortConfig, Profile } from '../../protocol/portConfig.js';
import type { ClockDisciplineOptions } from '../../servo/clockDiscipline.js';
import { parseClockIdentitiesFlag, parsePortIdentitiesFlag } from '../config/commandLine.js';
import type { ClockIdentity, PortIdentity } from '../../protocol/messages.js';
import { ConfigError } from '../config/configError.js';
import { loadDaemonConfig } from '../config/daemonConfig.js';
import { masterOffsetLine, notUsedSuffix } from '../daemon/log.js';
import { replayFile } from '../../io/replay/replayFile.js';
import type { ReplaySyncRecord } from '../../io/replay/replaySession.js';
import { type ReplaySummaryData } from '../../io/replay/replaySummary.js';
import { Decimator } from '../../report/decimator.js';
import { renderSvg } from '../../report/svgPlot.js';
import type { Command } from '../main.js';

const USAGE = `Usage: syntonic replay FILE [--format text|jsonl|csv] [--plot out.svg] [--station MAC] [--profile gptp|automotive] [-f CONFIG]
                      [--acceptable-grandmasters ID,…] [--acceptable-masters PORTID,…]

Runs a pcap/pcapng capture through Syntonic's engine and servo, as the station that took it
(or that sends Pdelay_Req in it), and prints per Sync: capture time, sequenceId, master time, local
time, offset from master, meanLinkDelay, neighborRateRatio, rateRatio, servo state, frequency
adjustment and status; then a summary. The same file always gives the same output.
CONFIG is a \`syntonic run\` configuration (linuxptp .cfg syntax): its port and servo settings apply.
Without -f, a capture of software times (every pcap, and a pcapng that states no hardware
timestamps) is replayed with configs/gPTP-software.cfg's settings (neighborPropDelayThresh 10 ms,
software PI gains) and a hardware-timestamped pcapng with the 802.1AS defaults (configs/gPTP.cfg);
the summary says which and why. --acceptable-grandmasters and --acceptable-masters replay as a
station that follows only those (as in CONFIG, which they replace).`;

type Format = 'text' | 'jsonl' | 'csv';
const CSV_FIELDS = [
  'captureTime',
  'sequenceId',
  'masterTime',
  'localTime',
  'offsetFromMaster',
  'meanLinkDelay',
  'neighborRateRatio',
  'rateRatio',
  'servoState',
  'frequencyAdjustment',
  'status',
] as const;

export const command: Command = {
  summary: 'replay a capture through the engine and servo',
  run(argv: string[]): Promise<number> {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        format: { type: 'string', default: 'text' },
        plot: { type: 'string' },
        station: { type: 'string' },
        profile: { type: 'string' },
        config: { type: 'string', short: 'f' },
        'acceptable-grandmasters': { type: 'string' },
        'acceptable-masters': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help === true) {
      process.stdout.write(`${USAGE}\n`);
      return Promise.resolve(0);
    }
    const file = positionals[0];
    if (file === undefined || positionals.length > 1) return usageError('give exactly one capture FILE');
    const format = values.format;
    if (format !== 'text' && format !== 'jsonl' && format !== 'csv') return usageError(`--format must be text, jsonl or csv, not '${format}'`);
    const profile = values.profile;
    if (profile !== undefined && profile !== 'gptp' && profile !== 'automotive') return usageError(`--profile must be gptp or automotive, not '${profile}'`);
    const station = values.station === undefined ? undefined : parseMac(values.station);
    if (values.station !== undefined && station === undefined)
      return usageError(`--station must be a MAC address like 8c:16:45:9b:9e:11, not '${values.station}'`);
    let settings: ReplaySettings;
    try {
      settings = withAcceptableFlags(replaySettings(file, values.config, profile), values['acceptable-grandmasters'], values['acceptable-masters']);
    } catch (err) {
      if (err instanceof ConfigError) {
        process.stderr.write(`syntonic replay: ${err.message}\n`);
        return Promise.resolve(2);
      }
      throw err;
    }
    return Promise.resolve(replay(file, format, settings, station, values.plot));
  },
};

function usageError(message: string): Promise<number> {
  process.stderr.write(`syntonic replay: ${message}\n${USAGE}\n`);
  return Promise.resolve(2);
}

interface ReplaySettings {
  readonly profile: Profile;
  readonly config: Partial<PortConfig> | undefined;
  readonly servo: ClockDisciplineOptions | undefined;
  /** Which thresholds, and why: the summary's `settings` line. */
  readonly why: string;
}

/**
 * The port and servo settings: those of a `syntonic run` configuration when -f names one; otherwise
 * those that fit where the capture's times come from (src/io/replay/captureTimestamps.ts).
 */
function replaySettings(capture: string, file: string | undefined, profile: string | undefined): ReplaySettings {
  if (file !== undefined) return fromConfig(file, profile, `-f ${file}`);
  const timestamps = timestampsOf(capture);
  if (timestamps.source === 'hardware') {
    return {
      profile: (profile ?? 'gptp') as Profile,
      config: undefined,
      servo: undefined,
      why: `802.1AS defaults (as configs/gPTP.cfg: neighborPropDelayThresh 800 ns, hardware PI gains): hardware timestamps, ${timestamps.why}; -f CONFIG chooses others`,
    };
  }
  const software = shippedConfig('gPTP-software.cfg');
  return fromConfig(
    software,
    profile,
    `software timestamps (configs/gPTP-software.cfg: neighborPropDelayThresh 10 ms, software PI gains): ${timestamps.why}; -f CONFIG chooses others`,
  );
}

function fromConfig(file: string, profile: string | undefined, why: string): ReplaySettings {
  const { config, warnings } = loadDaemonConfig({ file, interfaceName: 'replay', overrides: profile === undefined ? {} : { profile } });
  for (const w of warnings) process.stderr.write(`syntonic replay: ${w}\n`);
  // The PI gains follow the timestamping the file names (software ones for gPTP-software.cfg), as live.
  const timestamping = config.timestamping === 'software' || config.timestamping === 'hardware' ? { timestamping: config.timestamping } : {};
  return { profile: config.profile, config: config.port, servo: { ...config.servo, ...timestamping }, why };
}

/** Reads the capture's interfaces (and which of its first frames use them), not the whole file. */
function timestampsOf(path: string): CaptureTimestamps {
  const capture = openCapture(path);
  const used = new Set<number>();
  let frames = 0;
  try {
    for (const frame of capture) {
      used.add(frame.interfaceId);
      if (++frames >= 1000) break;
    }
  } catch (err) {
    // A damaged file is reported by the replay itself; its interfaces so far still tell the source.
    if (!(err instanceof CaptureError)) throw err;
  } finally {
    capture.close();
  }
  return captureTimestamps(capture.summary(), used.size === 0 ? undefined : used);
}

/** A configuration shipped in configs/, found above this module (dist/src/cli/commands or src/cli/commands). */
function shippedConfig(name: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'configs', name);
    if (existsSync(candidate)) return relative(process.cwd(), candidate) || candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`configs/${name} is missing from the installation; give -f CONFIG`);
    dir = parent;
  }
}

/**
 * --acceptable-grandmasters / --acceptable-masters over the chosen settings (an empty flag: any);
 * a bad identity is a ConfigError naming the flag.
 */
function withAcceptableFlags(settings: ReplaySettings, grandmasters: string | undefined, masters: string | undefined): ReplaySettings {
  const problems: string[] = [];
  const lists: { acceptableGrandmasters?: readonly ClockIdentity[]; acceptableMasters?: readonly PortIdentity[] } = {};
  if (grandmasters !== undefined) {
    const r = parseClockIdentitiesFlag(grandmasters);
    if (r.ok) lists.acceptableGrandmasters = r.value;
    else problems.push(r.problem);
  }
  if (masters !== undefined) {
    const r = parsePortIdentitiesFlag(masters);
    if (r.ok) lists.acceptableMasters = r.value;
    else problems.push(r.problem);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  if (grandmasters === undefined && masters === undefined) return settings;
  return { ...settings, config: { ...(settings.config ?? {}), ...lists } };
}

function replay(file: string, format: Format, settings: ReplaySettings, station: number | undefined, plotPath: string | undefined): number {
  const out = new BufferedWriter();
  const plot = plotPath === undefined ? undefined : new PlotData();
  if (format === 'csv') out.line(CSV_FIELDS.join(','));
  const result = replayFile(
    file,
    {
      profile: settings.profile,
      ...(station === undefined ? {} : { station }),
      ...(settings.config === undefined ? {} : { config: settings.config }),
      ...(settings.servo === undefined ? {} : { servo: settings.servo }),
    },
    {
      sync: (r) => {
        plot?.sync(r);
        out.line(format === 'jsonl' ? syncJson(r) : format === 'csv' ? syncCsv(r) : syncText(r));
      },
      // As the daemon's log: the offsets the servo left out, with why (csv keeps one row per Sync used).
      servoRejected: (reason, r) => {
        if (r === undefined || format === 'csv') return;
        out.line(format === 'jsonl' ? syncJson(r, reason) : `${syncText(r)}${notUsedSuffix(reason)}`);
      },
      engineEvent: (e, at) => {
        plot?.event(e, at);
        if (format === 'text') {
          const line = eventText(e);
          if (line !== undefined) out.line(`${formatSeconds(at)} ${line}`);
        }
      },
      statusEvent: (e) => {
        if (format === 'text') out.line(`${formatSeconds(e.atLocal)} status ${e.from} → ${e.to}: ${e.reason}`);
      },
    },
  );
  if (format === 'jsonl') out.line(JSON.stringify({ type: 'summary', settings: settings.why, ...summaryJson(result.summary) }));
  else if (format === 'text') out.line(summaryText(result.summary, settings.why));
  else process.stderr.write(summaryText(result.summary, settings.why) + '\n');
  out.flush();
  if (plot !== undefined && plotPath !== undefined) writeFileSync(plotPath, plot.svg(file));
  if (result.captureError !== undefined) {
    process.stderr.write(`syntonic replay: ${file}: ${result.captureError.message}\n`);
    return 1;
  }
  return 0;
}

/** Writes in large chunks: a million-line replay should not make a million write calls. */
class BufferedWriter {
  private parts: string[] = [];
  private size = 0;

  line(s: string): void {
    this.parts.push(s);
    this.size += s.length + 1;
    if (this.size > 1 << 20) this.flush();
  }

  flush(): void {
    if (this.parts.length === 0) return;
    writeFileSync(1, this.parts.join('\n') + '\n');
    this.parts = [];
    this.size = 0;
  }
}

/** A Sync the servo used (`sync`), or one it left out (`syncNotUsed`, with `notUsed`: why). */
function syncJson(r: ReplaySyncRecord, notUsed?: string): string {
  return JSON.stringify({
    type: notUsed === undefined ? 'sync' : 'syncNotUsed',
    captureTime: r.captureTime.toString(),
    sequenceId: r.sequenceId,
    sourcePortIdentity: formatPortIdentity(r.sourcePortIdentity),
    masterTime: r.masterTime.toString(),
    localTime: r.localTime.toString(),
    offsetFromMaster: round3(r.offsetFromMaster),
    meanLinkDelay: round3(r.meanLinkDelay),
    neighborRateRatio: r.neighborRateRatio,
    rateRatio: r.rateRatio,
    servoState: r.servoState,
    frequencyAdjustment: round3(r.frequencyAdjustment),
    status: r.status,
    ...(notUsed === undefined ? {} : { notUsed }),
  });
}

function syncCsv(r: ReplaySyncRecord): string {
  return [
    r.captureTime,
    r.sequenceId,
    r.masterTime,
    r.localTime,
    round3(r.offsetFromMaster),
    round3(r.meanLinkDelay),
    r.neighborRateRatio,
    r.rateRatio,
    r.servoState,
    round3(r.frequencyAdjustment),
    r.status,
  ].join(',');
}

/** The daemon's (ptp4l's) line, with the capture time and sequenceId before it and the rate ratios and status after. */
function syncText(r: ReplaySyncRecord): string {
  const line = masterOffsetLine(r.offsetFromMaster, r.servoState, r.frequencyAdjustment, r.meanLinkDelay);
  return `${formatSeconds(r.captureTime)} seq ${r.sequenceId} ${line} nrr ${r.neighborRateRatio.toFixed(9)} rr ${r.rateRatio.toFixed(9)} ${r.status}`;
}

function eventText(e: EngineEvent): string | undefined {
  switch (e.type) {
    case 'portStateChanged':
      return `port 1: ${e.from} to ${e.to}: ${e.reason}`;
    case 'asCapableChanged':
      return `port 1: asCapable ${e.asCapable}: ${e.reason}`;
    case 'grandmasterChanged':
      return `selected best master clock ${e.current === undefined ? 'none' : formatClockIdentity(e.current)}`;
    case 'syncReceiptTimeout':
    case 'announceReceiptTimeout':
    case 'followUpTimeout':
      return e.type;
    default:
      return undefined;
  }
}

function summaryJson(s: ReplaySummaryData): Record<string, unknown> {
  return JSON.parse(JSON.stringify(s, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))) as Record<string, unknown>;
}

function summaryText(s: ReplaySummaryData, settings: string): string {
  const lines = ['', '== summary =='];
  const add = (k: string, v: string): void => {
    lines.push(`${k.padEnd(22)} ${v}`);
  };
  add('station', s.station);
  add('settings', settings);
  add('grandmasters', s.grandmasters.length === 0 ? 'none selected by Announce' : s.grandmasters.join(', '));
  add('masters (Sync)', s.masters.length === 0 ? 'none' : s.masters.join(', '));
  add('frames', `${s.counts.frames} (PTP ${s.counts.ptpFrames}, other ${s.counts.nonPtpFrames}, decode errors ${s.counts.decodeErrors})`);
  add('received', formatCounts(s.received));
  add('sent by station', formatCounts(s.sent));
  add('rejected', formatCounts(s.rejected));
  add('syncs accepted', String(s.syncs));
  add('syncs not used', Object.keys(s.servoRejected).length === 0 ? 'none' : `${formatCounts(s.servoRejected)} (the servo's filters)`);
  add('follow-ups lost/late', String(s.followUpsLost + (s.rejected['lateFollowUp'] ?? 0)));
  add(
    'time to lock',
    s.timeToLockS === undefined
      ? 'not locked at the end (s2 with |offset| < 1 µs)'
      : `${s.timeToLockS.toFixed(3)} s after the first Sync (s2 with |offset| < 1 µs from then on)`,
  );
  if (s.offsetAfterLock !== undefined) {
    const o = s.offsetAfterLock;
    add('offset after lock', `rms ${formatDelayNs(o.rmsNs)}, max |${formatDelayNs(o.maxAbsNs)}|, mean ${formatDelayNs(o.meanNs)} over ${o.count} Syncs`);
  }
  if (s.linkDelay !== undefined) {
    const d = s.linkDelay;
    add(
      'link delay',
      `mean ${d.meanNs.toFixed(1)} ns, std ${d.stdNs.toFixed(1)} ns, min ${d.minNs.toFixed(1)} ns, max ${d.maxNs.toFixed(1)} ns over ${d.count} exchanges`,
    );
  }
  if (s.neighborRateRatioPpm !== undefined) add('neighborRateRatio', `${s.neighborRateRatioPpm.toFixed(3)} ppm`);
  if (s.rateRatioPpm !== undefined) add('rateRatio', `${s.rateRatioPpm.toFixed(3)} ppm`);
  for (const p of s.peerDelays) add('pdelay per requester', p);
  for (const [why, n] of Object.entries(s.notAcceptable)) add('not acceptable', `${why}: ${n} frames refused`);
  for (const d of s.decodeErrors) add('decode error', `frame ${d.frame}: ${d.error.kind} at ${d.error.field} (offset ${d.error.offset}): ${d.error.message}`);
  for (const h of s.hints) add('hint', h);
  return lines.join('\n');
}

function formatCounts(c: Record<string, number>): string {
  const entries = Object.entries(c);
  return entries.length === 0 ? 'none' : entries.map(([k, v]) => `${k} ${v}`).join(', ');
}

function formatSeconds(ns: bigint): string {
  const s = ns / 1_000_000_000n;
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0');
  return `${s}.${frac}`;
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}

/** Offset, frequency and link delay against capture time, for --plot. */
class PlotData {
  private readonly offset = new Decimator();
  private readonly frequency = new Decimator();
  private readonly delay = new Decimator();
  private origin: bigint | undefined;

  sync(r: ReplaySyncRecord): void {
    const x = this.x(r.captureTime);
    if (r.servoState === 's2') this.offset.push(x, r.offsetFromMaster);
    this.frequency.push(x, r.frequencyAdjustment);
  }

  event(e: EngineEvent, at: bigint): void {
    if (e.type === 'pdelayMeasured') this.delay.push(this.x(at), e.measurement.propTime);
  }

  svg(title: string): string {
    return renderSvg({
      title: `syntonic replay ${title}`,
      xLabel: 'capture time since the first frame (s)',
      panels: [
        { title: 'offset from master (locked)', unit: 'ns', series: [{ name: 'offsetFromMaster', color: '#1f77b4', outline: this.offset.outline() }] },
        { title: 'frequency adjustment', unit: 'ppb', series: [{ name: 'frequencyAdjustment', color: '#d62728', outline: this.frequency.outline() }] },
        { title: 'link delay (each exchange)', unit: 'ns', series: [{ name: 'propTime', color: '#2ca02c', outline: this.delay.outline() }] },
      ],
    });
  }

  private x(t: bigint): number {
    this.origin ??= t;
    return Number(t - this.origin) / 1e9;
  }
}
