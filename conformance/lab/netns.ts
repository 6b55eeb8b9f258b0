/**
 * The lab's kernel objects: network namespaces joined by veth pairs, the processes started inside
 * them, and temporary directories. Everything is named `syn-lab-<pid>-…` (interfaces `sl<pid>…`,
 * which fit IFNAMSIZ) and recorded in a registry as it is created, so that
 *
 *  - `Lab.cleanup()` (call it in a `finally`) removes all of it, even after a failed step;
 *  - process exit, SIGINT, SIGTERM and uncaught errors run the same clean-up synchronously;
 *  - `cleanupStale()` removes what a crashed (SIGKILLed) run left behind: every `syn-lab-<pid>-`
 *    namespace and temporary directory whose pid no longer runs, after killing the processes still
 *    inside (a deleted namespace lives on, invisible, while a process is in it).
 *
 * veth ends are created directly inside their namespaces, so nothing appears in the host namespace,
 * and deleting a namespace deletes its ends.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readdirSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const LAB_PREFIX = 'syn-lab-';
/** Interface names: `sl<pid><n>` plus a side letter; at most 15 octets (IFNAMSIZ − 1). */
const INTERFACE_PREFIX = 'sl';
const STALE_NAME = /^syn-lab-(\d+)-/;
/** statfs f_type of tmpfs: a file system in memory. */
export const TMPFS_MAGIC = 0x01021994;
const MEMORY_ROOT_CANDIDATES = ['/dev/shm', '/run'];
let memoryRoot: string | undefined;

/**
 * Where a process under test keeps a file it rewrites while it keeps time: a writable tmpfs, or the
 * ordinary temporary directory when there is none. vclock.so rewrites its state file on every clock
 * adjustment (a new file renamed over the old one); on ext4 such a rename starts a flush of the new
 * file (auto_da_alloc), and on this machine's shared disk that stalled the reference ptp4l for
 * 0.3–0.8 s every half minute or so, long enough for its clock check to fault its port (measured: in
 * 3 of 3 90 s shared-port runs with the file on /tmp, in none of 3 with it on /dev/shm).
 */
export function memoryTempRoot(): string {
  memoryRoot ??= MEMORY_ROOT_CANDIDATES.find(isWritableTmpfs) ?? tmpdir();
  return memoryRoot;
}

function isWritableTmpfs(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return statfsSync(dir).type === TMPFS_MAGIC;
  } catch {
    return false;
  }
}

export interface VethEnd {
  readonly namespace: string;
  readonly name: string;
}

/** One veth pair: frames sent on `a` arrive on `b` and back. */
export interface VethLink {
  readonly a: VethEnd;
  readonly b: VethEnd;
}

export class LabError extends Error {
  constructor(
    message: string,
    readonly step: string,
  ) {
    super(message);
    this.name = 'LabError';
  }
}

/** Runs `ip` and returns its stdout; throws a LabError naming the command and ip's complaint. */
export function ip(args: readonly string[]): string {
  try {
    return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new LabError(`ip ${args.join(' ')} failed: ${stderr.trim() || String(err)}`, `ip ${args[0] ?? ''}`);
  }
}

function tryIp(args: readonly string[]): void {
  try {
    ip(args);
  } catch {
    // already gone
  }
}

export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function listNamespaces(): string[] {
  return ip(['netns', 'list'])
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name !== '');
}

/** pids of the processes inside `namespace` (empty when it is gone). */
export function namespacePids(namespace: string): number[] {
  try {
    return ip(['netns', 'pids', namespace])
      .split('\n')
      .map((s) => Number.parseInt(s, 10))
      .filter((n) => Number.isInteger(n) && n > 0);
  } catch {
    return [];
  }
}

/** SIGKILLs every process inside `namespace`, then deletes it. Synchronous: usable from an exit handler. */
export function removeNamespace(namespace: string): void {
  for (const pid of namespacePids(namespace)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // exited meanwhile
    }
  }
  tryIp(['netns', 'del', namespace]);
}

/**
 * Removes leftovers of lab runs whose process is gone: namespaces (and the processes in them) and
 * temporary directories named `syn-lab-<pid>-…`. Returns what it removed.
 */
export function cleanupStale(): string[] {
  const removed: string[] = [];
  const stale = (name: string): boolean => {
    const pid = STALE_NAME.exec(name)?.[1];
    return pid !== undefined && Number(pid) !== process.pid && !isRunning(Number(pid));
  };
  for (const namespace of listNamespaces().filter(stale)) {
    removeNamespace(namespace);
    removed.push(namespace);
  }
  for (const root of new Set([tmpdir(), memoryTempRoot()])) {
    for (const entry of readdirSync(root).filter(stale)) {
      rmSync(join(root, entry), { recursive: true, force: true });
      removed.push(join(root, entry));
    }
  }
  return removed;
}

/** Every Lab of this process, for the exit and signal handlers. */
const openLabs = new Set<Lab>();
let handlersInstalled = false;

function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', () => {
    for (const lab of openLabs) lab.cleanupSync();
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      for (const lab of openLabs) lab.cleanupSync();
      // Nobody else handles it: re-raise so the process ends as the signal meant (default action).
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  }
}

export interface SpawnInNamespaceOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

/**
 * A set of namespaces, links, processes and directories created for one experiment. Not safe to share
 * between concurrent experiments; create one per test file or scenario.
 */
export class Lab {
  /** `syn-lab-<pid>-<n>`: unique per process and Lab. */
  readonly id: string;
  private static count = 0;
  private readonly serial: number;
  private readonly namespaces: string[] = [];
  private readonly processes = new Set<ChildProcess>();
  private readonly directories: string[] = [];
  private interfaces = 0;

  constructor() {
    Lab.count += 1;
    this.serial = Lab.count;
    this.id = `${LAB_PREFIX}${process.pid}-${this.serial}`;
    installExitHandlers();
    openLabs.add(this);
  }

  /**
   * Creates namespace `<id>-<tag>` with its loopback up and IPv6 off, so that the links carry only
   * what the experiment sends (no router solicitations or duplicate address detection).
   */
  namespace(tag: string): string {
    const name = `${this.id}-${tag}`;
    removeNamespace(name);
    this.namespaces.push(name);
    ip(['netns', 'add', name]);
    ip(['-n', name, 'link', 'set', 'lo', 'up']);
    this.exec(name, ['sysctl', '-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
    return name;
  }

  /** A veth pair between two of this lab's namespaces, both ends up, carrier awaited. */
  async veth(namespaceA: string, namespaceB: string, timeoutMs = 5_000): Promise<VethLink> {
    this.interfaces += 1;
    if (this.interfaces > 26) throw new LabError('at most 26 veth pairs per lab', 'veth');
    const base = `${INTERFACE_PREFIX}${process.pid}${this.serial}${String.fromCharCode(96 + this.interfaces)}`;
    if (base.length + 1 > 15) throw new LabError(`interface name ${base}a is longer than 15 octets`, 'veth');
    const link: VethLink = { a: { namespace: namespaceA, name: `${base}a` }, b: { namespace: namespaceB, name: `${base}b` } };
    ip(['link', 'add', link.a.name, 'netns', namespaceA, 'type', 'veth', 'peer', 'name', link.b.name, 'netns', namespaceB]);
    this.setLink(link.a, 'up');
    this.setLink(link.b, 'up');
    await this.waitForCarrier(link.a, true, timeoutMs);
    await this.waitForCarrier(link.b, true, timeoutMs);
    return link;
  }

  setLink(end: VethEnd, state: 'up' | 'down'): void {
    ip(['-n', end.namespace, 'link', 'set', end.name, state]);
  }

  hasCarrier(end: VethEnd): boolean {
    const flags = /<([^>]*)>/.exec(ip(['-n', end.namespace, '-o', 'link', 'show', 'dev', end.name]))?.[1] ?? '';
    return flags.split(',').includes('LOWER_UP');
  }

  /** Both veth ends must be up before carrier appears (a few ms). */
  async waitForCarrier(end: VethEnd, carrier: boolean, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.hasCarrier(end) !== carrier) {
      if (Date.now() > deadline)
        throw new LabError(`${end.name} in ${end.namespace}: carrier still ${carrier ? 'down' : 'up'} after ${timeoutMs} ms`, 'carrier');
      await new Promise((wake) => setTimeout(wake, 10));
    }
  }

  /** Runs a command inside `namespace` to completion and returns its stdout. */
  exec(namespace: string, argv: readonly string[]): string {
    const [command, ...rest] = argv;
    if (command === undefined) throw new LabError('empty command', 'exec');
    return ip(['netns', 'exec', namespace, command, ...rest]);
  }

  /**
   * Starts a long-running command inside `namespace` (`ip netns exec` execs it: the child's pid is
   * the command's). The lab kills it on clean-up.
   */
  spawn(namespace: string, argv: readonly string[], options: SpawnInNamespaceOptions = {}): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', namespace, ...argv], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: options.env ?? process.env,
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    });
    this.processes.add(child);
    child.once('exit', () => this.processes.delete(child));
    return child;
  }

  /** A temporary directory `<tmp>/<id>-<tag>-XXXXXX`, removed on clean-up. */
  tempDir(tag: string): string {
    return this.directoryIn(tmpdir(), tag);
  }

  /** The same in memory (memoryTempRoot): for files a process under test rewrites while it keeps time. */
  memoryDir(tag: string): string {
    return this.directoryIn(memoryTempRoot(), tag);
  }

  private directoryIn(root: string, tag: string): string {
    const dir = mkdtempSync(join(root, `${this.id}-${tag}-`));
    this.directories.push(dir);
    return dir;
  }

  /** Stops every process (SIGTERM, then SIGKILL after `graceMs`), deletes namespaces and directories. */
  async cleanup(graceMs = 1_000): Promise<void> {
    const alive = [...this.processes].filter((c) => c.exitCode === null && c.signalCode === null);
    await Promise.all(alive.map((c) => stopChild(c, graceMs)));
    this.cleanupSync();
  }

  /** The same, synchronously and without grace: for exit and signal handlers. */
  cleanupSync(): void {
    for (const child of this.processes) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    this.processes.clear();
    for (const namespace of this.namespaces.splice(0).reverse()) removeNamespace(namespace);
    for (const dir of this.directories.splice(0)) rmSync(dir, { recursive: true, force: true });
    openLabs.delete(this);
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the child has exited. */
export async function stopChild(child: ChildProcess, graceMs = 1_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
