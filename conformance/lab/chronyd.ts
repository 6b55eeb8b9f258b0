/**
 * chronyd (Debian `chrony`) as the lab's consumer of Syntonic's SOCK refclock samples. It never
 * controls a clock: `chronyd -x` (no clock control) under setpriv without CAP_SYS_TIME and with
 * clockguard preloaded, like every lab process, inside its own network namespace. Everything it
 * touches lives in one 0700 temporary directory (chronyd disables a command socket in a directory
 * others can enter; chronyc binds its reply socket beside it): the configuration, the refclock socket,
 * the command socket, the pid file. `-u root` keeps it from dropping to _chrony, who could not enter
 * that directory to answer chronyc. No NTP or command port is opened.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LabProcess } from './labProcess.js';
import { LabError, type Lab } from './netns.js';

/** One row of `chronyc -n -c sources`. */
export interface ChronySource {
  /** '#' for a reference clock. */
  readonly mode: string;
  /** '*' selected, '+' combined, '?' unusable, 'x' falseticker, '~' too variable, '-' not combined. */
  readonly state: string;
  readonly name: string;
  readonly poll: number;
  /** The reach register (octal as chronyc prints it, e.g. 377). */
  readonly reach: number;
  /** Seconds since the last sample. */
  readonly lastRxS: number;
  /** Offset of the last sample, adjusted for chronyd's own corrections since, s. */
  readonly adjustedOffsetS: number;
  /** Offset of the last sample as measured, s. */
  readonly measuredOffsetS: number;
  readonly errorS: number;
}

const SBIN_PATH = `${process.env['PATH'] ?? ''}:/usr/sbin:/sbin`;

export class Chronyd {
  private constructor(
    readonly process: LabProcess,
    readonly directory: string,
    /** Where Syntonic sends its samples (refclock_sock_address). */
    readonly refclockSocket: string,
    readonly commandSocket: string,
  ) {}

  static start(lab: Lab, clockGuardPath: string, namespace: string, refid = 'SYNT'): Chronyd {
    const directory = lab.tempDir('chronyd');
    chmodSync(directory, 0o700);
    const refclockSocket = join(directory, 'refclock.sock');
    const commandSocket = join(directory, 'chronyd.sock');
    const config = join(directory, 'chrony.conf');
    writeFileSync(
      config,
      [
        `refclock SOCK ${refclockSocket} refid ${refid} poll 0`,
        `bindcmdaddress ${commandSocket}`,
        'cmdport 0',
        'port 0',
        `pidfile ${join(directory, 'chronyd.pid')}`,
        '',
      ].join('\n'),
    );
    const argv = ['chronyd', '-x', '-d', '-u', 'root', '-f', config];
    return new Chronyd(new LabProcess('chronyd', lab, namespace, argv, clockGuardPath), directory, refclockSocket, commandSocket);
  }

  /** Resolves once chronyd has bound the refclock socket. */
  async listening(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!existsSync(this.refclockSocket) || !existsSync(this.commandSocket)) {
      if (!this.process.running) throw new LabError(`chronyd ended before binding its sockets; last lines:\n${this.process.tail()}`, 'chronyd');
      if (Date.now() > deadline)
        throw new LabError(`chronyd did not bind ${this.refclockSocket} within ${timeoutMs} ms; last lines:\n${this.process.tail()}`, 'chronyd');
      await new Promise((wake) => setTimeout(wake, 50));
    }
  }

  /** `chronyc -h SOCKET -n -c sources`, parsed (chronyc runs in the lab's own namespace: the socket is a path). */
  sources(): ChronySource[] {
    let out: string;
    try {
      out = execFileSync('chronyc', ['-h', this.commandSocket, '-n', '-c', 'sources'], {
        encoding: 'utf8',
        env: { ...process.env, PATH: SBIN_PATH },
        timeout: 5_000,
      });
    } catch (err) {
      const stderr = (err as { stderr?: string }).stderr ?? String(err);
      throw new LabError(`chronyc sources failed: ${stderr.trim()}`, 'chronyc');
    }
    return out
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map(parseSourceLine);
  }

  async stop(): Promise<void> {
    await this.process.stop();
  }
}

/** `#,*,SYNT,0,0,377,0,0.000000123,0.000000130,0.000000500` → ChronySource. */
export function parseSourceLine(line: string): ChronySource {
  const f = line.split(',');
  if (f.length < 10) throw new LabError(`unexpected chronyc sources line: ${line}`, 'chronyc');
  const n = (i: number): number => Number(f[i]);
  return {
    mode: f[0] ?? '',
    state: f[1] ?? '',
    name: f[2] ?? '',
    poll: n(4),
    reach: Number.parseInt(f[5] ?? '0', 8),
    lastRxS: n(6),
    adjustedOffsetS: n(7),
    measuredOffsetS: n(8),
    errorS: n(9),
  };
}
