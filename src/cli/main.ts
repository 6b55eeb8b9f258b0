/**
 * The `syntonic` command: dispatches to one module per subcommand, loaded on demand so that a
 * subcommand's dependencies (the native addon, say) are only needed when it runs.
 */
export interface Command {
  readonly summary: string;
  run(argv: string[]): Promise<number>;
}

const commands: Record<string, () => Promise<Command>> = {
  decode: async () => (await import('./commands/decode.js')).command,
  replay: async () => (await import('./commands/replay.js')).command,
  run: async () => (await import('./commands/run.js')).command,
  status: async () => (await import('./commands/status.js')).command,
};

const USAGE = `Usage: syntonic <command> [options]

Commands:
  decode FILE    print every PTP frame of a pcap/pcapng capture with its 802.1AS fields
  replay FILE    run a capture through the engine and servo; per-Sync results and a summary
  run -i IFACE   run as a gPTP time-aware end station (slave) on an interface
  status         ask a running syntonic for its synchronization status

Run 'syntonic <command> --help' for the options of a command.`;

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE + '\n');
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    const { SYNTONIC_VERSION } = await import('../version.js');
    process.stdout.write(`syntonic ${SYNTONIC_VERSION}\n`);
    return 0;
  }
  const load = commands[name];
  if (load === undefined) {
    process.stderr.write(`syntonic: unknown command '${name}'\n${USAGE}\n`);
    return 2;
  }
  try {
    return await (await load()).run(rest);
  } catch (err) {
    // A user sees one line, not a stack trace; SYNTONIC_DEBUG=1 shows the trace.
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`syntonic ${name}: ${message}\n`);
    if (process.env['SYNTONIC_DEBUG'] === '1' && err instanceof Error) process.stderr.write(`${err.stack ?? ''}\n`);
    return 1;
  }
}
