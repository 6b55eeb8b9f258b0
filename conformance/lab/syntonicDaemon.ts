/**
 * `syntonic run` as a lab process: inside the slave namespace, software timestamps, the virtual clock,
 * guarded like ptp4l (setpriv without CAP_SYS_TIME, clockguard preloaded). Its log lines (text or
 * JSON) become typed samples; the time-base provider socket lives in the lab's temporary directory,
 * reachable from every namespace (it is a file path).
 *
 * Runs the compiled daemon (dist/, `npx tsc -p tsconfig.json`) through bin/syntonic.js.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadDaemonConfig } from '../../src/cli/config/daemonConfig.js';
import type { ClockDisciplineOptions } from '../../src/servo/clockDiscipline.js';
import { REPOSITORY_ROOT } from './clockGuard.js';
import { LabProcess } from './labProcess.js';
import {
  parseAsCapableChange,
  parseOffsetSample,
  parsePortStateChange,
  parseStatusChange,
  type AsCapableChange,
  type OffsetSample,
  type PortStateChange,
  type StatusChange,
} from './logLines.js';
import { LabError, type Lab } from './netns.js';

export type ProviderStatus = 'synchronized' | 'unstable' | 'lost';

export interface SyntonicOptions {
  readonly namespace: string;
  readonly interfaceName: string;
  /** A Syntonic config file; default conformance/lab/configs/syntonic-gPTP-software.cfg. */
  readonly configFile?: string;
  readonly profile?: 'gptp' | 'automotive';
  readonly logFormat?: 'text' | 'json';
  /** Directory for the provider socket and the time page (time.page); default a new lab temporary directory. */
  readonly socketDirectory?: string;
  /** Further command-line arguments. */
  readonly extraArgs?: readonly string[];
}

export const LAB_CONFIGS = join(REPOSITORY_ROOT, 'conformance/lab/configs');

/** The configuration file of the lab's default runs: SYNTONIC_LAB_CONFIG, else syntonic-gPTP-software.cfg. */
export function labConfigFile(): string {
  return process.env['SYNTONIC_LAB_CONFIG'] ?? join(LAB_CONFIGS, 'syntonic-gPTP-software.cfg');
}

/**
 * The servo a configuration file (and `--profile`, when given) gives the daemon on software
 * timestamps, as the daemon builds it (loadDaemonConfig): what a replay of the lab's Syncs must run to
 * be the daemon's servo. Its [global] section only (the lab's files have no interface section, and a
 * record does not name the veth).
 */
export function servoOfConfigFile(file: string, profile?: string): ClockDisciplineOptions {
  const overrides = profile === undefined ? {} : { profile };
  const { config } = loadDaemonConfig({ file, text: readFileSync(file, 'utf8'), interfaceName: 'lab0', overrides });
  return { ...config.servo, timestamping: 'software' };
}
const ENTRY = join(REPOSITORY_ROOT, 'bin/syntonic.js');
const COMPILED_MAIN = join(REPOSITORY_ROOT, 'dist/src/cli/main.js');

export class SyntonicDaemon {
  /** The offsets its servo used (ptp4l's sense of `master offset`: every one it acted on). */
  readonly offsets: OffsetSample[] = [];
  /** The offsets its servo left out (outliers, spikes), each with why. */
  readonly offsetsNotUsed: OffsetSample[] = [];
  readonly statusChanges: StatusChange[] = [];
  readonly asCapableChanges: AsCapableChange[] = [];
  readonly portStates: PortStateChange[] = [];

  private constructor(
    readonly process: LabProcess,
    readonly socketPath: string,
    /** The configuration file it runs with, and `--profile` when given. */
    readonly configFile: string,
    private readonly profile: string | undefined,
  ) {
    process.onLine((line) => {
      const offset = parseOffsetSample(line.text, line.atMs);
      if (offset !== undefined) (offset.notUsed === undefined ? this.offsets : this.offsetsNotUsed).push(offset);
      const status = parseStatusChange(line.text, line.atMs);
      if (status !== undefined) this.statusChanges.push(status);
      const capable = parseAsCapableChange(line.text, line.atMs);
      if (capable !== undefined) this.asCapableChanges.push(capable);
      const port = parsePortStateChange(line.text, line.atMs);
      if (port !== undefined) this.portStates.push(port);
    });
  }

  static start(lab: Lab, clockGuardPath: string, options: SyntonicOptions): SyntonicDaemon {
    if (!existsSync(COMPILED_MAIN)) throw new LabError(`${COMPILED_MAIN} is missing: build first with npx tsc -p tsconfig.json`, 'syntonic');
    const directory = options.socketDirectory ?? lab.tempDir('syntonic');
    const socketPath = join(directory, 'syntonic.sock');
    const configFile = options.configFile ?? labConfigFile();
    const argv = [
      process.execPath,
      ENTRY,
      'run',
      '-i',
      options.interfaceName,
      '-f',
      // SYNTONIC_LAB_CONFIG: another config for the default runs (e.g. to measure clock_servo pi side by side).
      configFile,
      '--timestamping',
      'software',
      '--clock',
      'virtual',
      '--socket',
      socketPath,
      // Beside the socket, never the machine's /run/syntonic (labs of several runs share the machine).
      '--time-page',
      join(directory, 'time.page'),
      ...(options.profile === undefined ? [] : ['--profile', options.profile]),
      ...(options.logFormat === undefined ? [] : ['--log-format', options.logFormat]),
      ...(options.extraArgs ?? []),
    ];
    const labProcess = new LabProcess('syntonic', lab, options.namespace, argv, clockGuardPath, REPOSITORY_ROOT);
    return new SyntonicDaemon(labProcess, socketPath, configFile, options.profile);
  }

  /**
   * The servo its configuration gives it (servoOfConfigFile): what a replay of its Syncs runs. Read
   * when asked, not at the start, so that a daemon started to refuse its configuration still starts.
   */
  servo(): ClockDisciplineOptions {
    return servoOfConfigFile(this.configFile, this.profile);
  }

  /** The daemon's shared-memory time page, beside its socket. */
  get timePagePath(): string {
    return join(dirname(this.socketPath), 'time.page');
  }

  /** Resolves once the daemon logs that its provider socket is listening. */
  async providerListening(timeoutMs = 10_000): Promise<void> {
    await this.process.waitForLine(/time-base provider on /, timeoutMs);
  }

  /** The first `status … to <status>` line at or after index `fromLine` of the process's lines. */
  async statusBecomes(status: ProviderStatus, timeoutMs: number, fromLine = 0): Promise<StatusChange> {
    const line = await this.process.waitForLine(new RegExp(`status \\w+ to ${status}: `), timeoutMs, fromLine);
    const change = parseStatusChange(line.text, line.atMs);
    if (change === undefined) throw new LabError(`unreadable status line: ${line.text}`, 'syntonic');
    return change;
  }

  offsetsSince(fromMs: number): OffsetSample[] {
    return this.offsets.filter((s) => s.atMs >= fromMs);
  }

  async stop(): Promise<void> {
    await this.process.stop(3_000);
  }
}
