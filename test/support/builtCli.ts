/**
 * Tests that run the `syntonic` command use bin/syntonic.js, which loads dist/. `npm test` compiles
 * first, so this only compiles when a source under src/ is newer than the build (a test file run on
 * its own after an edit). It compiles in a child without blocking: a synchronous tsc on a loaded
 * machine held a worker's event loop past vitest's 60 s RPC timeout ("Timeout calling onTaskUpdate").
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPOSITORY = fileURLToPath(new URL('../..', import.meta.url));
const BUILT_MARK = join(REPOSITORY, 'dist', 'src', 'cli', 'main.js');

function newestSourceMs(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMs(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

export function cliIsBuilt(): boolean {
  return existsSync(BUILT_MARK) && statSync(BUILT_MARK).mtimeMs >= newestSourceMs(join(REPOSITORY, 'src'));
}

/**
 * Compiles when dist/ is older than src/. tsc still emits when a file elsewhere has a type error, so
 * its exit status is not the test: the built command is (this rejects only when main.js is missing).
 */
export async function ensureCliBuilt(): Promise<void> {
  if (cliIsBuilt()) return;
  await new Promise<void>((resolve) => {
    execFile('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: REPOSITORY }, () => resolve());
  });
  if (!existsSync(BUILT_MARK)) throw new Error(`the build did not produce ${BUILT_MARK}`);
}
