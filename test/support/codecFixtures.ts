/** Shared by the codec tests: the committed captures and byte helpers. */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { readCapture } from '../../src/io/captureFile.js';
import { toEthernet } from '../../src/io/linkType.js';

export const PCAP_DIR = fileURLToPath(new URL('../../fixtures/pcaps/', import.meta.url));

/** Every capture in fixtures/pcaps, as absolute paths. */
export function fixtureCaptures(): string[] {
  return readdirSync(PCAP_DIR)
    .filter((f) => f.endsWith('.pcap') || f.endsWith('.pcapng'))
    .sort()
    .map((f) => join(PCAP_DIR, f));
}

export function fixture(name: string): string {
  return join(PCAP_DIR, name);
}

export interface EthernetFrame {
  /** 1-based frame number in the file, as Wireshark counts. */
  readonly index: number;
  readonly timestampNs: bigint;
  /** A copy of the Ethernet II bytes. */
  readonly bytes: Uint8Array;
}

/** The Ethernet frames of a capture (all of them, PTP or not). */
export function ethernetFrames(path: string): EthernetFrame[] {
  const frames: EthernetFrame[] = [];
  for (const f of readCapture(path)) {
    const eth = toEthernet(f);
    if (eth !== undefined) frames.push({ index: f.index, timestampNs: f.timestampNs, bytes: eth.slice() });
  }
  return frames;
}

/** Bytes from hex, ignoring whitespace and '|' separators (used to annotate field boundaries). */
export function hex(text: string): Uint8Array {
  const clean = text.replace(/[\s|]/g, '');
  if (clean.length % 2 !== 0 || /[^0-9a-f]/i.test(clean)) throw new Error(`bad hex: ${text}`);
  return Uint8Array.from(clean.match(/../g) ?? [], (b) => Number.parseInt(b, 16));
}

export function toHexString(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}
