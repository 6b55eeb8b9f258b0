/**
 * `syntonic status [--socket PATH] [--json] [--watch]`: asks a running syntonic, through the
 * time-base provider socket, for its synchronization status.
 */
import { parseArgs } from 'node:util';
import { monotonicRawNow } from '../../clock/systemClocks.js';
import { TimeBaseClient } from '../../provider/client.js';
import { DEFAULT_SOCKET_PATH } from '../../provider/protocol.js';
import { ProviderError } from '../../provider/providerError.js';
import type { ReceivedSnapshot } from '../../provider/snapshot.js';
import { formatStatusLine, formatStatusReport, statusJson } from '../../provider/statusText.js';
import type { Command } from '../main.js';

const USAGE = `Usage: syntonic status [--socket PATH] [--json] [--watch]

Asks a running syntonic for its synchronization status, as pmc would show it.

  -s, --socket PATH  the provider socket (default ${DEFAULT_SOCKET_PATH})
      --json         print the snapshot as JSON (the provider protocol's form), plus "now":
                     gPTP time, TAI and UTC read at print time
  -w, --watch        follow changes until interrupted (one line per update; NDJSON with --json)
  -h, --help         this text
`;

interface StatusArgs {
  readonly socket: string;
  readonly json: boolean;
  readonly watch: boolean;
}

export const command: Command = {
  summary: 'ask a running syntonic for its synchronization status',
  async run(argv: string[]): Promise<number> {
    const args = parse(argv);
    if (typeof args === 'number') return args;
    const client = new TimeBaseClient();
    try {
      await client.connect(args.socket);
    } catch (err) {
      process.stderr.write(`${unreachableLine(args.socket, err)}\n`);
      return 1;
    }
    try {
      return args.watch ? await watch(client, args) : await once(client, args);
    } catch (err) {
      process.stderr.write(`syntonic status: ${err instanceof Error ? err.message : String(err)}\n`);
      return 1;
    } finally {
      client.close();
    }
  },
};

function parse(argv: string[]): StatusArgs | number {
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        socket: { type: 'string', short: 's' },
        json: { type: 'boolean' },
        watch: { type: 'boolean', short: 'w' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.help === true) {
      process.stdout.write(USAGE);
      return 0;
    }
    return { socket: values.socket ?? DEFAULT_SOCKET_PATH, json: values.json === true, watch: values.watch === true };
  } catch (err) {
    process.stderr.write(`syntonic status: ${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    return 2;
  }
}

async function once(client: TimeBaseClient, args: StatusArgs): Promise<number> {
  const snapshot = await client.status();
  process.stdout.write(args.json ? statusJson(snapshot, 2, client.now()) : formatStatusReport(snapshot, client.now(), monotonicRawNow()));
  return 0;
}

/** Prints the current status, then every update, until SIGINT/SIGTERM. */
function watch(client: TimeBaseClient, args: StatusArgs): Promise<number> {
  let first = true;
  const print = (s: ReceivedSnapshot): void => {
    if (args.json) process.stdout.write(statusJson(s, undefined, client.now()));
    else if (first) process.stdout.write(formatStatusReport(s, client.now(), monotonicRawNow()) + '\n');
    else process.stdout.write(formatStatusLine(s));
    first = false;
  };
  const unsubscribe = client.subscribe(print);
  return new Promise((resolve) => {
    const stop = (): void => {
      unsubscribe();
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(0);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

function unreachableLine(path: string, err: unknown): string {
  // A ProviderError from connect() already reads "cannot reach syntonic at PATH: ENOENT (no such socket)".
  const what = err instanceof ProviderError ? err.message : `cannot reach syntonic at ${path}: ${String(err)}`;
  const socketFlag = path === DEFAULT_SOCKET_PATH ? '' : ` --socket ${path}`;
  return `${what}; no syntonic is serving there: start one with \`sudo syntonic run -i IFACE -f configs/gPTP-software.cfg${socketFlag}\` (docs/quickstart.md), or give --socket PATH`;
}
