/**
 * kalman_wander_file (wanderFile.ts): the walk the servo learned, kept across restarts. Whatever the
 * file holds, the daemon starts: a missing, broken or foreign file is a log line naming what is wrong.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readWanderFile, WanderFile, writeWanderFile, type WanderFileLevel } from '../../../src/cli/daemon/wanderFile.js';
import type { LearnedWander } from '../../../src/servo/oscillatorWander.js';

const SOFTWARE_VIRTUAL = { timestamping: 'software', clock: 'virtual' } as const;
const LEARNED: LearnedWander = { ppbPerSqrtS: 0.42, upperPpbPerSqrtS: 0.51, evidence: 12.5, trackingPpbPerSqrtS: 2.04, inUse: true };

describe('kalman_wander_file', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'syntonic-wander-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('gives back the walk and its evidence it was written with, for the same timestamps and clock', () => {
    const path = join(dir, 'wander.json');
    writeWanderFile(path, SOFTWARE_VIRTUAL, LEARNED, new Date('2026-12-06T23:00:00Z'));
    const read = readWanderFile(path, SOFTWARE_VIRTUAL);
    expect(read.prior).toEqual({ ppbPerSqrtS: 0.42, evidence: 12.5 });
    expect(read.message).toBe(`kalman_wander_file ${path}: oscillator walk 0.420 ppb/√s over 12.5 × 256 s, saved 2026-12-06T23:00:00.000Z`);
  });

  it('missing: the walk is learned, said at info level', () => {
    const read = readWanderFile(join(dir, 'none.json'), SOFTWARE_VIRTUAL);
    expect(read).toMatchObject({ level: 'info' });
    expect(read.prior).toBeUndefined();
    expect(read.message).toContain("none yet: the oscillator's walk is learned from the Syncs");
  });

  it.each([
    ['{"ppbPerSqrtS": 0.4', 'not JSON'],
    ['[1, 2]', 'wander must be an object'],
    ['{"ppbPerSqrtS": -1, "evidence": 3, "timestamping": "software", "clock": "virtual"}', 'wander.ppbPerSqrtS must be a number ≥ 0 (got -1)'],
    ['{"ppbPerSqrtS": 1, "evidence": "many", "timestamping": "software", "clock": "virtual"}', 'wander.evidence must be a number ≥ 0 (got "many")'],
    ['{"ppbPerSqrtS": 1, "evidence": 3, "timestamping": "both", "clock": "virtual"}', 'wander.timestamping must be one of hardware, software (got "both")'],
    ['{"ppbPerSqrtS": 1, "evidence": 3, "timestamping": "software", "clock": "atomic"}', 'wander.clock must be one of phc, virtual, simulated (got "atomic")'],
  ])('broken (%s): ignored with a warning naming what is wrong', (content, problem) => {
    const path = join(dir, 'wander.json');
    writeFileSync(path, content);
    const read = readWanderFile(path, SOFTWARE_VIRTUAL);
    expect(read.prior).toBeUndefined();
    expect(read).toMatchObject({ level: 'warning', message: `kalman_wander_file ${path}: ${problem}: ignored, the walk is learned again` });
  });

  it('learned on another kind of timestamps or clock: not used, and said why', () => {
    const path = join(dir, 'wander.json');
    writeWanderFile(path, { timestamping: 'hardware', clock: 'phc' }, LEARNED, new Date());
    const read = readWanderFile(path, SOFTWARE_VIRTUAL);
    expect(read.prior).toBeUndefined();
    expect(read.message).toContain('learned with hardware timestamps on a phc clock, not software on virtual: ignored');
  });

  it("a daemon's file writes nothing before anything is learned, says once that it cannot write, and logs what it read", () => {
    const lines: Array<[WanderFileLevel, string]> = [];
    const log = (level: WanderFileLevel, message: string): void => void lines.push([level, message]);
    const blocked = join(dir, 'blocked');
    mkdirSync(join(blocked, 'wander.json.new'), { recursive: true });
    const unwritable = new WanderFile(join(blocked, 'wander.json'), SOFTWARE_VIRTUAL, log);
    unwritable.save(undefined);
    expect(lines).toEqual([]);
    unwritable.save(LEARNED);
    unwritable.save(LEARNED);
    expect(lines).toHaveLength(1);
    expect(lines[0]?.[0]).toBe('warning');
    expect(lines[0]?.[1]).toMatch(/cannot be written \(EISDIR\): what was learned is kept in memory only$/);
    const file = new WanderFile(join(dir, 'wander.json'), SOFTWARE_VIRTUAL, log);
    file.save(LEARNED, new Date('2026-12-07T00:00:00Z'));
    expect(JSON.parse(readFileSync(file.path, 'utf8'))).toMatchObject({ ppbPerSqrtS: 0.42, evidence: 12.5, savedAt: '2026-12-07T00:00:00.000Z' });
    expect(file.read()).toEqual({ ppbPerSqrtS: 0.42, evidence: 12.5 });
    expect(lines.at(-1)).toEqual(['info', `kalman_wander_file ${file.path}: oscillator walk 0.420 ppb/√s over 12.5 × 256 s, saved 2026-12-07T00:00:00.000Z`]);
  });
});
