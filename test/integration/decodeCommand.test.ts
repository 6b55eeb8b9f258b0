/**
 * `syntonic decode` end to end: the built CLI is run on committed captures and its records are
 * checked against values read off the octets by hand or by tshark (frame numbers and capture
 * times as Wireshark shows them).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixture } from '../support/codecFixtures.js';
import { ensureCliBuilt } from '../support/builtCli.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/syntonic.js', import.meta.url));

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function syntonic(...args: string[]): Run {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

type JsonRecord = Record<string, unknown>;

function records(run: Run): Map<number, JsonRecord> {
  const lines = run.stdout.split('\n').filter((l) => l.length > 0);
  return new Map(lines.map((l) => JSON.parse(l) as JsonRecord).map((r) => [r['frame'] as number, r]));
}

beforeAll(async () => {
  // The CLI runs from dist/: compile unless `npm test` just did.
  await ensureCliBuilt();
}, 240_000);

describe('syntonic decode --format jsonl', () => {
  it("prints a bridge's Follow_Up with its capture time and every 802.1AS field", () => {
    const run = syntonic('decode', fixture('gptp__bridge-anon_sync125ms_futlv_pdelay__scapy-gptp.pcapng'), '--format', 'jsonl');
    expect(run.status).toBe(0);
    const all = records(run);
    expect(all.size).toBe(128);
    const fu = all.get(2);
    // Capture time from tshark (frame.time_epoch 1615905574.349949598); preciseOriginTimestamp from
    // the octets 0000001221c2 37444c63 (see codec.decode.test.ts).
    expect(fu).toMatchObject({
      frame: 2,
      timeNs: '1615905574349949598',
      time: `${new Date(1_615_905_574_000).toISOString().slice(0, 19)}.349949598Z`,
      source: '11:22:33:44:55:66',
      destination: '01:80:c2:00:00:0e',
      messageType: 'Follow_Up',
      majorSdoId: 1,
      versionPtp: 2,
      messageLength: 76,
      flags: { raw: '0x0008', names: ['ptpTimescale'] },
      correctionField: '0',
      sourcePortIdentity: '112233.fffe.445566-6',
      sequenceId: 34,
      logMessageInterval: -3,
      preciseOriginTimestamp: { seconds: 1_188_290, nanoseconds: 927_222_883 },
      tlvs: [
        {
          tlvType: 3,
          lengthField: 28,
          kind: 'followUpInformation',
          organizationId: '0080c2',
          organizationSubType: 1,
          cumulativeScaledRateOffset: 0,
          lastGmPhaseChange: '0',
        },
      ],
    });
    expect(all.get(1)).toMatchObject({ messageType: 'Sync', flags: { raw: '0x0208', names: ['twoStepFlag', 'ptpTimescale'] }, trailer: '0ff6' });
    expect(run.stderr).toContain('128 PTP frame(s), 0 with errors; 0 other frame(s) skipped');
  });

  it('numbers frames as Wireshark does, counting the frames it skips', () => {
    const run = syntonic('decode', fixture('gptp__pdelayreq-only_avb-mixed-traffic__zarfld-openavnu.pcapng'));
    const all = records(run);
    // tshark: the first two PTP frames are 3 and 57, sequenceIds 6839 and 6840.
    expect([...all.keys()].slice(0, 2)).toEqual([3, 57]);
    expect(all.get(57)).toMatchObject({ messageType: 'Pdelay_Req', sequenceId: 6840, timeNs: '1753088468972875000' });
    expect(run.stderr).toContain('111 PTP frame(s), 0 with errors; 6722 other frame(s) skipped');
  });

  it('gives a broken frame a record with its error, and exact correctionField text', () => {
    const run = syntonic('decode', fixture('codec-edge-cases__syntonic.pcap'));
    expect(run.status).toBe(0);
    const all = records(run);
    expect(all.has(11)).toBe(false); // the ARP frame
    expect(all.get(12)).toEqual({
      frame: 12,
      timeNs: '1704067200011000000',
      time: '2024-01-01T00:00:00.011000000Z',
      destination: '01:80:c2:00:00:0e',
      source: '02:00:00:00:00:01',
      error: {
        kind: 'badNanoseconds',
        field: 'preciseOriginTimestamp.nanoseconds',
        offset: 54,
        message: 'preciseOriginTimestamp.nanoseconds is 1000000000, must be below 10^9',
      },
    });
    // One-step Sync: correctionField 105045 ns = 105045 × 65536 = 6884229120 scaled ns.
    expect(all.get(1)).toMatchObject({
      correctionField: '6884229120',
      correctionNs: '105045',
      originTimestamp: { seconds: 1_704_067_200, nanoseconds: 123_456_789 },
    });
    // −1 scaled ns = −1/65536 ns = −0.0000152587890625 ns exactly.
    expect(all.get(2)).toMatchObject({ correctionField: '-1', correctionNs: '-0.0000152587890625' });
    expect(all.get(4)).toMatchObject({
      vlanTags: [
        { tpid: 0x88a8, pcp: 0, dei: 0, vid: 10 },
        { tpid: 0x8100, pcp: 7, dei: 0, vid: 20 },
      ],
    });
    expect(run.stderr).toContain('19 PTP frame(s), 9 with errors; 1 other frame(s) skipped');
  });
});

describe('syntonic decode --format text', () => {
  it('prints one summary line per PTP frame', () => {
    const run = syntonic('decode', fixture('gptp__bridge-anon_sync125ms_futlv_pdelay__scapy-gptp.pcapng'), '-f', 'text');
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(128);
    expect(lines[1]).toMatch(
      /^ +2 2021-03-16T\d\d:39:34\.349949598Z 11:22:33:44:55:66 Follow_Up seq=34 112233\.fffe\.445566-6 preciseOriginTimestamp=1188290\.927222883 /,
    );
  });

  it('prints the error of a broken frame on its line', () => {
    const run = syntonic('decode', fixture('codec-edge-cases__syntonic.pcap'), '--format=text');
    expect(run.stdout).toContain(
      '    13 2024-01-01T00:00:00.012000000Z 02:00:00:00:00:01 error unsupportedVersion versionPTP@15: versionPTP is 1, only 2 is supported',
    );
  });
});

describe('syntonic decode options', () => {
  it('--help prints the usage and exits 0', () => {
    const run = syntonic('decode', '--help');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Usage: syntonic decode FILE [--format jsonl|text]');
  });

  it.each([
    [['--bogus', 'x.pcap'], "syntonic decode: unknown option '--bogus'"],
    [['--format', 'xml', 'x.pcap'], "syntonic decode: --format must be jsonl or text, not 'xml'"],
    [[], 'syntonic decode: missing FILE'],
    [['a.pcap', 'b.pcap'], 'syntonic decode: expected one FILE, got 2'],
  ])('%j is refused with one line on stderr and exit status 2', (args, message) => {
    const run = syntonic('decode', ...args);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain(message);
  });

  it('a file that cannot be read gives one line and exit status 1', () => {
    const run = syntonic('decode', fixture('no-such-capture.pcap'));
    expect(run.status).toBe(1);
    expect(run.stderr.trimEnd().split('\n')).toEqual([expect.stringContaining('no-such-capture.pcap')]);
  });
});
