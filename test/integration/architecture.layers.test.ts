/**
 * Lower layers never import higher ones (README, Architecture). The allowed imports, derived from the
 * layers' purposes and the code as it is:
 *
 *   native binding  src/native/binding.ts: the addon's TypeScript face; imports nothing of src
 *   version         src/version.ts: the package version; imports nothing of src
 *   clock           time points and clocks; may use the native binding (PHC, clock reads)
 *   protocol        sans-IO codec and port engine: clock's time points only
 *   servo           ClockServo, ClockSlave: protocol (SyncReceipt, the engine) and clock
 *   report          statistics and plots: nothing of src
 *   io              sockets, captures, replay: clock, protocol, servo (replay runs ClockSlave), report
 *   provider        time-base provider: clock, protocol, servo, io (types it publishes)
 *   cli             the `syntonic` command: everything
 *   index.ts        the package's exports: everything
 *
 * Data flows protocol → servo → clock (README); dependencies point the other way round the
 * time points: a protocol message knows LocalTime, a clock knows nothing of messages.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../..', 'src');

type Layer = 'native' | 'version' | 'clock' | 'protocol' | 'servo' | 'report' | 'io' | 'provider' | 'cli' | 'index';

const ALLOWED: Readonly<Record<Layer, readonly Layer[]>> = {
  native: [],
  version: [],
  clock: ['native'],
  protocol: ['clock'],
  servo: ['protocol', 'clock'],
  report: [],
  io: ['native', 'clock', 'protocol', 'servo', 'report'],
  provider: ['native', 'clock', 'protocol', 'servo', 'io'],
  cli: ['native', 'version', 'clock', 'protocol', 'servo', 'report', 'io', 'provider'],
  index: ['native', 'version', 'clock', 'protocol', 'servo', 'report', 'io', 'provider', 'cli'],
};

function layerOf(file: string): Layer {
  const rel = relative(SRC, file).split('\\').join('/');
  if (rel.startsWith('native/')) return 'native';
  if (rel === 'index.ts') return 'index';
  if (rel === 'version.ts') return 'version';
  const top = rel.split('/')[0] as string;
  if (!(top in ALLOWED)) throw new Error(`${rel}: not in any layer; add its directory to ALLOWED with the imports it may make`);
  return top as Layer;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** Every relative import (static, type-only, re-export or dynamic) of a file, resolved to a .ts path. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => m[1] as string);
  return specifiers.map((s) => resolve(dirname(file), s.replace(/\.js$/, '.ts')));
}

describe('layers (README, Architecture)', () => {
  it('no file imports a layer above its own', () => {
    const violations: string[] = [];
    for (const file of sourceFiles(SRC)) {
      const from = layerOf(file);
      for (const target of importsOf(file)) {
        const to = layerOf(target);
        if (to !== from && !ALLOWED[from].includes(to)) violations.push(`${relative(SRC, file)} (${from}) imports ${relative(SRC, target)} (${to})`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('sees the imports it checks (a check that finds no import could not fail)', () => {
    const engine = importsOf(join(SRC, 'protocol', 'portEngine.ts')).map((f) => relative(SRC, f));
    expect(engine).toContain(join('clock', 'timePoint.ts'));
    expect(layerOf(join(SRC, 'servo', 'clockSlave.ts'))).toBe('servo');
  });
});
