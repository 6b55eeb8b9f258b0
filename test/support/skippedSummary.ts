/**
 * vitest globalSetup: gives the workers a file to append skip lines to (test/support/peers.ts) and prints
 * the list at the end of the run, so a newcomer sees at once what was not tested and how to install it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skippedListPath } from './peers.js';

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'syntonic-skips-'));
  const list = skippedListPath(dir);
  process.env['SYNTONIC_SKIPPED_FILE'] = list;
  return () => {
    let lines: string[] = [];
    try {
      lines = [
        ...new Set(
          readFileSync(list, 'utf8')
            .split('\n')
            .filter((line) => line !== ''),
        ),
      ];
    } catch {
      // No suite skipped: the file was never written.
    }
    rmSync(dir, { recursive: true, force: true });
    if (lines.length === 0) return;
    console.log(`\n${lines.length} suite(s) skipped for missing peers (SYNTONIC_REQUIRE_PEERS=1 makes this an error):`);
    for (const line of lines) console.log(`  - ${line}`);
  };
}
