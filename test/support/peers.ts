/**
 * What a test needs from the machine beyond Node: Debian peers (ptp4l, tshark, chronyd…), root, network
 * namespaces. A suite asks `needs('ptp4l', 'netns')` and runs with `describe.skipIf(gate.skip)`:
 *
 * - everything present: the suite runs;
 * - something missing: the suite is skipped, one line names what to install, and the run ends with the
 *   list of what was skipped (test/support/skippedSummary.ts);
 * - `SYNTONIC_REQUIRE_PEERS=1` (set by .ci/run): a missing peer is an error instead, so CI runs everything.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

/** A requirement, and the one line that tells a newcomer how to meet it. */
interface Requirement {
  readonly present: () => boolean;
  readonly install: string;
}

function hasCommand(command: string): boolean {
  // `command -v` finds programs in /usr/sbin too, where chronyd lives, when PATH has it.
  const probe = spawnSync('sh', ['-c', `command -v ${command}`], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${process.env['PATH'] ?? ''}:/usr/sbin:/sbin` },
  });
  return probe.status === 0 && probe.stdout.trim() !== '';
}

const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

const REQUIREMENTS = {
  root: { present: isRoot, install: 'run as root (sudo npm test)' },
  netns: {
    present: () => isRoot() && hasCommand('ip') && existsSync('/proc/self/ns/net'),
    install: 'run as root with iproute2 (apt-get install iproute2)',
  },
  setpriv: { present: () => hasCommand('setpriv'), install: 'apt-get install util-linux' },
  ptp4l: { present: () => hasCommand('ptp4l'), install: 'apt-get install linuxptp' },
  pmc: { present: () => hasCommand('pmc'), install: 'apt-get install linuxptp' },
  tshark: { present: () => hasCommand('tshark'), install: 'apt-get install tshark' },
  tcpdump: { present: () => hasCommand('tcpdump'), install: 'apt-get install tcpdump' },
  ethtool: { present: () => hasCommand('ethtool'), install: 'apt-get install ethtool' },
  chronyd: { present: () => hasCommand('chronyd') && hasCommand('chronyc'), install: 'apt-get install chrony' },
  'stress-ng': { present: () => hasCommand('stress-ng'), install: 'apt-get install stress-ng' },
  gcc: { present: () => hasCommand('gcc'), install: 'apt-get install gcc' },
  python3: { present: () => hasCommand('python3'), install: 'apt-get install python3' },
  nft: { present: () => hasCommand('nft'), install: 'apt-get install nftables' },
} satisfies Record<string, Requirement>;

export type Peer = keyof typeof REQUIREMENTS;

export interface PeerGate {
  /** True when the suite must be skipped (never under SYNTONIC_REQUIRE_PEERS=1: that throws). */
  readonly skip: boolean;
  /** Empty when nothing is missing; otherwise one line: what is missing and how to install it. */
  readonly reason: string;
}

const cache = new Map<Peer, boolean>();
function present(peer: Peer): boolean {
  let found = cache.get(peer);
  if (found === undefined) {
    found = REQUIREMENTS[peer].present();
    cache.set(peer, found);
  }
  return found;
}

export const peersRequired = (): boolean => process.env['SYNTONIC_REQUIRE_PEERS'] === '1';

/**
 * Checks the peers a suite needs. `suite` names it in the skip line. Under SYNTONIC_REQUIRE_PEERS=1 a
 * missing peer throws, which fails the file at collection with the same line.
 */
export function needs(suite: string, ...peers: Peer[]): PeerGate {
  const missing = peers.filter((peer) => !present(peer));
  if (missing.length === 0) return { skip: false, reason: '' };
  const installs = [...new Set(missing.map((peer) => REQUIREMENTS[peer].install))].join('; ');
  const reason = `${suite}: skipped, needs ${missing.join(', ')} (${installs})`;
  if (peersRequired()) throw new Error(`SYNTONIC_REQUIRE_PEERS=1 and ${reason.replace(': skipped, needs', ' needs')}`);
  console.warn(reason);
  const list = process.env['SYNTONIC_SKIPPED_FILE'];
  if (list !== undefined && list !== '') appendFileSync(list, `${reason}\n`);
  return { skip: true, reason };
}

/** For tests that run a command directly: its absolute-or-PATH name, with /usr/sbin searched too. */
export const sbinPath = (): string => `${process.env['PATH'] ?? ''}:/usr/sbin:/sbin`;
export const skippedListPath = (dir: string): string => join(dir, 'skipped-suites.txt');
