/**
 * A guarded process inside a lab namespace (ptp4l, `syntonic run`, the relay): its output as lines
 * with the time each arrived, waits for a line, and the clockguard verdict — an attempt to change a
 * clock is recorded the moment its line appears and turns every later wait into a failure.
 */
import type { ChildProcess } from 'node:child_process';
import { ACTIVE_MARK, BLOCKED_MARK, ClockChangeAttempt, guarded } from './clockGuard.js';
import { stopChild, type Lab } from './netns.js';

export interface OutputLine {
  /** Date.now() when the line arrived, ms. */
  readonly atMs: number;
  readonly stream: 'stdout' | 'stderr';
  readonly text: string;
}

export type LineListener = (line: OutputLine) => void;

export class LabProcess {
  readonly lines: OutputLine[] = [];
  readonly blocked: string[] = [];
  private readonly child: ChildProcess;
  private readonly listeners = new Set<LineListener>();
  readonly exited: Promise<number | null>;
  private exitDescription: string | undefined;

  /** Starts `argv` guarded (setpriv without CAP_SYS_TIME, clockguard preloaded) in `namespace`. */
  constructor(
    readonly name: string,
    lab: Lab,
    namespace: string,
    argv: readonly string[],
    clockGuardPath: string,
    cwd?: string,
  ) {
    const command = guarded(argv, clockGuardPath);
    this.child = lab.spawn(namespace, command.argv, { env: command.env, ...(cwd === undefined ? {} : { cwd }) });
    this.follow('stdout');
    this.follow('stderr');
    // 'close': after the process exited AND its output was read to the end.
    this.exited = new Promise((done) =>
      this.child.once('close', (code, signal) => {
        this.exitDescription = signal === null ? `exit code ${code ?? '?'}` : `signal ${signal}`;
        done(code);
      }),
    );
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** True once clockguard announced itself in the process (the preload took effect). */
  get guardActive(): boolean {
    return this.lines.some((l) => l.text.startsWith(ACTIVE_MARK));
  }

  onLine(listener: LineListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** Throws ClockChangeAttempt when any line so far says clockguard blocked a call. */
  assertClockUntouched(): void {
    if (this.blocked.length > 0) throw new ClockChangeAttempt(this.name, this.blocked);
  }

  /**
   * The first line (already received or still to come) matching `pattern`. Rejects after `timeoutMs`,
   * when the process exits first, or when it tries to change a clock.
   */
  async waitForLine(pattern: RegExp, timeoutMs: number, fromIndex = 0): Promise<OutputLine> {
    if (this.blocked.length > 0) throw new ClockChangeAttempt(this.name, this.blocked);
    const seen = this.lines.slice(fromIndex).find((l) => pattern.test(l.text));
    if (seen !== undefined) return seen;
    return new Promise<OutputLine>((resolve, reject) => {
      const finish = (error: Error | undefined, line?: OutputLine): void => {
        clearTimeout(timer);
        unsubscribe();
        if (error !== undefined) reject(error);
        else if (line !== undefined) resolve(line);
      };
      const timer = setTimeout(
        () => finish(new Error(`${this.name}: no line matching ${pattern} within ${timeoutMs} ms; last lines:\n${this.tail()}`)),
        timeoutMs,
      );
      const unsubscribe = this.onLine((line) => {
        if (this.blocked.length > 0) finish(new ClockChangeAttempt(this.name, this.blocked));
        else if (pattern.test(line.text)) finish(undefined, line);
      });
      void this.exited.then(() =>
        finish(new Error(`${this.name} ended (${this.exitDescription ?? '?'}) before a line matching ${pattern}; last lines:\n${this.tail()}`)),
      );
    });
  }

  /** The last `n` lines, for error messages. */
  tail(n = 15): string {
    return this.lines
      .slice(-n)
      .map((l) => `  ${l.text}`)
      .join('\n');
  }

  /** SIGTERM (SIGKILL after `graceMs`); resolves once it has exited. */
  async stop(graceMs = 1_000): Promise<void> {
    await stopChild(this.child, graceMs);
    await this.exited;
  }

  /** Sends `signal` (e.g. SIGUSR1, vclock.so's step); a process that has ended is left alone. */
  signal(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  /** SIGKILL: an abrupt failure, as a crash or power loss would be. */
  async kill(): Promise<void> {
    if (this.running) this.child.kill('SIGKILL');
    await this.exited;
  }

  private follow(stream: 'stdout' | 'stderr'): void {
    const source = this.child[stream];
    if (source === null) return;
    let partial = '';
    source.setEncoding('utf8');
    source.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const text of parts) this.take({ atMs: Date.now(), stream, text });
    });
    source.on('end', () => {
      if (partial !== '') this.take({ atMs: Date.now(), stream, text: partial });
      partial = '';
    });
  }

  private take(line: OutputLine): void {
    this.lines.push(line);
    if (line.text.includes(BLOCKED_MARK)) this.blocked.push(line.text);
    for (const listener of [...this.listeners]) listener(line);
  }
}
