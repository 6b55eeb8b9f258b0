/**
 * Node 20 cannot run TypeScript, so a child program for the native-addon tests is transpiled
 * (typescript, a devDependency) together with the sources it imports into a temporary tree that links
 * to this checkout's build/: the child then loads the same addon as the tests.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface ChildTree {
  /** The temporary tree's root (holds package.json and the build/ link). */
  readonly root: string;
  /** Absolute path of the transpiled entry `entry` (given relative to the repository root). */
  script(entry: string): string;
  remove(): void;
}

/** Transpiles `entries` (paths relative to the repository root) and everything they import. */
export function compileForChild(entries: readonly string[]): ChildTree {
  const root = mkdtempSync(join(tmpdir(), 'syn-nat-child-'));
  // Readable by an unprivileged uid too (the EACCES test runs the child as nobody).
  chmodSync(root, 0o755);
  writeFileSync(join(root, 'package.json'), '{ "type": "module" }\n');
  symlinkSync(join(REPO_ROOT, 'build'), join(root, 'build'));

  const done = new Set<string>();
  const queue = entries.map((e) => resolve(REPO_ROOT, e));
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (done.has(file)) continue;
    done.add(file);
    const source = readFileSync(file, 'utf8');
    const output = ts.transpileModule(source, {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    const target = join(root, relative(REPO_ROOT, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true, mode: 0o755 });
    writeFileSync(target, output, { mode: 0o644 });
    for (const match of output.matchAll(/(?:from|import)\s*'(\.{1,2}\/[^']+)\.js'/g)) {
      const spec = match[1];
      if (spec !== undefined) queue.push(resolve(dirname(file), `${spec}.ts`));
    }
  }
  return {
    root,
    script: (entry) => join(root, entry).replace(/\.ts$/, '.js'),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}
