/**
 * The daemon's log: ptp4l-style text lines that users grep (`master offset … s2 freq … path delay …`,
 * `port 1: LISTENING to SLAVE …`, `rms … max … freq … delay …`), or one JSON object per line through
 * pino for machines. Levels follow syslog as linuxptp's logging_level does (3 err … 6 info, 7 debug).
 */
import { pino, type Logger } from 'pino';

export type LogFormat = 'text' | 'json';
export type LogLevel = 'error' | 'warning' | 'notice' | 'info' | 'debug';

const SYSLOG_LEVEL: Record<LogLevel, number> = { error: 3, warning: 4, notice: 5, info: 6, debug: 7 };
const PINO_LEVEL: Record<LogLevel, string> = { error: 'error', warning: 'warn', notice: 'info', info: 'info', debug: 'debug' };

export interface Log {
  write(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
}

export function createLog(format: LogFormat, maxSyslogLevel: number, program = 'syntonic'): Log {
  if (format === 'json') {
    const logger: Logger = pino({ base: { program }, level: 'trace', timestamp: pino.stdTimeFunctions.isoTime });
    return {
      write(level, message, fields = {}) {
        if (SYSLOG_LEVEL[level] > maxSyslogLevel) return;
        logger[PINO_LEVEL[level] as 'info'](fields, message);
      },
    };
  }
  return {
    write(level, message) {
      if (SYSLOG_LEVEL[level] > maxSyslogLevel) return;
      // ptp4l prints the CLOCK_MONOTONIC seconds in brackets; so do we, for familiar grepping.
      const t = (Number(process.hrtime.bigint() / 1_000_000n) / 1000).toFixed(3);
      const line = `${program}[${t}]: ${message}\n`;
      if (SYSLOG_LEVEL[level] <= SYSLOG_LEVEL.warning) process.stderr.write(line);
      else process.stdout.write(line);
    },
  };
}

/**
 * ptp4l's per-Sync line. ptp4l prints every offset it measures; so do we, and an offset the servo
 * left out (an outlier, a spike) ends with `not used: <why>`, so that the log shows what a gate
 * did rather than a gap.
 */
export function masterOffsetLine(offsetNs: number, servoState: string, frequencyPpb: number, pathDelayNs: number, notUsed?: string): string {
  const line = `master offset ${String(Math.round(offsetNs)).padStart(10)} ${servoState} freq ${printfFixed0(frequencyPpb, 7, true)} path delay ${String(Math.round(pathDelayNs)).padStart(9)}`;
  return notUsed === undefined ? line : `${line}${notUsedSuffix(notUsed)}`;
}

/** The end of a per-Sync line whose offset the servo left out (the daemon's and replay's lines alike). */
export function notUsedSuffix(reason: string): string {
  return ` not used: ${reason}`;
}

/** Accumulates offsets, frequencies and delays for ptp4l's summary_interval line. */
export class SummaryStats {
  private offsets: number[] = [];
  private freqs: number[] = [];
  private delays: number[] = [];

  add(offsetNs: number, frequencyPpb: number, pathDelayNs: number): void {
    this.offsets.push(offsetNs);
    this.freqs.push(frequencyPpb);
    this.delays.push(pathDelayNs);
  }

  /** `rms X max Y freq F +/- S delay D +/- E`, then reset; undefined when empty. */
  take(): string | undefined {
    if (this.offsets.length === 0) return undefined;
    const rms = Math.sqrt(this.offsets.reduce((a, v) => a + v * v, 0) / this.offsets.length);
    const max = Math.max(...this.offsets.map(Math.abs));
    const [fm, fs] = meanStd(this.freqs);
    const [dm, ds] = meanStd(this.delays);
    this.offsets = [];
    this.freqs = [];
    this.delays = [];
    return (
      `rms ${printfFixed0(rms, 4)} max ${printfFixed0(max, 4)} freq ${printfFixed0(fm, 6, true)} +/- ${printfFixed0(fs, 3)} ` +
      `delay ${printfFixed0(dm, 5)} +/- ${printfFixed0(ds, 3)}`
    );
  }
}

/**
 * A number as C's printf prints it with `%W.0f` (`%+W.0f` with `plus`), the conversions of ptp4l's
 * log lines: a script that splits ptp4l's lines on blanks must split ours into the same fields, so the
 * sign sits on the digits (`freq    -169`), a negative value that rounds to 0 keeps its sign, and
 * halves round to even.
 */
export function printfFixed0(value: number, width: number, plus = false): string {
  const magnitude = Math.abs(value);
  let digits = Math.floor(magnitude);
  const fraction = magnitude - digits;
  if (fraction > 0.5 || (fraction === 0.5 && digits % 2 === 1)) digits += 1;
  const negative = value < 0 || Object.is(value, -0);
  const sign = negative ? '-' : plus ? '+' : '';
  return `${sign}${digits}`.padStart(width);
}

/** Mean and standard deviation over the values themselves (÷ n), as linuxptp's stats.c gives its `+/-`. */
function meanStd(v: readonly number[]): [number, number] {
  const m = v.reduce((a, x) => a + x, 0) / v.length;
  const s = Math.sqrt(v.reduce((a, x) => a + (x - m) ** 2, 0) / v.length);
  return [m, s];
}
