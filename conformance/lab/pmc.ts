/**
 * linuxptp's pmc as a read-only probe of a ptp4l instance: `GET PORT_DATA_SET` over its UDS gives each
 * port's peerMeanPathDelay, i.e. ptp4l's own measurement of the link from its side (for a grandmaster,
 * of the link to each slave). Only GET requests are ever sent, under setpriv without CAP_SYS_TIME.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { WITHOUT_SYS_TIME } from './clockGuard.js';

const run = promisify(execFile);

export interface PortDataSet {
  /** As pmc prints it, e.g. '02aaaa.fffe.000001-1'. */
  readonly portIdentity: string;
  readonly portNumber: number;
  readonly portState: string;
  /** ns (pmc prints the scaled value shifted to whole ns). */
  readonly peerMeanPathDelayNs: number;
}

/** The PORT_DATA_SET responses in pmc's output, one per port. */
export function parsePortDataSets(output: string): PortDataSet[] {
  const sets: PortDataSet[] = [];
  for (const block of output.split(/\n(?=\t\S+ seq \d+ RESPONSE MANAGEMENT PORT_DATA_SET)/)) {
    if (!/RESPONSE MANAGEMENT PORT_DATA_SET/.test(block)) continue;
    const field = (name: string): string | undefined => new RegExp(`^\\s+${name}\\s+(\\S+)\\s*$`, 'm').exec(block)?.[1];
    const portIdentity = field('portIdentity');
    const delay = field('peerMeanPathDelay');
    const state = field('portState');
    const portNumber = Number(portIdentity?.split('-')[1]);
    if (portIdentity === undefined || delay === undefined || state === undefined || !Number.isInteger(portNumber)) continue;
    sets.push({ portIdentity, portNumber, portState: state, peerMeanPathDelayNs: Number(delay) });
  }
  return sets;
}

/**
 * Asks the ptp4l listening on `udsAddress` for its ports' data sets. gPTP instances use
 * transportSpecific (majorSdoId) 1: pmc must send the same (`-t 1`) or ptp4l ignores the request.
 */
export async function portDataSets(udsAddress: string, transportSpecific = 1, timeoutMs = 2_000): Promise<PortDataSet[]> {
  const argv = [...WITHOUT_SYS_TIME, 'pmc', '-u', '-b', '0', '-t', String(transportSpecific), '-s', udsAddress, 'GET PORT_DATA_SET'];
  const { stdout } = await run(argv[0] as string, argv.slice(1), { timeout: timeoutMs });
  return parsePortDataSets(stdout);
}
