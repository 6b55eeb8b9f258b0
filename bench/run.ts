/**
 * `npm run bench`: runs every bench/*.bench.js module in turn. Each prints its figures one per line
 * as `name: value unit`, so that results can be grepped and compared across runs.
 */
import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export type Report = (name: string, value: number | string, unit: string) => void;
export interface BenchModule {
  run(report: Report): Promise<void>;
}

export const report: Report = (name, value, unit) => {
  const shown = typeof value === 'number' ? formatNumber(value) : value;
  process.stdout.write(`${name}: ${shown} ${unit}\n`);
};

function formatNumber(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(4);
}

async function main(): Promise<void> {
  const here = dirname(fileURLToPath(import.meta.url));
  const only = process.argv.slice(2);
  const names = (await readdir(here))
    .filter((f) => f.endsWith('.bench.js'))
    .map((f) => f.replace(/\.bench\.js$/, ''))
    .sort();
  const usage = `usage: npm run bench -- [NAME…]  (no NAME: all of ${names.join(', ')})`;
  if (only.includes('--help') || only.includes('-h')) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  // A name that selects nothing would run nothing and print nothing: refused, naming it.
  const unknown = only.filter((n) => !names.includes(n));
  if (unknown.length > 0) {
    process.stderr.write(`npm run bench: unknown ${unknown.map((n) => `'${n}'`).join(', ')}\n${usage}\n`);
    process.exitCode = 2;
    return;
  }
  for (const name of names) {
    const file = `${name}.bench.js`;
    if (only.length > 0 && !only.includes(name)) continue;
    process.stdout.write(`# ${name}\n`);
    const mod = (await import(join(here, file))) as BenchModule;
    await mod.run(report);
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
