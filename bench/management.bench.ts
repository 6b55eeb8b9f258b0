/**
 * The management socket (uds_address): what answering pmc costs. The sans-IO responder alone (GET
 * TIME_STATUS_NP decoded, answered, encoded), and the round trip of that GET from a client socket to a
 * management server in another process, as pmc to the daemon.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ManagementServer } from '../src/cli/daemon/managementServer.js';
import { UnixDatagramSocket } from '../src/io/unixDatagramSocket.js';
import { ManagementId } from '../src/protocol/management.js';
import { ManagementResponder } from '../src/protocol/managementResponder.js';
import { STATION, request, sampleDataSets } from '../test/support/management.js';
import type { Report } from './run.js';

const SERVE_FLAG = '--management-bench-serve';

async function startServerProcess(path: string): Promise<() => void> {
  const child = fork(fileURLToPath(import.meta.url), [SERVE_FLAG, path], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`management server process exited with ${code}`)));
  });
  return () => child.kill('SIGTERM');
}

function responderRate(): number {
  const dataSets = sampleDataSets();
  const responder = new ManagementResponder({ clockIdentity: STATION, portNumber: 1, majorSdoId: 1, domainNumber: 0, dataSets: () => dataSets });
  const get = request({ id: ManagementId.TIME_STATUS_NP, data: new Uint8Array(50) });
  let best = 0;
  for (let round = 0; round < 5; round++) {
    const n = 200_000;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) responder.handle(get, '/tmp/pmc.bench', 0);
    best = Math.max(best, n / (Number(process.hrtime.bigint() - t0) / 1e9));
  }
  return best;
}

export async function run(report: Report): Promise<void> {
  report('management.responder.getTimeStatus', responderRate(), 'req/s');
  const dir = mkdtempSync(join(tmpdir(), 'syn-management-bench-'));
  const serverPath = join(dir, 'uds');
  const stop = await startServerProcess(serverPath);
  const pending: Array<() => void> = [];
  const client = UnixDatagramSocket.bind(join(dir, 'client'), { message: () => pending.shift()?.(), error: () => undefined });
  try {
    const get = request({ id: ManagementId.TIME_STATUS_NP, data: new Uint8Array(50) });
    const roundTrip = (): Promise<void> =>
      new Promise<void>((resolve) => {
        pending.push(resolve);
        client.sendTo(get, serverPath);
      });
    for (let i = 0; i < 3000; i++) await roundTrip();
    const samplesUs: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const t0 = process.hrtime.bigint();
      await roundTrip();
      samplesUs.push(Number(process.hrtime.bigint() - t0) / 1000);
    }
    samplesUs.sort((a, b) => a - b);
    report('management.getRtt.median', samplesUs[Math.floor(samplesUs.length / 2)] ?? NaN, 'us');
    report('management.getRtt.p99', samplesUs[Math.floor(samplesUs.length * 0.99)] ?? NaN, 'us');
  } finally {
    client.close();
    stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === SERVE_FLAG && process.argv[3] !== undefined) {
  const dataSets = sampleDataSets();
  const server = ManagementServer.start({
    path: process.argv[3],
    clockIdentity: STATION,
    portNumber: 1,
    majorSdoId: 1,
    domainNumber: 0,
    dataSets: () => dataSets,
    warn: (m) => process.stderr.write(`${m}\n`),
  });
  process.send?.('ready');
  const stop = (): never => {
    server.close();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('disconnect', stop);
}
