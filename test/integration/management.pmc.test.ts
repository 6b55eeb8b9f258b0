/**
 * Debian's real pmc (linuxptp 3.1.1) against Syntonic's management socket, served with fixed data
 * sets: pmc decodes every answer and prints each field as the data set holds it. No namespaces: the
 * socket is a file in a temporary directory.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManagementServer } from '../../src/cli/daemon/managementServer.js';
import { WITHOUT_SYS_TIME } from '../../conformance/lab/clockGuard.js';
import { parsePmcOutput, runPmc, type PmcMessage } from '../../conformance/lab/pmc.js';
import { STATION, sampleDataSets } from '../support/management.js';
import { tempDir } from '../support/providerFixtures.js';
import { needs } from '../support/peers.js';

const gate = needs('pmc against the management socket', 'pmc', 'setpriv');

describe.skipIf(gate.skip)('pmc -u against uds_address (fixed data sets)', () => {
  const tmp = tempDir('syntonic-pmc-');
  const uds = join(tmp.dir, 'syntonic-uds');
  const warnings: string[] = [];
  let server: ManagementServer;
  let clients = 0;
  const client = (): string => join(tmp.dir, `pmc.${++clients}`);

  beforeAll(() => {
    server = ManagementServer.start({
      path: uds,
      clockIdentity: STATION,
      portNumber: 1,
      majorSdoId: 1,
      domainNumber: 0,
      dataSets: () => sampleDataSets(),
      warn: (m) => warnings.push(m),
    });
  });
  afterAll(() => {
    server.close();
    tmp.remove();
  });

  async function get(id: string, zero = false): Promise<PmcMessage> {
    const messages = parsePmcOutput(await runPmc(uds, [`GET ${id}`], { clientPath: client(), zeroLengthGets: zero }));
    expect(messages).toHaveLength(1);
    return messages[0] as PmcMessage;
  }

  const expected: Record<string, Record<string, string>> = {
    TIME_STATUS_NP: {
      master_offset: '-123',
      ingress_time: '1700000000123456789',
      cumulativeScaledRateOffset: '+0.000001000',
      scaledLastGmPhaseChange: '-5',
      gmTimeBaseIndicator: '3',
      // 0x0001'0203040506070809.0a0b sent; pmc 3.1.1 prints its lsb as the byte-swapped msb
      // (tlv.c scaled_ns_n2h reads nanoseconds_lsb from nanoseconds_msb): msb and fraction are ours.
      lastGmPhaseChange: "0x0001'0100000000000000.0a0b",
      gmPresent: 'true',
      gmIdentity: '0200bb.fffe.000002',
    },
    PORT_DATA_SET: {
      portIdentity: '0200aa.fffe.000001-1',
      portState: 'SLAVE',
      logMinDelayReqInterval: '0',
      peerMeanPathDelay: '1500',
      logAnnounceInterval: '0',
      announceReceiptTimeout: '3',
      logSyncInterval: '-3',
      delayMechanism: '2',
      logMinPdelayReqInterval: '1',
      versionNumber: '2',
    },
    PARENT_DATA_SET: {
      parentPortIdentity: '0200bb.fffe.000002-3',
      parentStats: '0',
      observedParentOffsetScaledLogVariance: '0xffff',
      observedParentClockPhaseChangeRate: '0x7fffffff',
      grandmasterPriority1: '246',
      'gm.ClockClass': '6',
      'gm.ClockAccuracy': '0x21',
      'gm.OffsetScaledLogVariance': '0x4e5d',
      grandmasterPriority2: '247',
      grandmasterIdentity: '0200bb.fffe.000002',
    },
    CURRENT_DATA_SET: { stepsRemoved: '1', offsetFromMaster: '-123.5', meanPathDelay: '1500.2' },
    DEFAULT_DATA_SET: {
      twoStepFlag: '1',
      slaveOnly: '1',
      numberPorts: '1',
      priority1: '255',
      clockClass: '255',
      clockAccuracy: '0xfe',
      offsetScaledLogVariance: '0x436a',
      priority2: '248',
      clockIdentity: '0200aa.fffe.000001',
      domainNumber: '0',
    },
    TIME_PROPERTIES_DATA_SET: {
      currentUtcOffset: '37',
      leap61: '0',
      leap59: '0',
      currentUtcOffsetValid: '1',
      ptpTimescale: '1',
      timeTraceable: '1',
      frequencyTraceable: '0',
      timeSource: '0x20',
    },
    PORT_PROPERTIES_NP: { portIdentity: '0200aa.fffe.000001-1', portState: 'SLAVE', timestamping: 'SOFTWARE', interface: 'veth-syn0' },
    PORT_DATA_SET_NP: { neighborPropDelayThresh: '800', asCapable: '1' },
  };

  it.each(Object.keys(expected))('GET %s: pmc prints every field as the data set holds it', async (id) => {
    const m = await get(id);
    expect(m).toMatchObject({ action: 'RESPONSE', tlv: 'MANAGEMENT', id });
    expect(m.source).toBe(['PORT_DATA_SET', 'PORT_PROPERTIES_NP', 'PORT_DATA_SET_NP'].includes(id) ? '0200aa.fffe.000001-1' : '0200aa.fffe.000001-0');
    expect(m.fields).toEqual(expected[id]);
  });

  it('pmc -z (GET without data) gets the same answers', async () => {
    expect((await get('TIME_STATUS_NP', true)).fields).toEqual(expected['TIME_STATUS_NP']);
    expect((await get('PORT_DATA_SET', true)).fields).toEqual(expected['PORT_DATA_SET']);
  });

  it('anything else gets MANAGEMENT_ERROR_STATUS, one answer per request in order', async () => {
    const out = parsePmcOutput(
      await runPmc(uds, ['GET CLOCK_DESCRIPTION', 'GET USER_DESCRIPTION', 'SET PRIORITY1 3', 'GET PORT_STATS_NP', 'GET GRANDMASTER_SETTINGS_NP'], {
        clientPath: client(),
      }),
    );
    expect(out.map((m) => [m.source, m.tlv])).toEqual([
      ['0200aa.fffe.000001-1', 'MANAGEMENT_ERROR_STATUS'],
      ['0200aa.fffe.000001-0', 'MANAGEMENT_ERROR_STATUS'],
      ['0200aa.fffe.000001-0', 'MANAGEMENT_ERROR_STATUS'],
      ['0200aa.fffe.000001-1', 'MANAGEMENT_ERROR_STATUS'],
      ['0200aa.fffe.000001-0', 'MANAGEMENT_ERROR_STATUS'],
    ]);
    expect(out.map((m) => m.sequenceId)).toEqual([0, 1, 2, 3, 4]);
  });

  it('like ptp4l, stays silent to pmc without -t 1 (another majorSdoId) or for another domain, and counts them', async () => {
    const before = server.rejected();
    expect(parsePmcOutput(await runPmc(uds, ['GET TIME_STATUS_NP'], { clientPath: client(), transportSpecific: 0 }))).toEqual([]);
    expect(parsePmcOutput(await runPmc(uds, ['GET TIME_STATUS_NP'], { clientPath: client(), domainNumber: 1 }))).toEqual([]);
    const after = server.rejected();
    expect(after['management.wrongMajorSdoId'] ?? 0).toBe((before['management.wrongMajorSdoId'] ?? 0) + 1);
    expect(after['management.wrongDomain'] ?? 0).toBe((before['management.wrongDomain'] ?? 0) + 1);
  });

  it("SUBSCRIBE_EVENTS_NP from pmc's own command: pmc shows the subscription and prints the PORT_DATA_SET pushed on a port state change", async () => {
    const argv = [...WITHOUT_SYS_TIME, 'pmc', '-u', '-b', '0', '-t', '1', '-i', client(), '-s', uds];
    const pmc = spawn(argv[0] as string, argv.slice(1), { stdio: ['pipe', 'pipe', 'inherit'] });
    let output = '';
    pmc.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const until = async (check: () => boolean): Promise<void> => {
      for (let i = 0; i < 200 && !check(); i++) await new Promise((wake) => setTimeout(wake, 25));
    };
    try {
      pmc.stdin.write('SET SUBSCRIBE_EVENTS_NP duration 30 NOTIFY_PORT_STATE on\n');
      await until(() => parsePmcOutput(output).length === 1);
      server.portStateChanged();
      await until(() => parsePmcOutput(output).length === 2);
      const [subscribed, pushed] = parsePmcOutput(output);
      expect(subscribed).toMatchObject({ id: 'SUBSCRIBE_EVENTS_NP', fields: { duration: '30', NOTIFY_PORT_STATE: 'on' } });
      expect(pushed).toMatchObject({
        source: '0200aa.fffe.000001-1',
        sequenceId: 0,
        action: 'RESPONSE',
        id: 'PORT_DATA_SET',
        fields: expected['PORT_DATA_SET'],
      });
    } finally {
      pmc.stdin.end();
      await new Promise((done) => pmc.once('exit', done));
    }
    // pmc has exited: the next notification finds its socket gone, and the subscription goes with it.
    server.portStateChanged();
    expect(server.answers()['sendFailed']).toBeGreaterThanOrEqual(1);
    expect(warnings).toEqual([]);
  });
});
