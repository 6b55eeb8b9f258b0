/**
 * linuxptp's ptp4l (Debian 3.1.1) as the lab's peer: a gPTP grandmaster, or a free-running slave whose
 * `master offset` lines measure the same link as a reference. Never anything that adjusts a clock:
 *
 *  - every instance runs with `free_running 1` and `kernel_leap 0` (a grandmaster too: ptp4l then
 *    never opens CLOCK_REALTIME for adjustment, and the timestamps it sends are still the software
 *    timestamps, i.e. CLOCK_REALTIME as it is), under setpriv without CAP_SYS_TIME and clockguard;
 *  - a slave also runs `slaveOnly 1`, `freq_est_interval 0` and `summary_interval -3`: it stays
 *    UNCALIBRATED and prints `master offset` per frequency estimate (LAB-NOTES).
 *
 * Configs are one of conformance/lab/configs/ptp4l-*.cfg with the per-run options replaced, written to
 * a temporary directory; each instance gets its own `uds_address` (the UDS path is shared by all
 * namespaces).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPOSITORY_ROOT } from './clockGuard.js';
import { LabProcess } from './labProcess.js';
import { portDataSets, type PortDataSet } from './pmc.js';
import { parseOffsetSample, parsePortStateChange, type OffsetSample, type PortStateChange } from './logLines.js';
import { LabError, type Lab } from './netns.js';
import { readVclockState, vclockEnvironment, vclockErrorAt, VCLOCK_ACTIVE_MARK, type VclockState } from './vclock.js';

export type Ptp4lBase = 'gPTP' | 'automotive-master' | 'automotive-slave';
/**
 * `servoSlave`: a slave running ptp4l's own servo (`free_running 0`) on a virtual CLOCK_REALTIME
 * (vclock.so, never the machine's clock): the lab's accuracy anchor.
 */
export type Ptp4lRole = 'grandmaster' | 'freeRunningSlave' | 'freeRunningBridge' | 'servoSlave';
/** ptp4l's clock_servo for a servoSlave. */
export type Ptp4lServo = 'pi' | 'linreg';

/** gPTP.cfg's 800 ns never lets software timestamps on veth become asCapable (LAB-NOTES): 10 ms does. */
export const SOFTWARE_NEIGHBOR_PROP_DELAY_THRESH_NS = 10_000_000;
/** Wins against any gPTP.cfg peer (248). */
export const GRANDMASTER_PRIORITY1 = 246;

export interface Ptp4lOptions {
  /** For logs and errors, e.g. 'gm'. */
  readonly name: string;
  readonly namespace: string;
  readonly interfaces: readonly string[];
  readonly role: Ptp4lRole;
  /** Default 'gPTP'. */
  readonly base?: Ptp4lBase;
  /** Default GRANDMASTER_PRIORITY1 for a grandmaster, the base file's otherwise. */
  readonly priority1?: number;
  /** Default SOFTWARE_NEIGHBOR_PROP_DELAY_THRESH_NS. */
  readonly neighborPropDelayThreshNs?: number;
  /** ptp4l's clockIdentity option, e.g. '02aaaa.fffe.000002'; default derived from the MAC. */
  readonly clockIdentity?: string;
  /** clock_servo of a servoSlave; default 'pi'. */
  readonly servo?: Ptp4lServo;
  /** Any further [global] options, replacing the file's. */
  readonly options?: Readonly<Record<string, string | number>>;
}

/**
 * A config file's text with `[global]` options replaced or appended. ptp4l reads `name value` lines;
 * comments only on their own lines.
 */
export function withGlobalOptions(text: string, options: Readonly<Record<string, string | number>>): string {
  const left = new Map(Object.entries(options).map(([k, v]) => [k, String(v)]));
  for (const [k, v] of left) {
    if (/[\s#]/.test(k) || /[\n#]/.test(v) || v.trim() === '') throw new RangeError(`ptp4l option ${k}: '${v}' is not a plain value`);
  }
  const lines = text.split('\n').map((line) => {
    const name = /^\s*([^\s#[]\S*)\s/.exec(line)?.[1];
    if (name === undefined || !left.has(name)) return line;
    const value = left.get(name) as string;
    left.delete(name);
    return `${name}\t\t${value}`;
  });
  const end = lines.length > 0 && lines[lines.length - 1] === '' ? lines.pop() : undefined;
  for (const [k, v] of left) lines.push(`${k}\t\t${v}`);
  if (end !== undefined) lines.push(end);
  return lines.join('\n');
}

/** The config of one instance, as ptp4l will read it. */
export function ptp4lConfigText(options: Ptp4lOptions, udsAddress: string): string {
  const base = readFileSync(join(REPOSITORY_ROOT, 'conformance/lab/configs', `ptp4l-${options.base ?? 'gPTP'}.cfg`), 'utf8');
  const perRole: Record<string, string | number> =
    options.role === 'grandmaster'
      ? { priority1: options.priority1 ?? GRANDMASTER_PRIORITY1 }
      : options.role === 'servoSlave'
        ? { slaveOnly: 1, free_running: 0, clock_servo: options.servo ?? 'pi', summary_interval: -3 }
        : options.role === 'freeRunningSlave'
          ? { slaveOnly: 1, freq_est_interval: 0, summary_interval: -3, ...(options.priority1 === undefined ? {} : { priority1: options.priority1 }) }
          : { freq_est_interval: 0, summary_interval: -3, ...(options.priority1 === undefined ? {} : { priority1: options.priority1 }) };
  return withGlobalOptions(base, {
    free_running: 1,
    kernel_leap: 0,
    uds_address: udsAddress,
    neighborPropDelayThresh: options.neighborPropDelayThreshNs ?? SOFTWARE_NEIGHBOR_PROP_DELAY_THRESH_NS,
    ...(options.clockIdentity === undefined ? {} : { clockIdentity: options.clockIdentity }),
    ...perRole,
    ...options.options,
  });
}

export class Ptp4l {
  readonly samples: OffsetSample[] = [];
  readonly portStates: PortStateChange[] = [];

  private constructor(
    readonly options: Ptp4lOptions,
    readonly process: LabProcess,
    readonly configPath: string,
    /** Its management socket, for pmc. */
    readonly udsAddress: string,
    /** A servoSlave's vclock state file. */
    readonly vclockStatePath?: string,
  ) {
    process.onLine((line) => {
      const sample = parseOffsetSample(line.text, line.atMs);
      if (sample !== undefined) this.samples.push(sample);
      const change = parsePortStateChange(line.text, line.atMs);
      if (change !== undefined) this.portStates.push(change);
    });
  }

  /** Writes the config into a fresh temporary directory and starts `ptp4l -f CFG -i … -m -S`. */
  static start(lab: Lab, clockGuardPath: string, options: Ptp4lOptions): Ptp4l {
    if (options.role === 'servoSlave') throw new LabError('a servoSlave needs vclock.so: use Ptp4l.startServoSlave', 'ptp4l');
    const dir = lab.tempDir(`ptp4l-${options.name}`);
    const configPath = join(dir, 'ptp4l.cfg');
    const udsAddress = join(dir, 'uds');
    writeFileSync(configPath, ptp4lConfigText(options, udsAddress));
    const argv = ['ptp4l', '-f', configPath, ...options.interfaces.flatMap((i) => ['-i', i]), '-m', '-S'];
    return new Ptp4l(options, new LabProcess(`ptp4l ${options.name}`, lab, options.namespace, argv, clockGuardPath), configPath, udsAddress);
  }

  /**
   * A slave running ptp4l's own servo (`free_running 0`, `clock_servo` pi or linreg) on a virtual
   * CLOCK_REALTIME: vclock.so preloaded over clockguard.so, VCLOCK_REQUIRE_NO_SYS_TIME=1, and setpriv
   * without CAP_SYS_TIME as for every lab process. Its true error comes from the state file.
   */
  static startServoSlave(lab: Lab, clockGuardPath: string, vclockPath: string, options: Omit<Ptp4lOptions, 'role'>): Ptp4l {
    const full: Ptp4lOptions = { ...options, role: 'servoSlave' };
    return Ptp4l.startUnderVclock(lab, clockGuardPath, vclockPath, full);
  }

  /**
   * A free-running instance (a grandmaster) whose CLOCK_REALTIME is virtual and moved by `offsetNs` from
   * the machine's (vclock.so with VCLOCK_OFFSET_NS): the time it sends, its software timestamps
   * included, is CLOCK_REALTIME + offsetNs. Free-running, it never steers that clock; the state file
   * says what it is at any instant (`trueErrorAt`: V − CLOCK_REALTIME, the time it was moved by).
   */
  static startOnMovedClock(lab: Lab, clockGuardPath: string, vclockPath: string, options: Ptp4lOptions, offsetNs: number): Ptp4l {
    if (options.role === 'servoSlave') throw new LabError('a servoSlave steers its virtual clock: use Ptp4l.startServoSlave', 'ptp4l');
    return Ptp4l.startUnderVclock(lab, clockGuardPath, vclockPath, options, offsetNs);
  }

  /**
   * A free-running instance (a grandmaster) on CLOCK_REALTIME through vclock.so, whose time the lab
   * can step while it runs: `signalStep(true)` moves everything it stamps and sends by `stepNs`,
   * `signalStep(false)` back (VCLOCK_SIGNAL_STEP_NS). Its Pdelay answers keep t3 − t2, so to a
   * slave a step shows only in the Syncs' preciseOriginTimestamp.
   */
  static startSteppable(lab: Lab, clockGuardPath: string, vclockPath: string, options: Ptp4lOptions, stepNs: number): Ptp4l {
    if (options.role === 'servoSlave') throw new LabError('a servoSlave steers its virtual clock: use Ptp4l.startServoSlave', 'ptp4l');
    return Ptp4l.startUnderVclock(lab, clockGuardPath, vclockPath, options, 0, stepNs);
  }

  /** Steps a steppable instance's clock by its step (true) or back (false); see startSteppable. */
  signalStep(on: boolean): void {
    this.process.signal(on ? 'SIGUSR1' : 'SIGUSR2');
  }

  /** ptp4l with vclock.so (and clockguard) preloaded, its virtual clock moved by `offsetNs` at start. */
  private static startUnderVclock(
    lab: Lab,
    clockGuardPath: string,
    vclockPath: string,
    options: Ptp4lOptions,
    offsetNs?: number,
    signalStepNs?: number,
  ): Ptp4l {
    // In memory: vclock.so rewrites its state on every adjustment, and on a disk that stalls ptp4l (netns.ts).
    const dir = lab.memoryDir(`ptp4l-${options.name}`);
    const configPath = join(dir, 'ptp4l.cfg');
    const udsAddress = join(dir, 'uds');
    const statePath = join(dir, 'vclock.state');
    writeFileSync(configPath, ptp4lConfigText(options, udsAddress));
    // vclock.so goes into ptp4l only (`env` after setpriv): in `ip netns exec` or setpriv, which still
    // hold CAP_SYS_TIME, it would refuse to load (VCLOCK_REQUIRE_NO_SYS_TIME) and end them.
    const env = vclockEnvironment(vclockPath, clockGuardPath, statePath, join(dir, 'vclock.log'), offsetNs, signalStepNs);
    const argv = [
      'env',
      ...Object.entries(env).map(([k, v]) => `${k}=${v ?? ''}`),
      'ptp4l',
      '-f',
      configPath,
      ...options.interfaces.flatMap((i) => ['-i', i]),
      '-m',
      '-S',
    ];
    return new Ptp4l(options, new LabProcess(`ptp4l ${options.name}`, lab, options.namespace, argv, clockGuardPath), configPath, udsAddress, statePath);
  }

  /** Its vclock.so state file, read now; undefined without one (not on vclock.so, or not yet written). */
  vclockState(): VclockState | undefined {
    return this.vclockStatePath === undefined ? undefined : readVclockState(this.vclockStatePath);
  }

  /** A servoSlave's true error at CLOCK_REALTIME `realtimeNs` (V − CLOCK_REALTIME), ns; undefined before its state file exists. */
  trueErrorAt(realtimeNs: bigint): number | undefined {
    if (this.vclockStatePath === undefined) return undefined;
    const state = readVclockState(this.vclockStatePath);
    return state === undefined ? undefined : vclockErrorAt(state, realtimeNs);
  }

  /** True once vclock.so announced itself (a servoSlave's or a moved grandmaster's clock is virtual). */
  get vclockActive(): boolean {
    return this.process.lines.some((l) => l.text.startsWith(VCLOCK_ACTIVE_MARK));
  }

  /** Throws when an instance started on vclock.so ran without it: its clock, and any true error read from it, would be the machine's. */
  assertVirtualClockLoaded(what: string): void {
    if (this.vclockStatePath !== undefined && !this.vclockActive) {
      throw new Error(`${what} ran without its virtual clock (vclock.so did not load):\n${this.process.tail()}`);
    }
  }

  /** Its ports' data sets (peerMeanPathDelay per port), asked with pmc. */
  async portDataSets(): Promise<PortDataSet[]> {
    return portDataSets(this.udsAddress);
  }

  /** Resolves when ptp4l reports the grandmaster role (about announceReceiptTimeout after start). */
  async grandmasterRole(timeoutMs = 10_000): Promise<void> {
    await this.process.waitForLine(/assuming the grand master role|to MASTER on/, timeoutMs);
  }

  /** Offsets since `fromMs` (Date.now() ms). */
  samplesSince(fromMs: number): OffsetSample[] {
    return this.samples.filter((s) => s.atMs >= fromMs);
  }

  async stop(): Promise<void> {
    await this.process.stop();
  }

  async kill(): Promise<void> {
    await this.process.kill();
  }
}
