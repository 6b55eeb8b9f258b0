/**
 * `syntonic decode FILE [--format jsonl|text]`: every PTP frame of a pcap/pcapng capture with its
 * 802.1AS fields, numbered as Wireshark numbers frames (every frame of the file counts). Frames
 * that are not PTP over Ethernet are skipped and counted in a summary line on stderr; a PTP frame
 * that does not decode gives a record with its `error`.
 */
import { parseArgs } from 'node:util';
import type { Command } from '../main.js';
import { readCapture, type CapturedFrame } from '../../io/captureFile.js';
import { toEthernet } from '../../io/linkType.js';
import { decodeFrame } from '../../protocol/codec.js';
import type { DecodeError } from '../../protocol/decodeError.js';
import { formatMac, messageSummary, messageToRecord, type JsonRecord } from '../../protocol/format.js';
import { readUint48 } from '../../protocol/octets.js';

const USAGE = `Usage: syntonic decode FILE [--format jsonl|text]

Prints every PTP frame of a pcap or pcapng capture (Ethernet, Linux cooked) with its 802.1AS
fields, one line per frame. Frames are numbered as Wireshark numbers them. Frames that are not PTP
over Ethernet are skipped and counted on stderr; a PTP frame that does not decode is printed with
its error (kind, field, octet offset).

Options:
  -f, --format jsonl|text  jsonl (default): one JSON record per frame, every field;
                           text: one summary line per frame, like tshark's
  -h, --help               show this help`;

type Format = 'jsonl' | 'text';

interface DecodeOptions {
  readonly file: string;
  readonly format: Format;
}

/** The options, or the one-line complaint for exit status 2. */
function parseOptions(argv: string[]): DecodeOptions | 'help' | { error: string } {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { format: { type: 'string', short: 'f', default: 'jsonl' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const unknown = /Unknown option '([^']+)'/.exec(message);
    return { error: unknown !== null ? `unknown option '${unknown[1]}'` : (message.split('. ')[0] ?? message) };
  }
  if (parsed.values.help === true) return 'help';
  const format = parsed.values.format;
  if (format !== 'jsonl' && format !== 'text') return { error: `--format must be jsonl or text, not '${format}'` };
  if (parsed.positionals.length !== 1) {
    return { error: parsed.positionals.length === 0 ? 'missing FILE (a pcap or pcapng capture)' : `expected one FILE, got ${parsed.positionals.length}` };
  }
  return { file: parsed.positionals[0], format };
}

/** 2024-11-19T07:13:20.123456789Z: ISO 8601 with all nine digits of the capture time. */
export function isoTimeNs(ns: bigint): string {
  const seconds = ns >= 0n ? ns / 1_000_000_000n : -((-ns + 999_999_999n) / 1_000_000_000n);
  const fraction = ns - seconds * 1_000_000_000n;
  const whole = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  return `${whole}.${fraction.toString().padStart(9, '0')}Z`;
}

function errorRecord(frame: CapturedFrame, ethernet: Uint8Array, error: DecodeError): JsonRecord {
  const record: JsonRecord = { frame: frame.index, timeNs: frame.timestampNs.toString(), time: isoTimeNs(frame.timestampNs) };
  if (ethernet.length >= 12) {
    record['destination'] = formatMac(readUint48(ethernet, 0));
    record['source'] = formatMac(readUint48(ethernet, 6));
  }
  record['error'] = { kind: error.kind, field: error.field, offset: error.offset, message: error.message };
  return record;
}

/** The output line for one frame, or undefined when the frame is not PTP over Ethernet. */
function frameLine(frame: CapturedFrame, format: Format): { line: string; failed: boolean } | undefined {
  const ethernet = toEthernet(frame);
  if (ethernet === undefined) return undefined;
  const decoded = decodeFrame(ethernet);
  if (!decoded.ok && decoded.error.kind === 'notPtp') return undefined;
  if (format === 'jsonl') {
    const record = decoded.ok
      ? { frame: frame.index, timeNs: frame.timestampNs.toString(), time: isoTimeNs(frame.timestampNs), ...messageToRecord(decoded.value) }
      : errorRecord(frame, ethernet, decoded.error);
    return { line: JSON.stringify(record), failed: !decoded.ok };
  }
  const head = `${String(frame.index).padStart(6)} ${isoTimeNs(frame.timestampNs)}`;
  if (decoded.ok) return { line: `${head} ${formatMac(decoded.value.source)} ${messageSummary(decoded.value.message)}`, failed: false };
  const e = decoded.error;
  const source = ethernet.length >= 12 ? formatMac(readUint48(ethernet, 6)) : '-';
  return { line: `${head} ${source} error ${e.kind} ${e.field}@${e.offset}: ${e.message}`, failed: true };
}

/** Buffered stdout that waits for 'drain' and stops quietly when the reader goes away (| head). */
class Output {
  private chunk = '';
  closed = false;

  constructor() {
    process.stdout.on('error', () => {
      this.closed = true;
    });
  }

  async line(text: string): Promise<void> {
    this.chunk += text + '\n';
    if (this.chunk.length >= 1 << 16) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.chunk.length === 0 || this.closed) return;
    const ok = process.stdout.write(this.chunk);
    this.chunk = '';
    if (!ok) await new Promise<void>((resolve) => process.stdout.once('drain', resolve).once('error', resolve));
  }
}

async function decodeFile(o: DecodeOptions): Promise<number> {
  const out = new Output();
  let ptp = 0;
  let failed = 0;
  let skipped = 0;
  let damage: string | undefined;
  try {
    for (const frame of readCapture(o.file)) {
      const result = frameLine(frame, o.format);
      if (result === undefined) {
        skipped++;
        continue;
      }
      ptp++;
      if (result.failed) failed++;
      await out.line(result.line);
      if (out.closed) break;
    }
  } catch (err) {
    damage = err instanceof Error ? err.message : String(err);
  }
  await out.flush();
  // A file that could not be read at all gets just the reason, not a summary of nothing.
  if (damage === undefined || ptp + skipped > 0) {
    process.stderr.write(`syntonic decode: ${ptp} PTP frame(s), ${failed} with errors; ${skipped} other frame(s) skipped\n`);
  }
  if (damage !== undefined) {
    process.stderr.write(`syntonic decode: ${o.file}: ${damage}\n`);
    return 1;
  }
  return 0;
}

export const command: Command = {
  summary: 'print every PTP frame of a pcap/pcapng capture with its 802.1AS fields',
  async run(argv: string[]): Promise<number> {
    const options = parseOptions(argv);
    if (options === 'help') {
      process.stdout.write(USAGE + '\n');
      return 0;
    }
    if ('error' in options) {
      process.stderr.write(`syntonic decode: ${options.error} (see 'syntonic decode --help')\n`);
      return 2;
    }
    return decodeFile(options);
  },
};
