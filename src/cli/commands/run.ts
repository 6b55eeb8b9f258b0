import { parseArgs } from 'node:util';
import { ConfigError } from '../config/configError.js';
import type { CommandLineOverrides } from '../config/commandLine.js';
import { loadDaemonConfig } from '../config/daemonConfig.js';
import { startDaemon } from '../daemon/daemon.js';
import { createLog } from '../daemon/log.js';
import type { SkewOptions } from '../../clock/skewedTimebase.js';
import type { Command } from '../main.js';

const USAGE = `Usage: syntonic run -i IFACE [-f CONFIG] [--timestamping auto|hardware|software] [--clock phc|virtual]
                    [--profile gptp|automotive] [--socket PATH] [--log-level LEVEL] [--log-format text|json]
                    [--metrics HOST:PORT] [--refclock-sock PATH] [--time-page PATH|none]

Runs a gPTP (802.1AS) time-aware end station in the slave role on IFACE. CONFIG uses linuxptp's
.cfg syntax and option names (gPTP.cfg and automotive-slave.cfg load as they are); flags override it.

  -i, --interface IFACE    network interface (needs CAP_NET_RAW)
  -f, --config FILE        configuration file
  --timestamping MODE      auto (default: hardware when the NIC has it), hardware, software
  --clock KIND             virtual (default: an affine clock over the timestamp clock; touches nothing)
                           or phc (discipline the NIC's PTP hardware clock; needs hardware timestamping)
  --profile NAME           gptp (default) or automotive (static slave, no Announce)
  --socket PATH            time-base provider socket (default /run/syntonic/syntonic.sock)
  --log-level LEVEL        syslog level 0-7 or name (default info)
  --log-format FORMAT      text (ptp4l-style lines, default) or json
  --metrics HOST:PORT      serve Prometheus metrics (host defaults to 127.0.0.1)
  --refclock-sock PATH     feed chronyd's SOCK refclock at PATH (refclock_sock_address; chrony.conf:
                           refclock SOCK PATH), once per Sync while synchronized and UTC is known
  --time-page PATH|none    shared-memory time page for C, C++ and Python programs
                           (default /run/syntonic/time.page; none: no page)
  --timestamp-skew PPM[:W] test instrument: make the software timestamp clock run PPM fast with a
                           W ppb/√s random walk, for the servo to remove (conformance lab)

Exit codes: 0 stopped by SIGINT/SIGTERM, 1 runtime failure (interface, privilege, socket), 2 bad
command line or configuration.`;

const FLAGS = {
  interface: { type: 'string', short: 'i' },
  config: { type: 'string', short: 'f' },
  timestamping: { type: 'string' },
  clock: { type: 'string' },
  profile: { type: 'string' },
  socket: { type: 'string' },
  'log-level': { type: 'string' },
  'log-format': { type: 'string' },
  metrics: { type: 'string' },
  'refclock-sock': { type: 'string' },
  'time-page': { type: 'string' },
  // Test instrument for the conformance lab (software timestamps only): skew the station's own
  // timestamp clock by PPM[:WANDER] (ppm, and a random walk in ppb/√s) so the servo must remove it.
  'timestamp-skew': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const command: Command = {
  summary: 'run as a gPTP slave on an interface',
  async run(argv: string[]): Promise<number> {
    let values: ReturnType<typeof parseArgs<{ args: string[]; options: typeof FLAGS }>>['values'];
    try {
      values = parseArgs({ args: argv, options: FLAGS, strict: true }).values;
    } catch (err) {
      return usageError(err instanceof Error ? err.message : String(err));
    }
    if (values.help === true) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (values.interface === undefined) return usageError('-i IFACE is required');
    const overrides: Partial<CommandLineOverrides> = {
      ...(values.profile === undefined ? {} : { profile: values.profile }),
      ...(values.timestamping === undefined ? {} : { timestamping: values.timestamping }),
      ...(values.clock === undefined ? {} : { clock: values.clock }),
      ...(values.socket === undefined ? {} : { socketPath: values.socket }),
      ...(values['log-level'] === undefined ? {} : { logLevel: values['log-level'] }),
      ...(values['log-format'] === undefined ? {} : { logFormat: values['log-format'] }),
      ...(values.metrics === undefined ? {} : { metrics: values.metrics }),
      ...(values['refclock-sock'] === undefined ? {} : { refclockSock: values['refclock-sock'] }),
      ...(values['time-page'] === undefined ? {} : { timePage: values['time-page'] }),
    };
    let loaded: ReturnType<typeof loadDaemonConfig>;
    try {
      loaded = loadDaemonConfig({ ...(values.config === undefined ? {} : { file: values.config }), interfaceName: values.interface, overrides });
    } catch (err) {
      if (err instanceof ConfigError) {
        process.stderr.write(`syntonic run: ${err.message}\n`);
        return 2;
      }
      throw err;
    }
    const { config, warnings } = loaded;
    const log = createLog(config.logFormat, config.loggingLevel);
    for (const w of warnings) log.write('warning', w);
    const skew = parseSkew(values['timestamp-skew']);
    if (typeof skew === 'string') return usageError(skew);
    // Signals are taken from here on, before the daemon is up: a stop that arrives during start-up
    // is honoured as soon as the daemon can stop cleanly.
    let stopSignal: NodeJS.Signals | undefined;
    let daemon: Awaited<ReturnType<typeof startDaemon>> | undefined;
    const onSignal = (signal: NodeJS.Signals): void => {
      stopSignal = signal;
      if (daemon !== undefined) void daemon.stop(`received ${signal}`);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      daemon = await startDaemon(config, log, skew === undefined ? {} : { timestampSkew: skew });
    } catch (err) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      // One line a person can act on (the native layer's messages name the interface and the fix).
      process.stderr.write(`syntonic run: ${err instanceof Error ? err.message : String(err)}\n`);
      return 1;
    }
    if (stopSignal !== undefined) void daemon.stop(`received ${stopSignal}`);
    const code = await daemon.stopped;
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    return code;
  },
};

/** --timestamp-skew PPM[:WANDER_PPB_PER_SQRT_S]; a string is the problem. */
function parseSkew(raw: string | undefined): SkewOptions | undefined | string {
  if (raw === undefined) return undefined;
  const m = /^([+-]?\d+(?:\.\d+)?)(?::(\d+(?:\.\d+)?))?$/.exec(raw);
  if (m === null || Math.abs(Number(m[1])) > 1000) return `--timestamp-skew: '${raw}' is not PPM[:WANDER] (e.g. 100 or 100:1; |PPM| ≤ 1000)`;
  return { frequencyOffsetPpm: Number(m[1]), wanderPpbPerSqrtS: m[2] === undefined ? 0 : Number(m[2]) };
}

function usageError(message: string): number {
  process.stderr.write(`syntonic run: ${message}\nRun 'syntonic run --help' for the options.\n`);
  return 2;
}
