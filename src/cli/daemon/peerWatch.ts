/**
 * The first minutes of `syntonic run`, for someone setting it up: one warning line when the interface
 * has no carrier, and one when no gPTP peer has answered PEER_WAIT_MS after start, naming what is
 * missing. Both say what to check; the daemon keeps running (the link or the peer may come later,
 * as with ptp4l).
 */
import { readFileSync } from 'node:fs';

/** How long a newcomer waits before being told that nothing answers: 10 Pdelay_Req, 10 Announce intervals. */
export const PEER_WAIT_MS = 10_000;

export interface PeerWatchSources {
  readonly interfaceName: string;
  /** PTP frames received so far, by messageType (the engine's statistics). */
  readonly received: () => Readonly<Record<string, number>>;
  readonly warn: (line: string) => void;
  /** True/false from the kernel, undefined when unknown. Default: /sys/class/net/IFACE/carrier. */
  readonly carrier?: () => boolean | undefined;
  readonly waitMs?: number;
}

/** The kernel's carrier flag of an interface (1 link detected, 0 none); undefined when unreadable (down, or no sysfs). */
export function sysfsCarrier(interfaceName: string): boolean | undefined {
  try {
    const value = readFileSync(`/sys/class/net/${interfaceName}/carrier`, 'utf8').trim();
    return value === '1' ? true : value === '0' ? false : undefined;
  } catch {
    return undefined;
  }
}

const NO_CARRIER = 'no carrier: the cable is unplugged or the other end of the link is down (ip link show';

/** What is missing after the wait, in one line; undefined when a peer answers. */
export function missingPeerLine(interfaceName: string, received: Readonly<Record<string, number>>, carrier: boolean | undefined): string | undefined {
  const count = (type: string): number => received[type] ?? 0;
  const total = Object.values(received).reduce((a, b) => a + b, 0);
  const port = `port 1 (${interfaceName})`;
  if (total === 0) {
    if (carrier === false) return `${port}: still ${NO_CARRIER} ${interfaceName})`;
    return (
      `${port}: no gPTP frame from any peer in ${PEER_WAIT_MS / 1000} s: nothing on this link speaks gPTP ` +
      `(802.1AS over Ethernet to 01:80:C2:00:00:0E); start a grandmaster or gPTP bridge on it, e.g. ptp4l -f gPTP.cfg -i IFACE`
    );
  }
  if (count('Pdelay_Resp') === 0) {
    const heard = Object.keys(received)
      .filter((k) => (received[k] ?? 0) > 0)
      .join(', ');
    return `${port}: no Pdelay_Resp to our Pdelay_Req in ${PEER_WAIT_MS / 1000} s (heard ${heard}): the neighbor does not run peer delay (delay_mechanism P2P), so the port cannot become asCapable`;
  }
  return undefined;
}

/** Starts watching; stop() before the daemon ends. */
export function watchForPeers(sources: PeerWatchSources): { stop(): void } {
  const carrier = sources.carrier ?? ((): boolean | undefined => sysfsCarrier(sources.interfaceName));
  if (carrier() === false) sources.warn(`port 1 (${sources.interfaceName}): ${NO_CARRIER} ${sources.interfaceName}); waiting for a link`);
  const timer = setTimeout(() => {
    const line = missingPeerLine(sources.interfaceName, sources.received(), carrier());
    if (line !== undefined) sources.warn(line);
  }, sources.waitMs ?? PEER_WAIT_MS);
  timer.unref();
  return { stop: () => clearTimeout(timer) };
}
