/**
 * The time page as a file: where it is created and with which modes, what it replaces and what it
 * refuses to, what a reader sees before the first synchronization and after the daemon stops, and how
 * readers refuse files that are not time pages (docs/time-page.md).
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { constants as os } from 'node:os';
import { TimePageWriter } from '../../../src/provider/timePage.js';
import { compileC, repositoryRoot } from '../../support/cProgram.js';
import { needs } from '../../support/peers.js';
import { sampleSnapshot, tempDir } from '../../support/providerFixtures.js';

const PYTHON_READER = join(repositoryRoot(), 'python/syntonic_time_page.py');

/** The first field of the readers' `at` line: syntonic_time_at's return code. */
function codeAt(program: string, args: string[], raw = 1n): string {
  const r = spawnSync(program, args, { input: `${raw}\n`, encoding: 'utf8' });
  return `${r.stdout}${r.stderr}`.trim();
}

describe('the time page file (writer)', () => {
  const tmp = tempDir('syntonic-page-file-');
  afterAll(() => tmp.remove());

  it('is created 0644 in a 0755 directory, whatever the umask, one page long, with its magic, version and size', async () => {
    const old = process.umask(0o077);
    let writer: TimePageWriter;
    try {
      writer = await TimePageWriter.open(join(tmp.dir, 'run', 'syntonic', 'time.page'));
    } finally {
      process.umask(old);
    }
    const st = statSync(writer.path);
    expect(st.isFile()).toBe(true);
    expect(st.mode & 0o777).toBe(0o644);
    expect(statSync(join(tmp.dir, 'run', 'syntonic')).mode & 0o777).toBe(0o755);
    expect(statSync(join(tmp.dir, 'run')).mode & 0o777).toBe(0o755);
    expect(st.size).toBe(4096);
    const bytes = readFileSync(writer.path);
    expect(bytes.subarray(0, 8).toString('latin1')).toBe('SYNTPAGE');
    expect(bytes.readUInt32LE(8)).toBe(1);
    expect(bytes.readUInt32LE(12)).toBe(144);
    expect(bytes.readBigUInt64LE(16) % 2n).toBe(0n); // not in the middle of an update
    expect(bytes.readUInt32LE(100)).toBe(process.pid);
    writer.close();
    expect(existsSync(writer.path)).toBe(false);
  });

  it('refuses to replace a file that is not a time page, or a directory, and leaves it as it was', async () => {
    const notes = join(tmp.dir, 'notes.txt');
    writeFileSync(notes, 'precious\n');
    await expect(TimePageWriter.open(notes)).rejects.toMatchObject({
      code: 'EEXIST',
      message: `${notes} exists and is not a syntonic time page; refusing to replace it`,
    });
    expect(readFileSync(notes, 'utf8')).toBe('precious\n');
    const dir = join(tmp.dir, 'a-directory');
    mkdirSync(dir);
    await expect(TimePageWriter.open(dir)).rejects.toMatchObject({ code: 'EEXIST' });
    expect(lstatSync(dir).isDirectory()).toBe(true);
  });

  it('refuses the page of a running writer (EBUSY), and replaces it atomically once that writer is killed', async () => {
    const path = join(tmp.dir, 'shared.page');
    const addon = join(repositoryRoot(), 'build/Release/syntonic_native.node');
    const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [
      '-e',
      `const a = require(${JSON.stringify(addon)}); new a.TimePage(${JSON.stringify(path)}); console.log('ready'); setInterval(() => {}, 1000);`,
    ]);
    await new Promise<void>((resolve, reject) => {
      child.stdout.once('data', () => resolve());
      child.once('exit', (code) => reject(new Error(`the writer child exited with ${code}`)));
    });
    try {
      await expect(TimePageWriter.open(path)).rejects.toMatchObject({
        code: 'EBUSY',
        message: `another syntonic (pid ${child.pid}) is writing the time page ${path}`,
      });
    } finally {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
    // SIGKILL leaves the page behind (nothing can remove it): the next writer takes its place.
    const before = statSync(path).ino;
    const writer = await TimePageWriter.open(path);
    expect(statSync(path).ino).not.toBe(before);
    expect(readFileSync(path).readUInt32LE(100)).toBe(process.pid);
    writer.close();
  });

  it('leaves a newer writer’s page alone when it closes', async () => {
    const path = join(tmp.dir, 'handover.page');
    const first = await TimePageWriter.open(path);
    first.close();
    const second = await TimePageWriter.open(path);
    first.close(); // idempotent, and never removes the second's file
    expect(existsSync(path)).toBe(true);
    second.close();
    expect(existsSync(path)).toBe(false);
  });

  it('names the failing call when the directory cannot be made', async () => {
    const file = join(tmp.dir, 'plain');
    writeFileSync(file, '');
    await expect(TimePageWriter.open(join(file, 'time.page'))).rejects.toMatchObject({
      code: 'EEXIST',
      message: `cannot create the directory ${file} of the time page: EEXIST`,
    });
  });
});

const gate = needs('time page: C and Python readers on the page file', 'gcc', 'python3');

describe.skipIf(gate.skip)('the time page file (readers)', () => {
  const tmp = tempDir('syntonic-page-readers-file-');
  let reader = '';
  beforeAll(() => {
    reader = compileC('test/c/timePageReader.c');
  });
  afterAll(() => tmp.remove());

  it('reads ENODATA (status lost, no time) before the first synchronization', async () => {
    const writer = await TimePageWriter.open(join(tmp.dir, 'fresh.page'));
    try {
      expect(codeAt(reader, ['at', writer.path])).toBe(`-${os.errno.ENODATA} 1 - - 0 - lost - 0 0 0`);
      expect(codeAt('python3', [PYTHON_READER, '--at', writer.path])).toBe(`-${os.errno.ENODATA} 1 - - 0 - lost - 0 0 0`);
    } finally {
      writer.close();
    }
  });

  it('tells a reader that still maps the page of a stopped daemon: ESTALE, status lost, the last mapping', async () => {
    const writer = await TimePageWriter.open(join(tmp.dir, 'stopping.page'));
    writer.publish(sampleSnapshot());
    // Python keeps the page mapped across the stop: it reads once, waits for a line, reads again.
    const script = `import sys; sys.path.insert(0, ${JSON.stringify(join(repositoryRoot(), 'python'))})
import syntonic_time_page as s
p = s.TimePage(${JSON.stringify(writer.path)})
print(p.at(10_000_000_000).code, flush=True)
sys.stdin.readline()
t = p.at(10_000_000_000)
print(t.code, t.status, t.ptp_time_ns, flush=True)`;
    const py = spawn('python3', ['-c', script]);
    let out = '';
    py.stdout.on('data', (b: Buffer) => (out += b.toString()));
    const lines = (): string[] => out.split('\n');
    while (lines().length < 2) await new Promise((r) => setTimeout(r, 10));
    expect(lines()[0]).toBe('0');
    writer.close();
    expect(existsSync(writer.path)).toBe(false);
    py.stdin.write('\n');
    await new Promise((r) => py.once('exit', r));
    expect(lines()[1]).toBe(`-${os.errno.ESTALE} 0 1732000000000000000`);
  });

  it('refuses files that are not time pages (EBADMSG) and layout versions it does not know (EPROTONOSUPPORT)', async () => {
    const junk = join(tmp.dir, 'junk.page');
    writeFileSync(junk, Buffer.alloc(4096, 7));
    expect(codeAt(reader, ['at', junk])).toBe(`syntonic_time_open(${junk}): Bad message`);
    const writer = await TimePageWriter.open(join(tmp.dir, 'v1.page'));
    const future = Buffer.from(readFileSync(writer.path));
    writer.close();
    future.writeUInt32LE(2, 8);
    const v2 = join(tmp.dir, 'v2.page');
    writeFileSync(v2, future);
    expect(codeAt(reader, ['at', v2])).toBe(`syntonic_time_open(${v2}): Protocol not supported`);
    expect(codeAt('python3', [PYTHON_READER, '--at', v2])).toBe(`syntonic_time_page: cannot open ${v2}: Protocol not supported`);
    expect(codeAt('python3', [PYTHON_READER, '--at', junk])).toBe(`syntonic_time_page: cannot open ${junk}: Bad message`);
    expect(codeAt(reader, ['at', join(tmp.dir, 'absent.page')])).toBe(`syntonic_time_open(${join(tmp.dir, 'absent.page')}): No such file or directory`);
  });

  it('compiles as C++ as well (g++), with the same output', async () => {
    const cxx = compileC('test/c/timePageReader.c', { cplusplus: true });
    const writer = await TimePageWriter.open(join(tmp.dir, 'cxx.page'));
    writer.publish(sampleSnapshot());
    try {
      const raw = 10_500_000_000n;
      expect(codeAt(cxx, ['at', writer.path], raw)).toBe(codeAt(reader, ['at', writer.path], raw));
      expect(codeAt(reader, ['at', writer.path], raw)).toMatch(/^0 10500000000 1732000000500000006 1731999963500000006 1 \d+ (synchronized|lost) 0.5 37 0 0$/);
    } finally {
      writer.close();
    }
  });
});
