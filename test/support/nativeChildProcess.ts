/**
 * Child Node processes for the native-addon tests and bench: inside a network namespace
 * (`ip netns exec`), or with privileges dropped (`setpriv`), talking one line per message.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

export interface ChildOptions {
  /** Run inside this network namespace. */
  readonly netns?: string;
  /** setpriv arguments, e.g. ['--reuid=65534', '--regid=65534', '--clear-groups']. */
  readonly setpriv?: readonly string[];
}

/** A child speaking one line of text per message on stdin/stdout. */
export class LineChild {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly lines: string[] = [];
  private waiter: (() => void) | undefined;
  private buffered = '';
  private stderrText = '';
  readonly exited: Promise<number | null>;

  constructor(script: string, args: readonly string[], options: ChildOptions = {}) {
    let command = process.execPath;
    let argv = [script, ...args];
    if (options.setpriv !== undefined) {
      argv = [...options.setpriv, command, ...argv];
      command = 'setpriv';
    }
    if (options.netns !== undefined) {
      argv = ['netns', 'exec', options.netns, command, ...argv];
      command = 'ip';
    }
    this.child = spawn(command, argv, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => {
      this.buffered += chunk;
      const parts = this.buffered.split('\n');
      this.buffered = parts.pop() ?? '';
      this.lines.push(...parts);
      this.waiter?.();
    });
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (chunk: string) => {
      this.stderrText += chunk;
    });
    this.exited = new Promise((done) =>
      this.child.on('close', (code) => {
        this.waiter?.();
        done(code);
      }),
    );
  }

  get stderr(): string {
    return this.stderrText;
  }

  /** The next stdout line; rejects after `timeoutMs` or when the child exits first. */
  async nextLine(timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.lines.shift();
      if (line !== undefined) return line;
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`child exited (${this.child.exitCode ?? this.child.signalCode}) before writing a line; stderr: ${this.stderrText}`);
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no line from the child within ${timeoutMs} ms; stderr: ${this.stderrText}`);
      await new Promise<void>((wake) => {
        const timer = setTimeout(wake, left);
        this.waiter = () => {
          clearTimeout(timer);
          wake();
        };
      });
      this.waiter = undefined;
    }
  }

  /** The next line parsed as JSON. */
  async nextJson<T>(timeoutMs?: number): Promise<T> {
    return JSON.parse(await this.nextLine(timeoutMs)) as T;
  }

  send(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}
