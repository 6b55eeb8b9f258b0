/**
 * Where a capture's times come from (src/io/replay/captureTimestamps.ts): pcap is always the host's
 * software clock; a pcapng is hardware-timestamped only when every interface with frames says so in
 * its description, hardware or comment options, or counts in 2^-n s.
 */
import { describe, expect, it } from 'vitest';
import type { CaptureInterface, CaptureSummary } from '../../../src/io/capturedFrame.js';
import { captureTimestamps } from '../../../src/io/replay/captureTimestamps.js';
import { describeCaptureBytes } from '../../../src/io/captureFile.js';
import { MICROSECONDS, NANOSECONDS } from '../../../src/io/captureResolution.js';

function iface(interfaceId: number, notes: string[], resolution = NANOSECONDS, name?: string): CaptureInterface {
  return { interfaceId, section: 0, idInSection: interfaceId, linkType: 1, snaplen: 0, resolution, tsOffsetSeconds: 0n, name, notes };
}

function summary(format: 'pcap' | 'pcapng', interfaces: CaptureInterface[]): CaptureSummary {
  return { format, byteOrder: 'little', sections: [], interfaces, frameCount: 0, recordCount: 0, firstTimestampNs: undefined, lastTimestampNs: undefined };
}

describe('capture timestamp source', () => {
  it('pcap: software, whatever else', () => {
    expect(captureTimestamps(summary('pcap', [iface(0, [])]))).toMatchObject({ source: 'software' });
  });

  it.each([
    ['if_description', 'hardware timestamps (PHC)'],
    ['comment, other spelling', 'captured with Hardware Time-Stamping on eth2'],
    ["libpcap's time-stamp type", 'tstamp type adapter_unsynced'],
  ])('pcapng: hardware when the interface says so (%s)', (_what, note) => {
    const t = captureTimestamps(summary('pcapng', [iface(0, ['Ethernet', note], NANOSECONDS, 'eth2')]));
    expect(t.source).toBe('hardware');
    expect(t.why).toContain(`interface eth2 states hardware timestamps ("${note}")`);
  });

  it('pcapng: hardware when time counts in 2^-n s, as capture cards write', () => {
    expect(captureTimestamps(summary('pcapng', [iface(0, [], { base: 2, exponent: 32 })])).why).toBe(
      'interface 0 counts time in 2^-32 s units, as NIC and capture-card clocks do',
    );
  });

  it('pcapng: software without such a statement, or when one interface with frames lacks it', () => {
    expect(captureTimestamps(summary('pcapng', [iface(0, ['Ethernet'], MICROSECONDS)])).source).toBe('software');
    expect(captureTimestamps(summary('pcapng', [iface(0, ['hardware timestamps']), iface(1, [])])).source).toBe('software');
    // ...unless that interface carries no frames.
    expect(captureTimestamps(summary('pcapng', [iface(0, ['hardware timestamps']), iface(1, [])]), new Set([0])).source).toBe('hardware');
    expect(captureTimestamps(summary('pcapng', [])).source).toBe('software');
  });

  it('reads if_description, if_hardware and opt_comment from an IDB, not the section header', () => {
    // SHB with shb_hardware "hardware timestamp" (must not count), then an IDB with if_description and if_hardware.
    const text = (code: number, s: string): number[] => {
      const b = [...new TextEncoder().encode(s)];
      while (b.length % 4 !== 0) b.push(0);
      return [code, 0, s.length, 0, ...b];
    };
    const u32 = (v: number): number[] => [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff];
    const block = (type: number, body: number[]): number[] => [...u32(type), ...u32(body.length + 12), ...body, ...u32(body.length + 12)];
    const shb = block(0x0a0d0d0a, [...u32(0x1a2b3c4d), 1, 0, 0, 0, ...Array(8).fill(0xff), ...text(2, 'hardware timestamp CPU'), 0, 0, 0, 0]);
    const idb = block(1, [1, 0, 0, 0, ...u32(0), ...text(3, 'uplink'), ...text(15, 'i210 hardware timestamps'), ...text(1, 'note'), 0, 0, 0, 0]);
    const s = describeCaptureBytes(new Uint8Array([...shb, ...idb]));
    expect(s.interfaces[0]?.notes).toEqual(['uplink', 'i210 hardware timestamps', 'note']);
    expect(captureTimestamps(s).source).toBe('hardware');
  });
});
