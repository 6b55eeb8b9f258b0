/**
 * Two network namespaces joined by a veth pair, for tests that put real frames on a (virtual) wire.
 * The veth ends are created directly inside their namespaces, so nothing ever appears in the host's
 * namespace; deleting the namespaces removes the pair.
 */
import { execFileSync } from 'node:child_process';

export interface VethPair {
  readonly namespaceA: string;
  readonly namespaceB: string;
  readonly interfaceA: string;
  readonly interfaceB: string;
}

function ip(args: readonly string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function tryIp(args: readonly string[]): void {
  try {
    ip(args);
  } catch {
    // already gone
  }
}

/** Unique per process and `tag`: syn-nat-<pid>-<tag>{a,b}, interfaces sn<pid><tag>{a,b} (≤ 15 octets). */
export function vethPairNames(tag: string): VethPair {
  const pid = process.pid;
  return {
    namespaceA: `syn-nat-${pid}-${tag}a`,
    namespaceB: `syn-nat-${pid}-${tag}b`,
    interfaceA: `sn${pid}${tag}a`,
    interfaceB: `sn${pid}${tag}b`,
  };
}

export function removeVethPair(pair: VethPair): void {
  tryIp(['netns', 'del', pair.namespaceA]);
  tryIp(['netns', 'del', pair.namespaceB]);
}

/** Creates the pair; with `up` (default) both ends are brought up and the call waits for carrier. */
export async function createVethPair(tag: string, up = true): Promise<VethPair> {
  const pair = vethPairNames(tag);
  removeVethPair(pair);
  try {
    ip(['netns', 'add', pair.namespaceA]);
    ip(['netns', 'add', pair.namespaceB]);
    ip(['link', 'add', pair.interfaceA, 'netns', pair.namespaceA, 'type', 'veth', 'peer', 'name', pair.interfaceB, 'netns', pair.namespaceB]);
    if (up) {
      ip(['-n', pair.namespaceA, 'link', 'set', pair.interfaceA, 'up']);
      ip(['-n', pair.namespaceB, 'link', 'set', pair.interfaceB, 'up']);
      await waitForCarrier(pair.namespaceA, pair.interfaceA);
      await waitForCarrier(pair.namespaceB, pair.interfaceB);
    }
    return pair;
  } catch (e) {
    removeVethPair(pair);
    throw e;
  }
}

export async function waitForCarrier(namespace: string, ifname: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ip(['-n', namespace, '-o', 'link', 'show', 'dev', ifname]).includes('LOWER_UP')) {
    if (Date.now() > deadline) throw new Error(`${ifname} in ${namespace} has no carrier after ${timeoutMs} ms`);
    await new Promise((wake) => setTimeout(wake, 10));
  }
}
