import { parseArgs } from 'node:util';
import { ConfigError } from '../config/configError.js';
import type { CommandLineOverrides } from '../config/commandLine.js';
import { loadDaemonConfig } from '../config/daemonConfig.js';
import { startDaemon } from '../daemon/daemon.js';
import { installExitCleanup } from '../daemon/exitCleanup.js';
import { createLog, type Log } from '../daemon/log.js';
import { planReload, restartNotice } from '../daemon/reload.js';
import type { SkewOptions } from '../../clock/skewedTimebase.js';
import type { Command } from '../main.js';

const USAGE = `Usage: syntonic run -i IFACE [-f CONFIG] [--timestamping auto|hardware|software] [--clock phc|virtual]
                    [--profile gptp|automotive] [--socket PATH] [--log-level LEVEL] [--log-format text|json]
                    [--metrics HOST:PORT] [--refclock-sock PATH] [--time-page PATH|none]
                    [--acceptable-grandmasters ID,…] [--acceptable-masters PORTID,…]

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
  --acceptable-grandmasters ID,…
                           follow only these grandmasters (clock identities, 001122.fffe.334455);
                           replaces acceptable_grandmasters of CONFIG, '' accepts any
  --acceptable-masters PORTID,…
                           take Announce and Sync only from these neighbour ports
                           (001122.fffe.334455-1); replaces acceptable_masters of CONFIG
  --timestamp-skew PPM[:W[:D]]
                           test instrument: make the software timestamp clock run PPM fast with a
                           W ppb/√s random walk and a ramp of D ppb/s, for the servo to remove
                           (conformance lab)

SIGHUP re-reads CONFIG: the acceptable lists and logging_level take effect at once; other changed
options are named in one log line (they need a restart).

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
  'acceptable-grandmasters': { type: 'string' },
  'acceptable-masters': { type: 'string' },
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
      ...(values['acceptable-grandmasters'] === undefined ? {} : { acceptableGrandmasters: values['acceptable-grandmasters'] }),
      ...(values['acceptable-masters'] === undefined ? {} : { acceptableMasters: values['acceptable-masters'] }),
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
    let current = loaded;
    let target = createLog(config.logFormat, config.loggingLevel);
    // Log lines go to whatever log the latest configuration asks for (a reload may change it).
    const log: Log = { write: (level, message, fields) => target.write(level, message, fields) };
    for (const w of warnings) log.write('warning', w);
    const skew = parseSkew(values['timestamp-skew']);
    if (typeof skew === 'string') return usageError(skew);
    // Signals are taken from here on, before the daemon is up: a stop that arrives during start-up
    // is honoured as soon as the daemon can stop cleanly. SIGQUIT stops too, as it stops ptp4l.
    let stopSignal: NodeJS.Signals | undefined;
    let daemon: Awaited<ReturnType<typeof startDaemon>> | undefined;
    const onSignal = (signal: NodeJS.Signals): void => {
      stopSignal = signal;
      if (daemon !== undefined) void daemon.stop(`received ${signal}`);
    };
    // SIGHUP re-reads the configuration (it never kills the daemon).
    const onHangup = (): void => {
      const reloaded = reloadConfig(values.config, values.interface as string, overrides, log);
      if (reloaded === undefined) return;
      const plan = planReload(current.settings, reloaded.settings);
      current = reloaded;
      const next = reloaded.config;
      target = createLog(next.logFormat, next.loggingLevel);
      log.write(
        'notice',
        `received SIGHUP: configuration ${values.config ?? '(command line)'} reloaded${plan.applied.length === 0 ? '' : `, applied: ${plan.applied.join(', ')}`}`,
      );
      const notice = restartNotice(plan);
      if (notice !== undefined) log.write('warning', notice);
      daemon?.reload(next);
    };
    const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGQUIT'];
    const release = (): void => {
      for (const sig of STOP_SIGNALS) process.off(sig, onSignal);
      process.off('SIGHUP', onHangup);
    };
    installExitCleanup();
    for (const sig of STOP_SIGNALS) process.once(sig, onSignal);
    process.on('SIGHUP', onHangup);
    try {
      daemon = await startDaemon(config, log, skew === undefined ? {} : { timestampSkew: skew });
    } catch (err) {
      release();
      // One line a person can act on (the native layer's messages name the interface and the fix).
      process.stderr.write(`syntonic run: ${err instanceof Error ? err.message : String(err)}\n`);
      return 1;
    }
    if (current !== loaded) daemon.reload(current.config);
    if (stopSignal !== undefined) void daemon.stop(`received ${stopSignal}`);
    const code = await daemon.stopped;
    release();
    return code;
  },
};

/** The configuration read again for SIGHUP; undefined (and one error line) when it is now broken: the daemon keeps the one it runs with. */
function reloadConfig(
  file: string | undefined,
  interfaceName: string,
  overrides: Partial<CommandLineOverrides>,
  log: Log,
): ReturnType<typeof loadDaemonConfig> | undefined {
  try {
    const reloaded = loadDaemonConfig({ ...(file === undefined ? {} : { file }), interfaceName, overrides });
    return reloaded;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    log.write('error', `received SIGHUP: configuration not reloaded, still running with the previous one: ${message.replace(/\n/g, '; ')}`);
    return undefined;
  }
}

/** --timestamp-skew PPM[:WANDER_PPB_PER_SQRT_S[:DRIFT_PPB_PER_S]]; a string is the problem. */
function parseSkew(raw: string | undefined): SkewOptions | undefined | string {
  if (raw === undefined) return undefined;
  const m = /^([+-]?\d+(?:\.\d+)?)(?::(\d+(?:\.\d+)?)(?::([+-]?\d+(?:\.\d+)?))?)?$/.exec(raw);
  if (m === null || Math.abs(Number(m[1])) > 1000 || Math.abs(Number(m[3] ?? 0)) > 1000) {
    return `--timestamp-skew: '${raw}' is not PPM[:WANDER[:DRIFT]] (e.g. 100, 100:1 or 100:0:1; |PPM| ≤ 1000, |DRIFT| ≤ 1000 ppb/s)`;
  }
  return { frequencyOffsetPpm: Number(m[1]), wanderPpbPerSqrtS: m[2] === undefined ? 0 : Number(m[2]), driftPpbPerS: m[3] === undefined ? 0 : Number(m[3]) };
}

function usageError(message: string): number {
  process.stderr.write(`syntonic run: ${message}\nRun 'syntonic run --help' for the options.\n`);
  return 2;
}
