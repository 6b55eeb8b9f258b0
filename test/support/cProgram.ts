/**
 * Compiles a C program against include/ (the time page reader, its benchmark) with the machine's gcc,
 * into a temporary directory; tests gate on needs(…, 'gcc'). `cplusplus` compiles the same source as
 * C++ (g++), to show that the header works from C++ too.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, from test/support (sources) or dist/test/support (compiled). */
export function repositoryRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!dir.endsWith('/test/support')) dir = dirname(dir);
  const candidate = resolve(dir, '..', '..');
  return candidate.endsWith('/dist') ? dirname(candidate) : candidate;
}

export interface CompileOptions {
  readonly cplusplus?: boolean;
  /** Extra compiler flags, e.g. ['-O2']. */
  readonly flags?: readonly string[];
}

/** Compiles `source` (relative to the repository root); returns the executable's path or throws gcc's output. */
export function compileC(source: string, options: CompileOptions = {}): string {
  const root = repositoryRoot();
  const out = join(mkdtempSync(join(tmpdir(), 'syntonic-c-')), source.replace(/^.*\//, '').replace(/\.c$/, ''));
  const args = options.cplusplus
    ? ['-x', 'c++', '-std=c++11', '-O2', '-Wall', '-Wextra', '-Werror', '-pedantic']
    : ['-std=c99', '-O2', '-Wall', '-Wextra', '-Werror', '-pedantic'];
  const compiler = options.cplusplus ? 'g++' : 'gcc';
  const r = spawnSync(compiler, [...args, ...(options.flags ?? []), '-I', join(root, 'include'), join(root, source), '-o', out], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${compiler} ${source} failed:\n${r.stderr}${r.error?.message ?? ''}`);
  return out;
}
