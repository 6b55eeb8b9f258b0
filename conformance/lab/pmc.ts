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

/** One message pmc printed: `\t<sourcePortIdentity> seq <n> <action> <MANAGEMENT|MANAGEMENT_ERROR_STATUS> [<ID>]` and its fields. */
export interface PmcMessage {
  readonly source: string;
  readonly sequenceId: number;
  /** RESPONSE, ACKNOWLEDGE… */
  readonly action: string;
  /** 'MANAGEMENT' or 'MANAGEMENT_ERROR_STATUS'. */
  readonly tlv: string;
  /** The managementId's name for MANAGEMENT, '' for an error (pmc 3.1.1 prints no detail). */
  readonly id: string;
  /** field name → the text pmc printed after it. */
  readonly fields: Readonly<Record<string, string>>;
}

/** Every message in pmc's output, in order (the `sending:` lines are skipped). */
export function parsePmcOutput(output: string): PmcMessage[] {
  const messages: PmcMessage[] = [];
  let current: { head: Omit<PmcMessage, 'fields'>; fields: Record<string, string> } | undefined;
  const flush = (): void => {
    if (current !== undefined) messages.push({ ...current.head, fields: current.fields });
    current = undefined;
  };
  for (const line of output.split('\n')) {
    const head = /^\t(\S+) seq (\d+) (\S+) (MANAGEMENT_ERROR_STATUS|MANAGEMENT)\s*(\S*)\s*$/.exec(line);
    if (head !== null) {
      flush();
      current = {
        head: { source: head[1] as string, sequenceId: Number(head[2]), action: head[3] as string, tlv: head[4] as string, id: head[5] ?? '' },
        fields: {},
      };
      continue;
    }
    const field = /^\t\t(\S+)\s+(.*?)\s*$/.exec(line);
    if (field !== null && current !== undefined) current.fields[field[1] as string] = field[2] as string;
    else if (!line.startsWith('\t')) flush();
  }
  flush();
  return messages;
}

export interface PmcOptions {
  /** pmc -t (hex): 1 for gPTP. */
  readonly transportSpecific?: number;
  readonly domainNumber?: number;
  /** pmc -i: the client's own socket path (keep it in a temporary directory). */
  readonly clientPath: string;
  /** pmc -z: GETs without a data field. */
  readonly zeroLengthGets?: boolean;
  readonly timeoutMs?: number;
}

/** Runs `pmc -u -b 0 … -s udsAddress COMMAND…` (without CAP_SYS_TIME) and returns what it printed. */
export async function runPmc(udsAddress: string, commands: readonly string[], options: PmcOptions): Promise<string> {
  const argv = [
    ...WITHOUT_SYS_TIME,
    'pmc',
    '-u',
    '-b',
    '0',
    '-t',
    (options.transportSpecific ?? 1).toString(16),
    '-d',
    String(options.domainNumber ?? 0),
    '-i',
    options.clientPath,
    ...(options.zeroLengthGets === true ? ['-z'] : []),
    '-s',
    udsAddress,
    ...commands,
  ];
  const { stdout } = await run(argv[0] as string, argv.slice(1), { timeout: options.timeoutMs ?? 5_000 });
  return stdout;
}
