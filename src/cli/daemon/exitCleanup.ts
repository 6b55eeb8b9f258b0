/**
 * What the daemon leaves on the machine and must take back however the process ends: the provider
 * socket, and whatever other helpers publish (a shared-memory time page, …). Each owner registers a
 * synchronous task when it creates the thing and unregisters it when it removed it itself (a clean
 * stop); the tasks still registered run once at process exit — after a stop, an uncaught error or
 * process.exit() — so that no stale socket or page is left for the next start or for clients.
 */
import { lstatSync, unlinkSync } from 'node:fs';

export type CleanupTask = () => void;

export class ExitCleanup {
  private readonly tasks = new Map<number, { readonly what: string; readonly task: CleanupTask }>();
  private nextId = 1;

  /** Registers `task`; the returned function unregisters it (call it once you cleaned up yourself). */
  register(what: string, task: CleanupTask): () => void {
    const id = this.nextId++;
    this.tasks.set(id, { what, task });
    return () => {
      this.tasks.delete(id);
    };
  }

  /** What is still registered, for tests and diagnostics. */
  pending(): string[] {
    return [...this.tasks.values()].map((t) => t.what);
  }

  /** Runs every registered task once, newest first; a failing task does not stop the others. */
  runAll(report: (message: string) => void = (m) => process.stderr.write(`${m}\n`)): void {
    const tasks = [...this.tasks.values()].reverse();
    this.tasks.clear();
    for (const { what, task } of tasks) {
      try {
        task();
      } catch (err) {
        report(`syntonic: clean-up of ${what} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
}

/** The process's one list: the daemon and every helper that creates files register here. */
export const exitCleanup = new ExitCleanup();

let installed = false;

/** Runs exitCleanup at process exit (idempotent). Signals that would kill the process are handled by `syntonic run`. */
export function installExitCleanup(): void {
  if (installed) return;
  installed = true;
  process.on('exit', () => exitCleanup.runAll());
}

/**
 * Removes the Unix socket at `path` if it is still the one we created (same inode): a daemon started
 * since on the same path keeps its socket.
 */
export function removeOwnSocket(path: string, inode: number | bigint | undefined): void {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return;
  }
  if (!st.isSocket()) return;
  if (inode !== undefined && BigInt(st.ino) !== BigInt(inode)) return;
  unlinkSync(path);
}
